// Command auth measures what verifying a user's token costs a request
// once the provider's keys are cached: a token seen before (remembered
// until it expires), and a token never seen before (parsed, its signature
// checked, its identity built), for RS256 (OIDC discovery + JWKS) and
// ES256 (customJwt) — beside the bare signature check with crypto/rsa and
// crypto/ecdsa measured in the same run, the least any verification costs.
//
//	go run ./bench/auth [-n 4000]
package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"time"

	"hull/auth"
	"hull/bench/internal/benchutil"
)

// floor is the most a request may spend verifying its token with the
// provider's keys cached.
const floor = 100 * time.Microsecond

var enc = base64.RawURLEncoding.EncodeToString

type signer struct {
	alg, kid string
	rsa      *rsa.PrivateKey
	ec       *ecdsa.PrivateKey
}

func (s *signer) jwk() map[string]any {
	if s.rsa != nil {
		return map[string]any{"kty": "RSA", "kid": s.kid, "alg": "RS256", "use": "sig", "n": enc(s.rsa.N.Bytes()), "e": enc(big.NewInt(int64(s.rsa.E)).Bytes())}
	}
	pub, _ := s.ec.PublicKey.Bytes()
	return map[string]any{"kty": "EC", "kid": s.kid, "crv": "P-256", "use": "sig", "x": enc(pub[1:33]), "y": enc(pub[33:])}
}

func (s *signer) sign(claims map[string]any) string {
	h, _ := json.Marshal(map[string]any{"alg": s.alg, "kid": s.kid, "typ": "JWT"})
	c, _ := json.Marshal(claims)
	signed := enc(h) + "." + enc(c)
	d := sha256.Sum256([]byte(signed))
	if s.rsa != nil {
		sig, err := rsa.SignPKCS1v15(rand.Reader, s.rsa, crypto.SHA256, d[:])
		must(err)
		return signed + "." + enc(sig)
	}
	r, ss, err := ecdsa.Sign(rand.Reader, s.ec, d[:])
	must(err)
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	ss.FillBytes(sig[32:])
	return signed + "." + enc(sig)
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/auth:", err)
		os.Exit(1)
	}
}

func main() {
	n := flag.Int("n", 4000, "verifications per row")
	flag.Parse()
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	rs := &signer{alg: "RS256", kid: "r1", rsa: rk}
	es := &signer{alg: "ES256", kid: "e1", ec: ek}

	var url string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			_ = json.NewEncoder(w).Encode(map[string]any{"issuer": url, "jwks_uri": url + "/jwks"})
		default:
			_ = json.NewEncoder(w).Encode(map[string]any{"keys": []any{rs.jwk(), es.jwk()}})
		}
	}))
	defer srv.Close()
	url = srv.URL
	cfg := fmt.Sprintf(`{"providers":[{"domain":%q,"applicationID":"app"},{"type":"customJwt","issuer":"https://custom.example.com","jwks":%q,"algorithm":"ES256"}]}`, url, url+"/jwks")
	providers, err := auth.ParseConfig([]byte(cfg))
	must(err)
	v, err := auth.New(providers, auth.Options{Logger: slog.New(slog.DiscardHandler)})
	must(err)

	now := time.Now()
	claims := func(iss string, i int) map[string]any {
		return map[string]any{"iss": iss, "sub": fmt.Sprintf("user-%d", i), "aud": "app", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"name": "Ada Lovelace", "email": "ada@example.com", "email_verified": true, "org": map[string]any{"id": "o1", "role": "admin"}}
	}
	fmt.Fprintf(os.Stderr, "signing %d tokens of each kind...\n", *n)
	rsTokens, esTokens := make([]string, *n), make([]string, *n)
	for i := range *n {
		rsTokens[i] = rs.sign(claims(url, i))
		esTokens[i] = es.sign(claims("https://custom.example.com", i))
	}
	ctx := context.Background()
	// Warm the key caches.
	_, err = v.Verify(ctx, rsTokens[0])
	must(err)
	_, err = v.Verify(ctx, esTokens[0])
	must(err)

	measure := func(f func(i int)) []time.Duration {
		out := make([]time.Duration, *n)
		for i := range *n {
			start := time.Now()
			f(i)
			out[i] = time.Since(start)
		}
		return out
	}
	bareRSA := func(tok string) {
		dot := strings.LastIndexByte(tok, '.')
		sig, _ := base64.RawURLEncoding.DecodeString(tok[dot+1:])
		d := sha256.Sum256([]byte(tok[:dot]))
		must(rsa.VerifyPKCS1v15(&rk.PublicKey, crypto.SHA256, d[:], sig))
	}
	bareEC := func(tok string) {
		dot := strings.LastIndexByte(tok, '.')
		sig, _ := base64.RawURLEncoding.DecodeString(tok[dot+1:])
		d := sha256.Sum256([]byte(tok[:dot]))
		if !ecdsa.Verify(&ek.PublicKey, d[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
			must(fmt.Errorf("bare ES256 check failed"))
		}
	}
	verify := func(tok string) {
		_, err := v.Verify(ctx, tok)
		must(err)
	}
	type row struct {
		name    string
		d       []time.Duration
		limit   []time.Duration
		floored bool
	}
	limRSA := measure(func(i int) { bareRSA(rsTokens[i]) })
	limEC := measure(func(i int) { bareEC(esTokens[i]) })
	rows := []row{
		{"RS256 bare signature check (limit)", limRSA, limRSA, false},
		{"RS256 OIDC token seen before", measure(func(i int) { verify(rsTokens[0]) }), limRSA, true},
		{"RS256 OIDC token never seen", measure(func(i int) { verify(rsTokens[i]) }), limRSA, true},
		{"ES256 bare signature check (limit)", limEC, limEC, false},
		{"ES256 customJwt token seen before", measure(func(i int) { verify(esTokens[0]) }), limEC, true},
		{"ES256 customJwt token never seen", measure(func(i int) { verify(esTokens[i]) }), limEC, true},
	}
	fmt.Printf("token verification with the provider's keys cached, %d per row, GOMAXPROCS %d\n\n", *n, runtime.GOMAXPROCS(0))
	fmt.Printf("| %-36s | %10s | %10s | %14s | %s |\n", "measurement", "p50", "p99", "ratio to limit", "floor 100µs (p50)")
	fmt.Printf("|%s|%s|%s|%s|%s|\n", benchutil.Dashes(38), benchutil.Dashes(12), benchutil.Dashes(12), benchutil.Dashes(16), benchutil.Dashes(19))
	for _, r := range rows {
		p50, p99 := benchutil.Percentile(r.d, 0.5), benchutil.Percentile(r.d, 0.99)
		ratio := float64(p50) / float64(benchutil.Percentile(r.limit, 0.5))
		verdict := ""
		if r.floored {
			verdict = "met"
			if p50 > floor {
				verdict = "not met"
			}
		}
		fmt.Printf("| %-36s | %10v | %10v | %13.2fx | %-17s |\n", r.name, benchutil.Round(p50), benchutil.Round(p99), ratio, verdict)
	}
}
