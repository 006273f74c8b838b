// Package auth owns user authentication: it reads the providers of a
// deployment's auth.config.js (OIDC providers found by discovery, and
// customJwt providers with a JWKS URL or data: URI), verifies the JWTs the
// official clients send (setAuth over the WebSocket, Authorization: Bearer
// over HTTP) and turns a verified token into the identity
// ctx.auth.getUserIdentity() returns.
//
// Verification follows Convex's rules and messages: a token is routed to
// the first provider whose issuer (and application ID, when the provider
// has one) it names; its signature is checked with the provider's published
// keys (RS256 or EdDSA for OIDC providers, the configured RS256 or ES256
// for customJwt ones — never "none", never an HMAC); exp and nbf are
// checked with a small clock-skew tolerance.
//
// Keys are fetched once and cached; a token naming an unknown key id makes
// the keys be fetched again (at most once per MinRefetch); a provider
// whose endpoint fails is retried with exponential backoff, and every
// fetch has a timeout, so a hanging or broken endpoint delays a
// verification by at most FetchTimeout and then fails fast. Verified
// tokens are remembered (by hash, until they expire, while the keys that
// verified them are current) so that a warm verification costs a hash and
// a map lookup.
package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"
)

// Error codes of refused tokens, as Convex names them.
const (
	CodeInvalidAuthHeader    = "InvalidAuthHeader"
	CodeUnauthenticated      = "Unauthenticated"
	CodeNoAuthProvider       = "NoAuthProvider"
	CodeDiscoveryFailed      = "AuthProviderDiscoveryFailed"
	CodeInvalidAuthConfig    = "InvalidAuthConfig"
	CodeInvalidAlgorithm     = "InvalidSignatureAlgorithm"
	CodeInvalidProviderURL   = "InvalidProviderDomainUrl"
	CodeTokenExpired         = "TokenExpired"
	expiredIdentityMessage   = "Convex token identity expired"
	defaultMaxTokenBytes     = 16 << 10
	defaultFetchTimeout      = 10 * time.Second
	defaultMinRefetch        = 5 * time.Second
	defaultKeysTTL           = 10 * time.Minute
	defaultClockSkew         = 5 * time.Second
	defaultMaxCachedTokens   = 10000
	maxFetchBytes            = 1 << 20
	maxKeysPerSet            = 100
	maxBackoff               = 5 * time.Minute
	firstBackoff             = time.Second
	identityKeyPrefix        = "user:"
	actingIdentityKeyPrefix  = "acting:"
	tokenIdentifierSeparator = "|"
)

// Error is a refused token or auth config. Status is the HTTP status it
// answers with (401 for refused tokens, 400 for a provider that could not
// be discovered or a config that is not valid), Code Convex's short code,
// Message what the caller is told.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func unauthenticated(code, msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: code, Message: msg}
}

func badRequest(code, msg string) *Error {
	return &Error{Status: http.StatusBadRequest, Code: code, Message: msg}
}

// ExpiredError is the error of an identity whose token expired during a
// session, as Convex words it.
func ExpiredError() *Error {
	return unauthenticated(CodeTokenExpired, expiredIdentityMessage)
}

// Identity is a verified user. It is immutable once returned.
type Identity struct {
	// TokenIdentifier is "<issuer>|<subject>".
	TokenIdentifier string
	Subject         string
	Issuer          string
	// Expires is when the token stops being valid (zero: never, for an
	// identity an admin acts as).
	Expires time.Time
	// JSON is the UserIdentity object ctx.auth.getUserIdentity() returns:
	// tokenIdentifier, subject, issuer, the standard claims under Convex's
	// names and the custom claims at the top level.
	JSON []byte
	// Key tells identities apart: two identities with the same Key see
	// the same getUserIdentity() result.
	Key string
	// Token is the raw token the identity was verified from ("" for an
	// identity an admin acts as).
	Token string
}

// Expired reports whether the identity's token has expired at now.
func (id *Identity) Expired(now time.Time) bool {
	return id != nil && !id.Expires.IsZero() && !now.Before(id.Expires)
}

func identityKey(prefix string, js []byte) string {
	h := sha256.Sum256(js)
	return prefix + hex.EncodeToString(h[:16])
}
