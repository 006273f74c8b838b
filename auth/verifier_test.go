package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

func newVerifier(t testing.TB, cfg string, opts Options) *Verifier {
	t.Helper()
	ps, err := ParseConfig([]byte(cfg))
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	v, err := New(ps, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return v
}

func oidcConfig(is *testIssuer) string {
	return `{"providers":[{"domain":"` + is.url() + `","applicationID":"app"}]}`
}

func customConfig(is *testIssuer, alg, app string) string {
	appField := ""
	if app != "" {
		appField = `,"applicationID":"` + app + `"`
	}
	return `{"providers":[{"type":"customJwt","issuer":"` + is.url() + `","jwks":"` + is.url() + `/jwks.json","algorithm":"` + alg + `"` + appField + `}]}`
}

func authError(t *testing.T, err error) *Error {
	t.Helper()
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *auth.Error", err, err)
	}
	return ae
}

func TestVerifierAcceptsValidTokensAndBuildsConvexIdentities(t *testing.T) {
	now := time.Now()
	rs, es, ed := rsaKey(t, 0, "r1"), ecKey(t, 0, "e1"), edKey(t, 0, "d1")
	is := newIssuer(t, rs, es, ed)
	tests := []struct {
		name   string
		cfg    string
		key    *testKey
		extra  map[string]any
		want   map[string]any
		absent []string
	}{
		{"an RS256 OIDC token gives tokenIdentifier, the standard claims renamed and custom claims",
			oidcConfig(is), rs,
			map[string]any{"name": "Ada", "email": "ada@example.com", "email_verified": true, "picture": "https://p/x.png",
				"given_name": "Ada", "updated_at": 0, "org": map[string]any{"id": 7}, "roles": []string{"a"}, "jti": "x", "nonce": "n"},
			map[string]any{"tokenIdentifier": is.url() + "|user-1", "subject": "user-1", "issuer": is.url(), "name": "Ada",
				"email": "ada@example.com", "emailVerified": true, "pictureUrl": "https://p/x.png", "givenName": "Ada",
				"updatedAt": "1970-01-01T00:00:00Z", "org": map[string]any{"id": float64(7)}, "roles": []any{"a"}},
			[]string{"aud", "iat", "exp", "jti", "nonce", "picture", "email_verified"}},
		{"an EdDSA OIDC token is accepted", oidcConfig(is), ed, nil,
			map[string]any{"tokenIdentifier": is.url() + "|user-1"}, nil},
		{"a customJwt RS256 token flattens nested custom claims",
			customConfig(is, "RS256", "app"), rs,
			map[string]any{"org": map[string]any{"id": "o1", "role": map[string]any{"name": "admin"}}, "fva": []int{1, 2}, "name": "Ada"},
			map[string]any{"tokenIdentifier": is.url() + "|user-1", "org.id": "o1", "org.role.name": "admin", "name": "Ada"},
			[]string{"org", "fva", "aud", "iat", "exp"}},
		{"a customJwt ES256 token without applicationID accepts any audience",
			customConfig(is, "ES256", ""), es, map[string]any{"aud": "something-else"},
			map[string]any{"subject": "user-1"}, nil},
		{"a customJwt token without an audience is accepted when the provider names none",
			customConfig(is, "ES256", ""), es, map[string]any{"aud": nil},
			map[string]any{"subject": "user-1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, tt.cfg, Options{})
			tok := tt.key.sign(t, is.claims(now, tt.extra), nil)
			id, err := v.Verify(context.Background(), tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			var got map[string]any
			if err := json.Unmarshal(id.JSON, &got); err != nil {
				t.Fatalf("identity JSON %s: %v", id.JSON, err)
			}
			for k, want := range tt.want {
				gj, _ := json.Marshal(got[k])
				wj, _ := json.Marshal(want)
				if string(gj) != string(wj) {
					t.Errorf("%s = %s, want %s (identity %s)", k, gj, wj, id.JSON)
				}
			}
			for _, k := range tt.absent {
				if _, ok := got[k]; ok {
					t.Errorf("%s must not be in the identity %s", k, id.JSON)
				}
			}
			if id.Token != tok || id.Expires.Unix() != now.Add(time.Hour).Unix() || id.Key == "" {
				t.Errorf("identity %+v", id)
			}
		})
	}
}

func TestVerifierRefusesBadTokensWithConvexMessages(t *testing.T) {
	now := time.Now().Truncate(time.Second)
	rs, other := rsaKey(t, 0, "r1"), rsaKey(t, 1, "r1")
	es := ecKey(t, 0, "e1")
	is := newIssuer(t, rs, es)
	rsDup := &testKey{kid: "r1", alg: "RS256", rsa: rs.rsa}
	none := func() string {
		h := enc([]byte(`{"alg":"none","typ":"JWT"}`))
		c, _ := json.Marshal(is.claims(now, nil))
		return h + "." + enc(c) + "."
	}
	hs256 := func() string {
		// An HMAC token "signed" with the RSA public key: algorithm confusion.
		h := enc([]byte(`{"alg":"HS256","kid":"r1"}`))
		c, _ := json.Marshal(is.claims(now, nil))
		return h + "." + enc(c) + "." + enc([]byte("forged"))
	}
	tamper := func(tok string) string {
		parts := strings.Split(tok, ".")
		c, _ := json.Marshal(is.claims(now, map[string]any{"sub": "admin"}))
		return parts[0] + "." + enc(c) + "." + parts[2]
	}
	tests := []struct {
		name, cfg, token, code, message string
	}{
		{"an expired OIDC token", oidcConfig(is), rs.sign(t, is.claims(now, map[string]any{"exp": now.Add(-time.Minute).Unix()}), nil),
			CodeUnauthenticated, "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired. (Token expired 60 seconds ago)"},
		{"an expired customJwt token", customConfig(is, "RS256", "app"), rs.sign(t, is.claims(now, map[string]any{"exp": now.Add(-time.Minute).Unix()}), nil),
			CodeInvalidAuthHeader, "Could not validate token: Token expired 60 seconds ago"},
		{"a token not valid yet", customConfig(is, "RS256", "app"), rs.sign(t, is.claims(now, map[string]any{"nbf": now.Add(time.Minute).Unix()}), nil),
			CodeInvalidAuthHeader, "Could not validate token: Token will be valid in 60 seconds"},
		{"a token for another audience", oidcConfig(is), rs.sign(t, is.claims(now, map[string]any{"aud": "other"}), nil),
			CodeNoAuthProvider, "No auth provider found matching the given token. Check that your JWT's issuer and audience match one of your configured providers: [OIDC(domain=" + is.url() + ", app_id=app)]"},
		{"a token of another issuer", oidcConfig(is), rs.sign(t, is.claims(now, map[string]any{"iss": "https://evil.example.com"}), nil),
			CodeNoAuthProvider, "No auth provider found matching the given token. Check"},
		{"a token when no provider is configured", `{"providers":[]}`, rs.sign(t, is.claims(now, nil), nil),
			CodeNoAuthProvider, "No auth provider found matching the given token (no providers configured). Check convex/auth.config.ts."},
		{"an OIDC token with a bad signature", oidcConfig(is), other.sign(t, is.claims(now, nil), nil),
			CodeUnauthenticated, "Could not verify OIDC token claim. Check that the token signature is valid and the token hasn't expired. (the signature is not valid)"},
		{"a customJwt token with a bad signature", customConfig(is, "RS256", "app"), other.sign(t, is.claims(now, nil), nil),
			CodeInvalidAuthHeader, "Could not decode token. The JWT's 'kid' (key ID) header is 'r1', does this key match any key in the provider's JWKS? (the signature is not valid)"},
		{"a token whose claims were changed after signing", oidcConfig(is), tamper(rsDup.sign(t, is.claims(now, nil), nil)),
			CodeUnauthenticated, "(the signature is not valid)"},
		{"a token naming an unknown key id", customConfig(is, "RS256", "app"), rs.sign(t, is.claims(now, nil), map[string]any{"kid": "nope"}),
			CodeInvalidAuthHeader, "Could not decode token. The JWT's 'kid' (key ID) header is 'nope', does this key match any key in the provider's JWKS? (no key of the provider has key id \"nope\")"},
		{"an OIDC token naming an unknown key id", oidcConfig(is), rs.sign(t, is.claims(now, nil), map[string]any{"kid": "nope"}),
			CodeUnauthenticated, `(no key of the provider has key id "nope")`},
		{"alg none", oidcConfig(is), none(), CodeUnauthenticated, `(the token is signed with "none"; OIDC tokens must be RS256 or EdDSA)`},
		{"alg none for a customJwt provider", customConfig(is, "RS256", "app"), none(), CodeInvalidAuthHeader, `the token is signed with "none"; this provider's algorithm is RS256`},
		{"an HMAC token keyed with the public key", customConfig(is, "RS256", "app"), hs256(), CodeInvalidAuthHeader, `the token is signed with "HS256"`},
		{"an ES256 token for an RS256 provider", customConfig(is, "RS256", "app"), es.sign(t, is.claims(now, nil), nil), CodeInvalidAuthHeader, `the token is signed with "ES256"; this provider's algorithm is RS256`},
		{"an ES256 OIDC token (Convex takes RS256 and EdDSA)", oidcConfig(is), es.sign(t, is.claims(now, nil), nil), CodeUnauthenticated, `the token is signed with "ES256"`},
		{"an RS256 signature under an ES256 header", customConfig(is, "ES256", "app"), rs.sign(t, is.claims(now, nil), map[string]any{"alg": "ES256", "kid": "e1"}), CodeInvalidAuthHeader, "(the signature is not valid)"},
		{"a token with crit extensions", oidcConfig(is), rs.sign(t, is.claims(now, nil), map[string]any{"crit": []string{"exp"}}), CodeUnauthenticated, "crit"},
		{"an OIDC token without iat", oidcConfig(is), rs.sign(t, is.claims(now, map[string]any{"iat": nil}), nil), CodeInvalidAuthHeader, "Could not parse as OIDC ID token. Token might not be an OIDC-compliant JWT."},
		{"a customJwt token without sub", customConfig(is, "RS256", "app"), rs.sign(t, is.claims(now, map[string]any{"sub": nil}), nil), CodeInvalidAuthHeader, "Missing subject"},
		{"a customJwt token without exp", customConfig(is, "RS256", "app"), rs.sign(t, is.claims(now, map[string]any{"exp": nil}), nil), CodeInvalidAuthHeader, "Missing expiry"},
		{"a token without iss", oidcConfig(is), rs.sign(t, is.claims(now, map[string]any{"iss": nil}), nil), CodeInvalidAuthHeader, "Missing issuer claim ('iss') in JWT payload."},
		{"garbage", oidcConfig(is), "garbage", CodeInvalidAuthHeader, "Could not parse JWT payload. Check that the token is a valid JWT format with three base64-encoded parts separated by dots."},
		{"a payload that is not JSON", oidcConfig(is), "eyJhbGciOiJSUzI1NiJ9." + enc([]byte("not json")) + ".c2ln", CodeInvalidAuthHeader, "Could not parse JWT payload."},
		{"five parts (a JWE)", oidcConfig(is), "a.b.c.d.e", CodeInvalidAuthHeader, "Could not parse JWT payload."},
		{"an oversized token", oidcConfig(is), strings.Repeat("a", 20000), CodeInvalidAuthHeader, "The token is 20000 bytes; at most 16384 are accepted."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, tt.cfg, Options{Now: func() time.Time { return now }})
			id, err := v.Verify(context.Background(), tt.token)
			if err == nil {
				t.Fatalf("accepted as %s", id.JSON)
			}
			ae := authError(t, err)
			if ae.Code != tt.code || !strings.Contains(ae.Message, tt.message) || ae.Status != http.StatusUnauthorized {
				t.Fatalf("got %d %s %q\nwant 401 %s containing %q", ae.Status, ae.Code, ae.Message, tt.code, tt.message)
			}
		})
	}
}

