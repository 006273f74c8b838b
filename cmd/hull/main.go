// Command hull is a Convex-compatible backend in one binary.
//
//	hull serve        serve the API on one port (embedded SQLite by default)
//	hull keys admin   print an admin key for the configured instance
//	hull cloudflare init  write the Cloudflare Containers kit into a project
//	hull dashboard    print a one-time login link for the built-in dashboard
//	hull backup       write a snapshot ZIP of a running hull (now or at a past ts)
//	hull restore      import a snapshot ZIP into a running hull
//	hull doctor       check a deployment's configuration, naming the fix of each problem
//	hull version      print the version
//
// Configuration comes from flags and the environment; see `hull serve -h`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"hull/config"
)

// version is the hull release this binary reports.
const version = "0.1.0"

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	oversubscribeProcs(os.Getenv)
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, env func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitUsage
	}
	switch args[0] {
	case "serve":
		return exitCode(serve(ctx, args[1:], env, stderr), "serve", stderr)
	case "keys":
		if len(args) < 2 || args[1] != "admin" {
			fmt.Fprintln(stderr, "usage: hull keys admin [flags]")
			return exitUsage
		}
		return exitCode(keysAdmin(args[2:], env, stdout), "keys admin", stderr)
	case "cloudflare":
		return exitCode(cloudflareCmd(args[1:], stdout, stderr), "cloudflare", stderr)
	case "doctor":
		err := doctor(ctx, args[1:], env, stdout)
		if errors.Is(err, errDoctorFailed) {
			fmt.Fprintln(stderr, "hull doctor: some checks failed; each names its fix")
			return exitError
		}
		return exitCode(err, "doctor", stderr)
	case "dashboard":
		return exitCode(dashboardLink(args[1:], env, stdout, time.Now()), "dashboard", stderr)
	case "backup":
		return exitCode(backupCmd(ctx, args[1:], env, stdout), "backup", stderr)
	case "restore":
		return exitCode(restoreCmd(ctx, args[1:], env, stdout), "restore", stderr)
	case "version", "--version", "-version":
		fmt.Fprintf(stdout, "hull %s\n", version)
		return exitOK
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "hull: unknown command %q\n\n", args[0])
	usage(stderr)
	return exitUsage
}

func exitCode(err error, cmd string, stderr io.Writer) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(stderr, "usage: hull %s [flags]\n\nFlags and environment:\n", cmd)
		config.Usage(stderr)
		return exitOK
	}
	fmt.Fprintf(stderr, "hull %s: %v\n", cmd, err)
	var ce *config.Error
	var ue *usageError
	if errors.As(err, &ce) || errors.As(err, &ue) {
		return exitUsage
	}
	return exitError
}

func usage(w io.Writer) {
	fmt.Fprint(w, `hull — a Convex-compatible backend in one binary

Usage:
  hull serve [flags]        serve the Convex API, HTTP actions and health routes on one port
  hull keys admin [flags]   print an admin key for the configured instance
  hull cloudflare init      write the Cloudflare Containers kit (Worker, wrangler.jsonc, Dockerfile, CLOUDFLARE.md) into a project
  hull dashboard [flags]    print a one-time login link for the built-in dashboard (/dashboard)
  hull backup [flags]       write a snapshot ZIP of a running hull to a file (--at for a past point in time)
  hull restore [flags] ZIP  import a snapshot ZIP into a running hull (--replace for one that holds data)
  hull doctor [flags]       check the configuration serve would run with (database and its latency, file storage, secrets, origins)
  hull version              print the version

Run "hull serve -h" for flags and environment variables.
`)
}
