package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testKey is a signing key of the test issuer.
type testKey struct {
	kid string
	alg string
	rsa *rsa.PrivateKey
	ec  *ecdsa.PrivateKey
	ed  ed25519.PrivateKey
}

var (
	keyOnce  sync.Once
	rsaKeys  []*rsa.PrivateKey
	ecKeys   []*ecdsa.PrivateKey
	edKeys   []ed25519.PrivateKey
	keyError error
)

// keys generates the test keys once per test binary (RSA is slow).
func keys(t testing.TB) {
	keyOnce.Do(func() {
		for range 2 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				keyError = err
				return
			}
			rsaKeys = append(rsaKeys, k)
			e, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			ecKeys = append(ecKeys, e)
			_, d, _ := ed25519.GenerateKey(rand.Reader)
			edKeys = append(edKeys, d)
		}
	})
	if keyError != nil {
		t.Fatal(keyError)
	}
}

func rsaKey(t testing.TB, i int, kid string) *testKey {
	keys(t)
	return &testKey{kid: kid, alg: "RS256", rsa: rsaKeys[i]}
}

func ecKey(t testing.TB, i int, kid string) *testKey {
	keys(t)
	return &testKey{kid: kid, alg: "ES256", ec: ecKeys[i]}
}

func edKey(t testing.TB, i int, kid string) *testKey {
	keys(t)
	return &testKey{kid: kid, alg: "EdDSA", ed: edKeys[i]}
}

func enc(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (k *testKey) jwk() map[string]any {
	m := map[string]any{"kid": k.kid, "use": "sig"}
	switch {
	case k.rsa != nil:
		m["kty"], m["alg"] = "RSA", "RS256"
		m["n"] = enc(k.rsa.N.Bytes())
		m["e"] = enc([]byte{1, 0, 1})
	case k.ec != nil:
		m["kty"], m["crv"] = "EC", "P-256"
		pub, _ := k.ec.PublicKey.Bytes()
		m["x"], m["y"] = enc(pub[1:33]), enc(pub[33:])
	default:
		m["kty"], m["crv"] = "OKP", "Ed25519"
		m["x"] = enc(k.ed.Public().(ed25519.PublicKey))
	}
	if k.kid == "" {
		delete(m, "kid")
	}
	return m
}

// sign makes a compact JWS of claims with k (alg overrides the header's).
func (k *testKey) sign(t testing.TB, claims map[string]any, header map[string]any) string {
	h := map[string]any{"alg": k.alg, "typ": "JWT"}
	if k.kid != "" {
		h["kid"] = k.kid
	}
	for n, v := range header {
		if v == nil {
			delete(h, n)
		} else {
			h[n] = v
		}
	}
	hb, _ := json.Marshal(h)
	cb, _ := json.Marshal(claims)
	signed := enc(hb) + "." + enc(cb)
	var sig []byte
	digest := sha256.Sum256([]byte(signed))
	switch {
	case k.rsa != nil:
		s, err := rsa.SignPKCS1v15(rand.Reader, k.rsa, crypto.SHA256, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = s
	case k.ec != nil:
		r, s, err := ecdsa.Sign(rand.Reader, k.ec, digest[:])
		if err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		r.FillBytes(sig[:32])
		s.FillBytes(sig[32:])
	default:
		sig = ed25519.Sign(k.ed, []byte(signed))
	}
	return signed + "." + enc(sig)
}

// testIssuer is an OIDC provider for tests: discovery, a JWKS whose keys
// can be rotated, and misbehaviours on demand.
type testIssuer struct {
	srv        *httptest.Server
	mu         sync.Mutex
	keys       []*testKey
	jwksHits   atomic.Int32
	discHits   atomic.Int32
	mode       atomic.Value // "", "hang", "garbage", "500", "wrongIssuer"
	hangCancel chan struct{}
}

func newIssuer(t testing.TB, ks ...*testKey) *testIssuer {
	is := &testIssuer{keys: ks, hangCancel: make(chan struct{})}
	is.mode.Store("")
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		is.discHits.Add(1)
		if is.misbehave(w, r) {
			return
		}
		iss := is.url()
		if is.mode.Load() == "wrongIssuer" {
			iss = "https://elsewhere.example.com"
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"issuer": iss, "jwks_uri": is.url() + "/jwks.json"})
	})
	mux.HandleFunc("/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		is.jwksHits.Add(1)
		if is.misbehave(w, r) {
			return
		}
		is.mu.Lock()
		var set []map[string]any
		for _, k := range is.keys {
			set = append(set, k.jwk())
		}
		is.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": set})
	})
	is.srv = httptest.NewServer(mux)
	t.Cleanup(func() {
		close(is.hangCancel)
		is.srv.Close()
	})
	return is
}

func (is *testIssuer) url() string { return is.srv.URL }

func (is *testIssuer) misbehave(w http.ResponseWriter, r *http.Request) bool {
	switch is.mode.Load() {
	case "hang":
		select {
		case <-r.Context().Done():
		case <-is.hangCancel:
		}
		return true
	case "garbage":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("<html>not json"))
		return true
	case "500":
		http.Error(w, "down", http.StatusInternalServerError)
		return true
	}
	return false
}

func (is *testIssuer) rotate(ks ...*testKey) {
	is.mu.Lock()
	is.keys = ks
	is.mu.Unlock()
}

// claims returns standard claims for the issuer, valid for an hour.
func (is *testIssuer) claims(now time.Time, extra map[string]any) map[string]any {
	c := map[string]any{"iss": is.url(), "sub": "user-1", "aud": "app", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// clock is a settable test clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
