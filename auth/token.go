package auth

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// token is a parsed, not yet verified, compact JWS.
type token struct {
	alg, kid string
	// signed is "<header>.<payload>", the bytes the signature covers.
	signed string
	sig    []byte
	// claims are the payload's members, undecoded.
	claims map[string]json.RawMessage
	iss    string
	sub    *string
	aud    []string
	exp    *time.Time
	nbf    *time.Time
	iat    *time.Time
	crit   bool
}

// errMalformed says a token is not a JWT; its text says why.
var errMalformed = errors.New("malformed JWT")

// parseToken splits and decodes a compact JWS without checking it. It
// never panics, whatever the input (see FuzzParseToken).
func parseToken(s string) (*token, error) {
	first := strings.IndexByte(s, '.')
	if first < 0 {
		return nil, fmt.Errorf("%w: no '.' separates its parts", errMalformed)
	}
	second := strings.IndexByte(s[first+1:], '.')
	if second < 0 {
		return nil, fmt.Errorf("%w: it has two parts, not three", errMalformed)
	}
	second += first + 1
	if strings.IndexByte(s[second+1:], '.') >= 0 {
		return nil, fmt.Errorf("%w: it has more than three parts (an encrypted JWE is not accepted)", errMalformed)
	}
	hdr, err := b64(s[:first])
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", errMalformed, err)
	}
	payload, err := b64(s[first+1 : second])
	if err != nil {
		return nil, fmt.Errorf("%w: payload: %v", errMalformed, err)
	}
	sig, err := b64(s[second+1:])
	if err != nil {
		return nil, fmt.Errorf("%w: signature: %v", errMalformed, err)
	}
	t := &token{signed: s[:second], sig: sig}
	var h struct {
		Alg  *string         `json:"alg"`
		Kid  *string         `json:"kid"`
		Crit json.RawMessage `json:"crit"`
	}
	if err := json.Unmarshal(hdr, &h); err != nil {
		return nil, fmt.Errorf("%w: header is not a JSON object: %v", errMalformed, err)
	}
	if h.Alg == nil {
		return nil, fmt.Errorf("%w: header has no alg", errMalformed)
	}
	t.alg = *h.Alg
	if h.Kid != nil {
		t.kid = *h.Kid
	}
	t.crit = len(h.Crit) > 0 && string(h.Crit) != "null"
	if err := t.decodeClaims(payload); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *token) decodeClaims(payload []byte) error {
	d := json.NewDecoder(bytes.NewReader(payload))
	if err := d.Decode(&t.claims); err != nil || t.claims == nil {
		return fmt.Errorf("%w: payload is not a JSON object", errMalformed)
	}
	if d.More() {
		return fmt.Errorf("%w: payload has data after its object", errMalformed)
	}
	if raw, ok := t.claims["iss"]; ok && string(raw) != "null" {
		if json.Unmarshal(raw, &t.iss) != nil {
			return fmt.Errorf("%w: iss is not a string", errMalformed)
		}
	}
	if raw, ok := t.claims["sub"]; ok && string(raw) != "null" {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return fmt.Errorf("%w: sub is not a string", errMalformed)
		}
		t.sub = &s
	}
	if raw, ok := t.claims["aud"]; ok && string(raw) != "null" {
		var one string
		if json.Unmarshal(raw, &one) == nil {
			t.aud = []string{one}
		} else if json.Unmarshal(raw, &t.aud) != nil {
			return fmt.Errorf("%w: aud is neither a string nor an array of strings", errMalformed)
		}
	}
	for _, c := range []struct {
		name string
		dst  **time.Time
	}{{"exp", &t.exp}, {"nbf", &t.nbf}, {"iat", &t.iat}} {
		raw, ok := t.claims[c.name]
		if !ok || string(raw) == "null" {
			continue
		}
		var f float64
		if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || math.Abs(f) > 1e11 {
			return fmt.Errorf("%w: %s is not a number of seconds since 1970", errMalformed, c.name)
		}
		tm := time.Unix(0, 0).Add(time.Duration(f * float64(time.Second)))
		*c.dst = &tm
	}
	return nil
}

// strictB64 is base64url without padding, refusing non-canonical
// encodings, so that a token has exactly one spelling.
var strictB64 = base64.RawURLEncoding.Strict()

// b64 decodes a part of a token.
func b64(s string) ([]byte, error) {
	return strictB64.DecodeString(s)
}

// jwkB64 decodes a JWK field; padding, which some providers send, is
// tolerated.
func jwkB64(s string) ([]byte, error) {
	return base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
}
