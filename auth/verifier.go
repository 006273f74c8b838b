package auth

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Options tunes a Verifier. Zero fields take the defaults.
type Options struct {
	// HTTPClient fetches discovery documents and key sets (default: a
	// client with FetchTimeout as its timeout).
	HTTPClient *http.Client
	// FetchTimeout bounds one discovery or JWKS fetch (default 10 s).
	FetchTimeout time.Duration
	// KeysTTL is how long fetched keys are used before they are fetched
	// again in the background (default 10 min).
	KeysTTL time.Duration
	// MinRefetch is the least time between two fetches caused by tokens
	// naming a key id the keys lack (default 5 s).
	MinRefetch time.Duration
	// ClockSkew is the tolerance on exp and nbf (default 5 s, as Convex).
	ClockSkew time.Duration
	// MaxTokenBytes caps a token's size (default 16 KiB).
	MaxTokenBytes int
	// MaxCachedTokens caps the verified tokens remembered (default 10000).
	MaxCachedTokens int
	// RedactErrors leaves provider lists and key ids out of messages, as
	// a Convex production deployment does.
	RedactErrors bool
	// Now is the clock (default time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.FetchTimeout <= 0 {
		o.FetchTimeout = defaultFetchTimeout
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: o.FetchTimeout}
	}
	if o.KeysTTL <= 0 {
		o.KeysTTL = defaultKeysTTL
	}
	if o.MinRefetch <= 0 {
		o.MinRefetch = defaultMinRefetch
	}
	if o.ClockSkew <= 0 {
		o.ClockSkew = defaultClockSkew
	}
	if o.MaxTokenBytes <= 0 {
		o.MaxTokenBytes = defaultMaxTokenBytes
	}
	if o.MaxCachedTokens <= 0 {
		o.MaxCachedTokens = defaultMaxCachedTokens
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Verifier verifies tokens against one auth config's providers. It is
// safe for concurrent use; build a new one when the config changes.
type Verifier struct {
	providers []Provider
	sources   []*keySource // per provider
	opts      Options
	log       *slog.Logger

	mu    sync.Mutex
	cache map[[32]byte]cached
}

// cached is a verified token: valid until its expiry, while the keys
// that verified it are still its provider's current keys.
type cached struct {
	id    *Identity
	until time.Time
	keys  *keySet
	src   *keySource
}

// New returns a Verifier for providers (see ParseConfig).
func New(providers []Provider, opts Options) (*Verifier, error) {
	v := &Verifier{providers: providers, opts: opts.withDefaults(), cache: map[[32]byte]cached{}}
	v.log = v.opts.Logger
	for _, p := range providers {
		var src *keySource
		switch {
		case !p.CustomJWT:
			src = &keySource{v: v, discovery: p.Issuer}
		case len(p.JWKS) > 5 && p.JWKS[:5] == "data:":
			data, err := decodeDataURI(p.JWKS)
			if err != nil {
				return nil, badRequest(CodeInvalidAuthConfig, "Invalid JWKS data URL: "+err.Error())
			}
			ks, err := parseJWKS(data)
			if err != nil {
				return nil, badRequest(CodeInvalidAuthConfig, fmt.Sprintf("the JWKS data URL of %s: %v", p, err))
			}
			src = staticSource(v, ks)
		default:
			src = &keySource{v: v, jwksURL: p.JWKS}
		}
		v.sources = append(v.sources, src)
	}
	return v, nil
}

// Providers returns the providers v verifies against.
func (v *Verifier) Providers() []Provider { return v.providers }

func (v *Verifier) now() time.Time { return v.opts.Now() }

// Verify checks a token and returns the identity it proves. A refused
// token is an *Error carrying Convex's code and message; a context that
// ends while keys are being fetched gives ctx's error.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Identity, error) {
	if len(raw) > v.opts.MaxTokenBytes {
		return nil, unauthenticated(CodeInvalidAuthHeader, fmt.Sprintf(
			"The token is %d bytes; at most %d are accepted.", len(raw), v.opts.MaxTokenBytes))
	}
	now := v.now()
	h := sha256.Sum256([]byte(raw))
	if id := v.lookup(h, now); id != nil {
		return id, nil
	}
	t, err := parseToken(raw)
	if err != nil {
		v.log.Debug("auth: a token is not a JWT", "err", err)
		return nil, unauthenticated(CodeInvalidAuthHeader,
			"Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots.")
	}
	if t.iss == "" {
		return nil, unauthenticated(CodeInvalidAuthHeader,
			"Missing issuer claim ('iss') in JWT payload. The JWT must include an 'iss' claim that matches one of your configured auth providers.")
	}
	idx := -1
	for i, p := range v.providers {
		if p.matches(t.aud, t.iss) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, noProviderError(v.providers, v.opts.RedactErrors)
	}
	p, src := v.providers[idx], v.sources[idx]
	var id *Identity
	var ks *keySet
	if p.CustomJWT {
		id, ks, err = v.verifyCustom(ctx, p, src, t, raw, now)
	} else {
		id, ks, err = v.verifyOIDC(ctx, p, src, t, raw, now)
	}
	if err != nil {
		return nil, err
	}
	v.remember(h, cached{id: id, until: id.Expires.Add(v.opts.ClockSkew), keys: ks, src: src}, now)
	return id, nil
}

// keysFor returns the keys that may verify t: the current ones, fetched
// again when they lack t's kid.
func keysFor(ctx context.Context, src *keySource, t *token) (*keySet, string, error) {
	ks, iss, err := src.get(ctx, t.kid)
	if err != nil {
		var ae *Error
		if errors.As(err, &ae) {
			return nil, "", ae
		}
		return nil, "", err
	}
	return ks, iss, nil
}

