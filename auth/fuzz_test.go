package auth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// FuzzParseToken feeds arbitrary text to the token parser: it must never
// panic, and whatever it accepts has the three parts of a compact JWS.
func FuzzParseToken(f *testing.F) {
	enc := base64.RawURLEncoding.EncodeToString
	f.Add("a.b.c")
	f.Add(enc([]byte(`{"alg":"RS256","kid":"k"}`)) + "." + enc([]byte(`{"iss":"https://i","sub":"s","aud":["a"],"exp":1e10}`)) + ".c2ln")
	f.Add(enc([]byte(`{"alg":"none"}`)) + "." + enc([]byte(`{"exp":"soon","aud":{}}`)) + ".")
	f.Add(enc([]byte(`{"alg":1}`)) + "." + enc([]byte(`[]`)) + ".x")
	f.Add("....")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := parseToken(s)
		if err != nil {
			return
		}
		if strings.Count(s, ".") != 2 || tok.claims == nil || !strings.HasPrefix(s, tok.signed) {
			t.Fatalf("accepted %q as %+v", s, tok)
		}
	})
}

// FuzzVerify checks that no input, however malformed, is accepted by a
// verifier whose keys signed nothing of it, nor makes it panic.
func FuzzVerify(f *testing.F) {
	es := ecKey(f, 0, "k")
	set, _ := json.Marshal(map[string]any{"keys": []any{es.jwk()}})
	cfg := `{"providers":[{"type":"customJwt","issuer":"https://i.example.com","jwks":"data:application/json;base64,` +
		base64.StdEncoding.EncodeToString(set) + `","algorithm":"ES256"}]}`
	ps, err := ParseConfig([]byte(cfg))
	if err != nil {
		f.Fatal(err)
	}
	v, err := New(ps, Options{})
	if err != nil {
		f.Fatal(err)
	}
	valid := es.sign(f, map[string]any{"iss": "https://i.example.com", "sub": "s", "exp": time.Now().Add(time.Hour).Unix()}, nil)
	f.Add(valid[:len(valid)-2])
	f.Add(strings.Replace(valid, ".", "..", 1))
	enc := base64.RawURLEncoding.EncodeToString
	f.Add(enc([]byte(`{"alg":"none","kid":"k"}`)) + "." + enc([]byte(`{"iss":"https://i.example.com","sub":"s","exp":1e10}`)) + ".")
	f.Fuzz(func(t *testing.T, s string) {
		if s == valid {
			return
		}
		if id, err := v.Verify(context.Background(), s); err == nil {
			t.Fatalf("accepted %q as %s", s, id.JSON)
		}
	})
}
