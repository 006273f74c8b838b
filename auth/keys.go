package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

// keySource is where one provider's keys come from: a static data: URI,
// a JWKS URL, or OIDC discovery followed by the discovered JWKS URL. It
// caches what it fetched, refreshes stale keys in the background, fetches
// again on an unknown key id (at most once per minRefetch) and backs off
// after failures. Safe for concurrent use.
type keySource struct {
	v *Verifier
	// what to fetch: discovery is the issuer to discover (OIDC), else
	// jwksURL.
	discovery string
	jwksURL   string

	mu          sync.Mutex
	keys        *keySet
	issuer      string // discovered issuer (OIDC)
	fetchedAt   time.Time
	lastAttempt time.Time
	lastErr     *Error
	failures    int
	retryAt     time.Time
	inflight    chan struct{} // closed when the fetch under way ends
}

// staticSource returns a source that always has keys.
func staticSource(v *Verifier, ks *keySet) *keySource {
	return &keySource{v: v, keys: ks, fetchedAt: time.Unix(1<<40, 0)}
}

// get returns the current keys. kid, when the current keys lack it, asks
// for a new fetch (if one is allowed now). Without keys yet, it waits for
// a fetch (bounded by ctx and the fetch timeout) unless the source is
// backing off, in which case it fails at once with the last error.
func (s *keySource) get(ctx context.Context, kid string) (*keySet, string, error) {
	now := s.v.now()
	s.mu.Lock()
	if s.keys != nil {
		missing := kid != "" && !s.keys.hasKid(kid)
		if !missing {
			if now.Sub(s.fetchedAt) > s.v.opts.KeysTTL && s.mayFetch(now, false) {
				s.startFetch(now)
			}
			ks, iss := s.keys, s.issuer
			s.mu.Unlock()
			return ks, iss, nil
		}
		if !s.mayFetch(now, true) {
			ks, iss := s.keys, s.issuer
			s.mu.Unlock()
			return ks, iss, nil
		}
	} else if !s.mayFetch(now, false) && s.inflight == nil {
		err := s.lastErr
		s.mu.Unlock()
		return nil, "", errOf(err)
	}
	if s.inflight == nil {
		s.startFetch(now)
	}
	wait := s.inflight
	s.mu.Unlock()
	select {
	case <-wait:
	case <-ctx.Done():
		return nil, "", fmt.Errorf("waiting for the keys of %s: %w", s.name(), ctx.Err())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		return nil, "", errOf(s.lastErr)
	}
	return s.keys, s.issuer, nil
}

// mayFetch says whether a fetch may start now; called with s.mu held.
// unknownKid fetches are rate limited by MinRefetch; every fetch waits
// out the backoff after a failure.
func (s *keySource) mayFetch(now time.Time, unknownKid bool) bool {
	if s.inflight != nil || s.discovery == "" && s.jwksURL == "" {
		return s.inflight != nil
	}
	if now.Before(s.retryAt) {
		return false
	}
	if unknownKid && now.Sub(s.lastAttempt) < s.v.opts.MinRefetch {
		return false
	}
	return true
}

// startFetch begins a fetch on its own goroutine; called with s.mu held.
func (s *keySource) startFetch(now time.Time) {
	if s.inflight != nil {
		return
	}
	s.inflight = make(chan struct{})
	s.lastAttempt = now
	go s.fetch()
}