func TestVerifierToleratesClockSkewOfFiveSeconds(t *testing.T) {
	now := time.Now()
	rs := rsaKey(t, 0, "r1")
	is := newIssuer(t, rs)
	v := newVerifier(t, oidcConfig(is), Options{Now: func() time.Time { return now }})
	justExpired := rs.sign(t, is.claims(now, map[string]any{"exp": now.Add(-3 * time.Second).Unix()}), nil)
	if _, err := v.Verify(context.Background(), justExpired); err != nil {
		t.Fatalf("a token expired 3 s ago is within the skew: %v", err)
	}
	notYet := rs.sign(t, is.claims(now, map[string]any{"nbf": now.Add(3 * time.Second).Unix()}), nil)
	if _, err := v.Verify(context.Background(), notYet); err != nil {
		t.Fatalf("a token valid in 3 s is within the skew: %v", err)
	}
}

func TestVerifierFetchesKeysOnceAndRemembersVerifiedTokens(t *testing.T) {
	c := &clock{now: time.Now()}
	rs := rsaKey(t, 0, "r1")
	is := newIssuer(t, rs)
	v := newVerifier(t, oidcConfig(is), Options{Now: c.Now})
	tok := rs.sign(t, is.claims(c.Now(), map[string]any{"exp": c.Now().Add(time.Minute).Unix()}), nil)
	var first *Identity
	for i := range 5 {
		id, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = id
		} else if id != first {
			t.Fatalf("a remembered token returns the identity it was verified as")
		}
	}
	if is.jwksHits.Load() != 1 || is.discHits.Load() != 1 {
		t.Fatalf("discovery %d, JWKS %d fetches; want 1 each", is.discHits.Load(), is.jwksHits.Load())
	}
	c.advance(2 * time.Minute)
	if _, err := v.Verify(context.Background(), tok); err == nil {
		t.Fatal("a remembered token is refused once it expires")
	}
}

