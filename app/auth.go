package app

import (
	"bytes"
	"context"
	"fmt"

	"hull/auth"
)

// authState is the verifier of the active version's auth config.
type authState struct {
	config   []byte
	verifier *auth.Verifier
	err      error
}

// verifier returns the verifier of the active version's auth config,
// building it when the config changed (a push with the same config keeps
// the keys and verified tokens it has).
func (a *App) verifier() (*auth.Verifier, error) {
	var cfg []byte
	if v := a.active.Load(); v != nil {
		cfg = v.AuthConfig
	}
	if s := a.auth.Load(); s != nil && bytes.Equal(s.config, cfg) {
		return s.verifier, s.err
	}
	a.authMu.Lock()
	defer a.authMu.Unlock()
	if s := a.auth.Load(); s != nil && bytes.Equal(s.config, cfg) {
		return s.verifier, s.err
	}
	s := &authState{config: cfg}
	providers, err := auth.ParseConfig(cfg)
	if err == nil {
		opts := a.opts.Auth
		if opts.Logger == nil {
			opts.Logger = a.log
		}
		s.verifier, err = auth.New(providers, opts)
	}
	if err != nil {
		s.err = fmt.Errorf("the deployed auth.config.ts: %w", err)
		a.log.Error("auth: the deployed auth config cannot be used; user tokens are refused", "err", err)
	}
	a.auth.Store(s)
	return s.verifier, s.err
}

// VerifyUserToken checks a user's token (a JWT from setAuth or an
// Authorization: Bearer header) against the active version's auth
// providers. A refused token is an *auth.Error with Convex's code and
// message.
func (a *App) VerifyUserToken(ctx context.Context, token string) (*auth.Identity, error) {
	v, err := a.verifier()
	if err != nil {
		return nil, err
	}
	return v.Verify(ctx, token)
}

// checkAuthConfig refuses a push whose auth config cannot be used.
func checkAuthConfig(cfg []byte) error {
	providers, err := auth.ParseConfig(cfg)
	if err == nil {
		_, err = auth.New(providers, auth.Options{})
	}
	if ae, ok := err.(*auth.Error); ok {
		return &Error{Status: ae.Status, Code: ae.Code, Message: ae.Message, Err: err}
	}
	return err
}
