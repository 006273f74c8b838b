package main

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"hull/adminkey"
)

// dashboardLink prints a link that logs into the built-in dashboard once,
// within --dashboard-link-ttl. The code rides in the URL's #fragment, which
// browsers never send to a server; the dashboard exchanges it with a POST
// and removes it from the address bar and history.
func dashboardLink(args []string, env func(string) string, stdout io.Writer, now time.Time) error {
	cfg, secret, err := loadSecret(args, env)
	if err != nil {
		return err
	}
	code, err := adminkey.IssueLoginCode(cfg.InstanceName, secret, now, cfg.DashboardLinkTTL)
	if err != nil {
		return fmt.Errorf("issue a dashboard login code: %w", err)
	}
	base := strings.TrimSuffix(cfg.CloudOrigin, "/")
	if base == "" {
		host := cfg.Interface
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		base = "http://" + net.JoinHostPort(host, strconv.Itoa(cfg.Port))
	}
	fmt.Fprintf(stdout, "%s/dashboard/#code=%s\n", base, code)
	fmt.Fprintf(stdout, "\nOpen this link within %s to log into the dashboard; it works once.\n", cfg.DashboardLinkTTL)
	return nil
}