func TestVerifierFollowsKeyRotationOnUnknownKid(t *testing.T) {
	c := &clock{now: time.Now()}
	old, fresh := rsaKey(t, 0, "old"), rsaKey(t, 1, "new")
	is := newIssuer(t, old)
	v := newVerifier(t, customConfig(is, "RS256", "app"), Options{Now: c.Now, MinRefetch: time.Second})
	ctx := context.Background()
	oldTok := old.sign(t, is.claims(c.Now(), nil), nil)
	if _, err := v.Verify(ctx, oldTok); err != nil {
		t.Fatal(err)
	}
	is.rotate(fresh)
	newTok := fresh.sign(t, is.claims(c.Now(), nil), nil)
	if _, err := v.Verify(ctx, newTok); err == nil {
		t.Fatal("within MinRefetch of the last fetch, an unknown kid is not fetched again")
	}
	c.advance(2 * time.Second)
	if _, err := v.Verify(ctx, newTok); err != nil {
		t.Fatalf("an unknown kid fetches the rotated keys: %v", err)
	}
	if _, err := v.Verify(ctx, oldTok); err == nil {
		t.Fatal("a remembered token of a retired key is verified again, and refused")
	}
	hits := is.jwksHits.Load()
	for range 20 {
		_, _ = v.Verify(ctx, old.sign(t, is.claims(c.Now(), nil), map[string]any{"kid": "bogus"}))
	}
	if got := is.jwksHits.Load() - hits; got > 1 {
		t.Fatalf("a flood of unknown kids fetched the keys %d times; at most once per MinRefetch", got)
	}
}

