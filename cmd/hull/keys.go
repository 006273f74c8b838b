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
	cfg, err := config.Load(args, env)
	if err != nil {
		return err
	}
	secret := cfg.InstanceSecret
	if secret == "" {
		secret, err = config.ReadSecret(cfg.SecretPath())
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("no instance secret: set INSTANCE_SECRET, or run `hull serve --data-dir %s` once to generate one in %s",
				cfg.DataDir, cfg.SecretPath())
		}
		if err != nil {
			return err
		}
	}
	key, err := adminkey.Issue(cfg.InstanceName, secret)
	if err != nil {
		return fmt.Errorf("issue admin key: %w", err)
	}
	fmt.Fprintln(stdout, key)
	return nil
}
