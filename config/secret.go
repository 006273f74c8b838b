package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"hull/adminkey"
)

// ReadSecret reads the instance secret kept at path. It returns an error
// wrapping fs.ErrNotExist when there is none.
func ReadSecret(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read instance secret: %w", err)
	}
	s := strings.TrimSpace(string(b))
	if _, err := adminkey.DecodeSecret(s); err != nil {
		return "", fmt.Errorf("instance secret in %s: %w", path, err)
	}
	return s, nil
}

// LoadOrCreateSecret returns the instance secret kept at path, generating
// and saving one (file mode 0600, folder 0700) when there is none. created
// reports whether it was generated now.
func LoadOrCreateSecret(path string) (secret string, created bool, err error) {
	secret, err = ReadSecret(path)
	if err == nil {
		return secret, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", false, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, fmt.Errorf("create credentials folder: %w", err)
	}
	secret, err = adminkey.NewSecret()
	if err != nil {
		return "", false, err
	}
	// O_EXCL: if another process wrote one first, use theirs.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		s, rerr := ReadSecret(path)
		return s, false, rerr
	}
	if err != nil {
		return "", false, fmt.Errorf("create instance secret file: %w", err)
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("write instance secret: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", false, fmt.Errorf("sync instance secret: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", false, fmt.Errorf("close instance secret: %w", err)
	}
	return secret, true, nil
}