func TestVerifierBoundsAndBacksOffBrokenKeyEndpoints(t *testing.T) {
	now := time.Now()
	rs := rsaKey(t, 0, "r1")
	tests := []struct {
		name, mode, cfgKind, code, message string
	}{
		{"a JWKS endpoint that hangs times out", "hang", "custom", CodeInvalidAuthHeader, "Could not fetch JWKS from URL"},
		{"a JWKS endpoint that returns garbage", "garbage", "custom", CodeInvalidAuthHeader, "Invalid JWKS response body from"},
		{"a JWKS endpoint that fails", "500", "custom", CodeInvalidAuthHeader, "HTTP 500 Internal Server Error"},
		{"a discovery endpoint that hangs times out", "hang", "oidc", CodeDiscoveryFailed, "Auth provider discovery of"},
		{"a discovery document of another issuer", "wrongIssuer", "oidc", CodeDiscoveryFailed, `it names issuer "https://elsewhere.example.com"`},
		{"a discovery endpoint that returns garbage", "garbage", "oidc", CodeDiscoveryFailed, "is not an OpenID configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := newIssuer(t, rs)
			is.mode.Store(tt.mode)
			cfg := oidcConfig(is)
			if tt.cfgKind == "custom" {
				cfg = customConfig(is, "RS256", "app")
			}
			v := newVerifier(t, cfg, Options{FetchTimeout: 200 * time.Millisecond})
			tok := rs.sign(t, is.claims(now, nil), nil)
			start := time.Now()
			_, err := v.Verify(context.Background(), tok)
			if err == nil {
				t.Fatal("accepted")
			}
			ae := authError(t, err)
			if ae.Code != tt.code || !strings.Contains(ae.Message, tt.message) {
				t.Fatalf("got %s %q, want %s containing %q", ae.Code, ae.Message, tt.code, tt.message)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("verification took %s: the fetch timeout must bound it", time.Since(start))
			}
			hits := is.jwksHits.Load() + is.discHits.Load()
			for range 10 {
				if _, err := v.Verify(context.Background(), tok); err == nil {
					t.Fatal("accepted while the endpoint is broken")
				}
			}
			if more := is.jwksHits.Load() + is.discHits.Load() - hits; more != 0 {
				t.Fatalf("%d more fetches while backing off", more)
			}
		})
	}
}