func (s *keySource) fetch() {
	ctx, cancel := context.WithTimeout(context.Background(), s.v.opts.FetchTimeout)
	defer cancel()
	ks, iss, err := s.load(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.v.now()
	if err != nil {
		s.failures++
		backoff := firstBackoff << min(s.failures-1, 12)
		s.retryAt = now.Add(min(backoff, maxBackoff))
		s.lastErr = err
		s.v.log.Warn("auth: fetching a provider's keys failed", "provider", s.name(),
			"err", err.Message, "retry_in", min(backoff, maxBackoff).String())
	} else {
		s.failures, s.retryAt, s.lastErr = 0, time.Time{}, nil
		if s.keys == nil || !sameKeys(s.keys, ks) {
			s.keys = ks
		}
		s.issuer, s.fetchedAt = iss, now
	}
	close(s.inflight)
	s.inflight = nil
}

func (s *keySource) name() string {
	if s.discovery != "" {
		return s.discovery
	}
	return s.jwksURL
}

// load does the fetching: discovery (OIDC) and the JWKS.
func (s *keySource) load(ctx context.Context) (*keySet, string, *Error) {
	jwksURL, issuer := s.jwksURL, ""
	if s.discovery != "" {
		meta, err := s.discover(ctx)
		if err != nil {
			return nil, "", err
		}
		jwksURL, issuer = meta.JWKSURI, meta.Issuer
	}
	body, ferr := s.v.get(ctx, jwksURL)
	if ferr != nil {
		return nil, "", unauthenticated(CodeInvalidAuthHeader, fmt.Sprintf(
			"Could not fetch JWKS from URL '%s': %v. Check that the URL is correct and accessible.", jwksURL, ferr))
	}
	ks, err := parseJWKS(body)
	if err != nil {
		return nil, "", unauthenticated(CodeInvalidAuthHeader, fmt.Sprintf(
			"Invalid JWKS response body from '%s'. The response is not valid JSON or doesn't match the expected JWKS format: %v", jwksURL, err))
	}
	return ks, issuer, nil
}

type discoveryDoc struct {
	Issuer  string `json:"issuer"`
	JWKSURI string `json:"jwks_uri"`
}

func (s *keySource) discover(ctx context.Context) (*discoveryDoc, *Error) {
	fail := func(detail string) *Error {
		return badRequest(CodeDiscoveryFailed, fmt.Sprintf("Auth provider discovery of %s failed: %s", s.discovery, detail))
	}
	u := strings.TrimRight(s.discovery, "/") + "/.well-known/openid-configuration"
	body, err := s.v.get(ctx, u)
	if err != nil {
		return nil, fail(err.Error())
	}
	var doc discoveryDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fail(fmt.Sprintf("%s is not an OpenID configuration: %v", u, err))
	}
	if doc.JWKSURI == "" {
		return nil, fail(u + " names no jwks_uri")
	}
	if !sameIssuer(s.discovery, doc.Issuer) {
		return nil, fail(fmt.Sprintf("it names issuer %q, not %q", doc.Issuer, s.discovery))
	}
	return &doc, nil
}

// httpStatusError is a fetch answered with another status than 200.
type httpStatusError struct {
	status int
	body   string
}

func (e *httpStatusError) Error() string {
	return fmt.Sprintf("HTTP %d %s %s", e.status, http.StatusText(e.status), e.body)
}

// get fetches a JSON document, bounded in time (ctx) and size.
func (v *Verifier) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := v.opts.HTTPClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("no answer within %s", v.opts.FetchTimeout)
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxFetchBytes+1))
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("the response did not arrive within %s", v.opts.FetchTimeout)
		}
		return nil, fmt.Errorf("reading the response: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		snippet := string(body)
		if len(snippet) > 200 {
			snippet = snippet[:200]
		}
		return nil, &httpStatusError{status: resp.StatusCode, body: snippet}
	}
	if len(body) > maxFetchBytes {
		return nil, fmt.Errorf("the response is over %d bytes", maxFetchBytes)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && mt != "application/jwk-set+json") {
			return nil, fmt.Errorf("Invalid Content-Type '%s'. Expected 'application/json' or 'application/jwk-set+json'", ct)
		}
	}
	return body, nil
}

// sameKeys reports whether two key sets hold the same keys, so that a
// refresh that changed nothing keeps verified tokens remembered.
func sameKeys(a, b *keySet) bool {
	if len(a.keys) != len(b.keys) {
		return false
	}
	for i := range a.keys {
		x, y := &a.keys[i], &b.keys[i]
		if x.kid != y.kid || x.alg != y.alg {
			return false
		}
		switch {
		case x.rsa != nil:
			if y.rsa == nil || !x.rsa.Equal(y.rsa) {
				return false
			}
		case x.ec != nil:
			if y.ec == nil || !x.ec.Equal(y.ec) {
				return false
			}
		default:
			if y.ed == nil || !x.ed.Equal(y.ed) {
				return false
			}
		}
	}
	return true
}

// errOf returns e as an error, nil when e is nil.
func errOf(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}