func (v *Verifier) verifyOIDC(ctx context.Context, p Provider, src *keySource, t *token, raw string, now time.Time) (*Identity, *keySet, error) {
	if t.sub == nil || t.exp == nil || t.iat == nil || len(t.aud) == 0 {
		return nil, nil, unauthenticated(CodeInvalidAuthHeader,
			"Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT. (An ID token needs iss, sub, aud, exp and iat.)")
	}
	ks, discoveredIss, err := keysFor(ctx, src, t)
	if err != nil {
		return nil, nil, err
	}
	fail := func(why string) error {
		return unauthenticated(CodeUnauthenticated,
			"Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired. ("+why+")")
	}
	switch {
	case t.alg != "RS256" && t.alg != "EdDSA":
		return nil, nil, fail(fmt.Sprintf("the token is signed with %q; OIDC tokens must be RS256 or EdDSA", t.alg))
	case t.crit:
		return nil, nil, fail("the token's header has crit extensions")
	case !ks.check(t):
		return nil, nil, fail(v.signatureReason(ks, t))
	case discoveredIss != "" && !sameIssuer(discoveredIss, t.iss):
		return nil, nil, fail(fmt.Sprintf("the token's issuer %q is not the provider's %q", t.iss, discoveredIss))
	}
	if why := v.timeProblem(t, now); why != "" {
		return nil, nil, fail(why)
	}
	id, err := oidcIdentity(t, raw)
	if err != nil {
		return nil, nil, fail(err.Error())
	}
	return id, ks, nil
}

func (v *Verifier) verifyCustom(ctx context.Context, p Provider, src *keySource, t *token, raw string, now time.Time) (*Identity, *keySet, error) {
	ks, _, err := keysFor(ctx, src, t)
	if err != nil {
		return nil, nil, err
	}
	if t.alg != p.Algorithm || t.crit || !ks.check(t) {
		why := v.signatureReason(ks, t)
		if t.alg != p.Algorithm {
			why = fmt.Sprintf("the token is signed with %q; this provider's algorithm is %s", t.alg, p.Algorithm)
		}
		return nil, nil, unauthenticated(CodeInvalidAuthHeader, v.decodeMessage(t)+" ("+why+")")
	}
	if why := v.timeProblem(t, now); why != "" {
		return nil, nil, unauthenticated(CodeInvalidAuthHeader, "Could not validate token: "+why)
	}
	switch {
	case t.sub == nil:
		return nil, nil, unauthenticated(CodeInvalidAuthHeader, "Missing subject")
	case t.exp == nil:
		return nil, nil, unauthenticated(CodeInvalidAuthHeader, "Missing expiry")
	}
	id, err := customIdentity(t, raw)
	if err != nil {
		return nil, nil, unauthenticated(CodeInvalidAuthHeader,
			"Could not verify token claim. Check that the JWT contains valid claims and matches your auth provider configuration. ("+err.Error()+")")
	}
	return id, ks, nil
}

// decodeMessage is Convex's message for a customJwt token whose
// signature did not verify.
func (v *Verifier) decodeMessage(t *token) string {
	switch {
	case t.kid == "":
		return "Could not decode token. JWT may be missing a 'kid' (key ID) header."
	case v.opts.RedactErrors:
		return "Could not decode token. The JWT's 'kid' (key ID) header doesn't match any key in the provider's JWKS, or the JWT signature is invalid."
	}
	return fmt.Sprintf("Could not decode token. The JWT's 'kid' (key ID) header is '%s', does this key match any key in the provider's JWKS?", t.kid)
}

// signatureReason says why a signature did not verify.
func (v *Verifier) signatureReason(ks *keySet, t *token) string {
	if t.crit {
		return "the token's header has crit extensions"
	}
	if t.kid != "" && !ks.hasKid(t.kid) {
		if v.opts.RedactErrors {
			return "no key of the provider has the token's key id"
		}
		return fmt.Sprintf("no key of the provider has key id %q", t.kid)
	}
	for i := range ks.keys {
		if (t.kid == "" || ks.keys[i].kid == t.kid) && ks.keys[i].fits(t.alg) {
			return "the signature is not valid"
		}
	}
	return fmt.Sprintf("no key of the provider verifies %q signatures", t.alg)
}

// timeProblem checks exp and nbf with the clock-skew tolerance.
func (v *Verifier) timeProblem(t *token, now time.Time) string {
	skew := v.opts.ClockSkew
	if t.exp != nil && !now.Before(t.exp.Add(skew)) {
		return fmt.Sprintf("Token expired %d seconds ago", int64(now.Sub(*t.exp)/time.Second))
	}
	if t.nbf != nil && now.Add(skew).Before(*t.nbf) {
		return fmt.Sprintf("Token will be valid in %d seconds", int64(t.nbf.Sub(now)/time.Second))
	}
	return ""
}

// lookup returns the remembered identity of a token hash, if still valid.
func (v *Verifier) lookup(h [32]byte, now time.Time) *Identity {
	v.mu.Lock()
	c, ok := v.cache[h]
	v.mu.Unlock()
	if !ok || !now.Before(c.until) {
		return nil
	}
	c.src.mu.Lock()
	current := c.src.keys == c.keys
	c.src.mu.Unlock()
	if !current {
		return nil
	}
	return c.id
}

// remember keeps a verified token; when full, expired entries go first,
// then arbitrary ones.
func (v *Verifier) remember(h [32]byte, c cached, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.cache) >= v.opts.MaxCachedTokens {
		for k, e := range v.cache {
			if !now.Before(e.until) {
				delete(v.cache, k)
			}
		}
		for k := range v.cache {
			if len(v.cache) < v.opts.MaxCachedTokens {
				break
			}
			delete(v.cache, k)
		}
	}
	v.cache[h] = c
}