func TestVerifierRecoversAfterBackoff(t *testing.T) {
	c := &clock{now: time.Now()}
	rs := rsaKey(t, 0, "r1")
	is := newIssuer(t, rs)
	is.mode.Store("500")
	v := newVerifier(t, customConfig(is, "RS256", "app"), Options{Now: c.Now})
	tok := rs.sign(t, is.claims(c.Now(), nil), nil)
	if _, err := v.Verify(context.Background(), tok); err == nil {
		t.Fatal("accepted")
	}
	is.mode.Store("")
	if _, err := v.Verify(context.Background(), tok); err == nil {
		t.Fatal("during the backoff the last error is returned")
	}
	c.advance(2 * time.Second)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("after the backoff the keys are fetched again: %v", err)
	}
}

func TestVerifierReadsKeysFromADataURI(t *testing.T) {
	now := time.Now()
	es := ecKey(t, 0, "")
	set, _ := json.Marshal(map[string]any{"keys": []any{es.jwk()}})
	for _, uri := range []string{
		"data:application/json;base64," + base64.StdEncoding.EncodeToString(set),
		"data:application/json," + string(set),
	} {
		cfg := `{"providers":[{"type":"customJwt","issuer":"https://auth.example.com","jwks":` + mustJSON(uri) + `,"algorithm":"ES256"}]}`
		v := newVerifier(t, cfg, Options{})
		tok := es.sign(t, map[string]any{"iss": "https://auth.example.com", "sub": "u", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix()}, nil)
		id, err := v.Verify(context.Background(), tok)
		if err != nil {
			t.Fatalf("%s: %v", uri[:40], err)
		}
		if id.TokenIdentifier != "https://auth.example.com|u" {
			t.Fatalf("tokenIdentifier %q", id.TokenIdentifier)
		}
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestParseConfigRefusesWhatConvexRefuses(t *testing.T) {
	tests := []struct{ name, cfg, code string }{
		{"an HS256 customJwt", `{"providers":[{"type":"customJwt","issuer":"https://a.example.com","jwks":"https://a.example.com/j","algorithm":"HS256"}]}`, CodeInvalidAlgorithm},
		{"a domain that is not a URL", `{"providers":[{"domain":"not a url","applicationID":"x"}]}`, CodeInvalidProviderURL},
		{"a quoted domain", `{"providers":[{"domain":"\"https://a.example.com\"","applicationID":"x"}]}`, CodeInvalidProviderURL},
		{"an OIDC provider without applicationID", `{"providers":[{"domain":"https://a.example.com"}]}`, CodeInvalidAuthConfig},
		{"a jwks that is neither a URL nor a data URI", `{"providers":[{"type":"customJwt","issuer":"https://a.example.com","jwks":"file:///etc/passwd","algorithm":"RS256"}]}`, CodeInvalidAuthConfig},
		{"an unknown provider type", `{"providers":[{"type":"saml"}]}`, CodeInvalidAuthConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfig([]byte(tt.cfg))
			if err == nil {
				t.Fatal("accepted")
			}
			if ae := authError(t, err); ae.Code != tt.code || ae.Status != http.StatusBadRequest {
				t.Fatalf("got %d %s %q, want 400 %s", ae.Status, ae.Code, ae.Message, tt.code)
			}
		})
	}
	ps, err := ParseConfig([]byte(`{"providers":[{"domain":"clerk.example.com","applicationID":"convex"},{"type":"customJwt","issuer":"https://a.example.com","jwks":"https://a.example.com/j","algorithm":"RS256"}]}`))
	if err != nil || len(ps) != 2 || ps[0].Issuer != "https://clerk.example.com" || ps[1].HasApplicationID {
		t.Fatalf("got %+v, %v", ps, err)
	}
}

func TestActingAsBuildsTheIdentityAnAdminActsAs(t *testing.T) {
	id, err := ActingAs([]byte(`{"issuer":"https://i","subject":"s","name":"N"}`))
	if err != nil || id.TokenIdentifier != "https://i|s" || !strings.Contains(string(id.JSON), `"name":"N"`) {
		t.Fatalf("got %+v, %v", id, err)
	}
	if _, err := ActingAs([]byte(`{"name":"N"}`)); err == nil {
		t.Fatal("an identity without tokenIdentifier or issuer and subject is refused")
	}
}
