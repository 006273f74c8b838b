package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"

	"hull/adminkey"
	"hull/config"
)

// keysAdmin prints an admin key for the configured instance. The secret is
// INSTANCE_SECRET, or the one `hull serve` generated in the data folder.
func keysAdmin(args []string, env func(string) string, stdout io.Writer) error {
	cfg, secret, err := loadSecret(args, env)
	if err != nil {
		return err
	}
	key, err := adminkey.Issue(cfg.InstanceName, secret)
	if err != nil {
		return fmt.Errorf("issue admin key: %w", err)
	}
	fmt.Fprintln(stdout, key)
	return nil
}

// loadSecret loads the configuration and the instance secret:
// INSTANCE_SECRET, or the one `hull serve` generated in the data folder.
func loadSecret(args []string, env func(string) string) (config.Config, string, error) {
	cfg, err := config.Load(args, env)
	if err != nil {
		return cfg, "", err
	}
	if cfg.InstanceSecret != "" {
		return cfg, cfg.InstanceSecret, nil
	}
	secret, err := config.ReadSecret(cfg.SecretPath())
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, "", fmt.Errorf("no instance secret: set INSTANCE_SECRET, or run `hull serve --data-dir %s` once to generate one in %s",
			cfg.DataDir, cfg.SecretPath())
	}
	return cfg, secret, err
}
