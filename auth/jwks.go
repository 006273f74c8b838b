package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"strings"
)

// publicKey is one usable key of a JWKS.
type publicKey struct {
	kid string
	alg string // the JWK's own "alg", or "" when it names none
	rsa *rsa.PublicKey
	ec  *ecdsa.PublicKey
	ed  ed25519.PublicKey
}

// keySet is an immutable set of keys, as fetched at one time. A new
// fetch makes a new keySet, so a pointer tells key sets apart.
type keySet struct {
	keys []publicKey
}

// minRSABits is the smallest RSA modulus accepted.
const minRSABits = 2048

// parseJWKS reads a JWK Set. Keys it cannot use (other types or curves,
// encryption keys, RSA keys under 2048 bits) are skipped; a set with no
// usable key, or that is not a JWKS at all, is an error.
func parseJWKS(data []byte) (*keySet, error) {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, fmt.Errorf("not a JSON Web Key Set: %w", err)
	}
	if set.Keys == nil {
		return nil, errors.New(`not a JSON Web Key Set: no "keys" array`)
	}
	if len(set.Keys) > maxKeysPerSet {
		return nil, fmt.Errorf("the key set has %d keys; at most %d are accepted", len(set.Keys), maxKeysPerSet)
	}
	ks := &keySet{}
	var skipped []string
	for i, raw := range set.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			skipped = append(skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		ks.keys = append(ks.keys, k)
	}
	if len(ks.keys) == 0 {
		if len(skipped) == 0 {
			return nil, errors.New("the key set is empty")
		}
		return nil, fmt.Errorf("the key set has no usable key (%s)", strings.Join(skipped, "; "))
	}
	return ks, nil
}

func parseJWK(raw json.RawMessage) (publicKey, error) {
	var j struct {
		Kty, Kid, Alg, Use, Crv string
		N, E, X, Y              string
		D                       string
	}
	if err := json.Unmarshal(raw, &j); err != nil {
		return publicKey{}, fmt.Errorf("not a JWK: %w", err)
	}
	if j.Use != "" && j.Use != "sig" {
		return publicKey{}, fmt.Errorf("use %q is not sig", j.Use)
	}
	k := publicKey{kid: j.Kid, alg: j.Alg}
	switch j.Kty {
	case "RSA":
		n, err1 := jwkB64(j.N)
		e, err2 := jwkB64(j.E)
		if err1 != nil || err2 != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			return publicKey{}, errors.New("RSA key with a bad n or e")
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		mod := new(big.Int).SetBytes(n)
		if mod.BitLen() < minRSABits {
			return publicKey{}, fmt.Errorf("RSA key of %d bits; at least %d are required", mod.BitLen(), minRSABits)
		}
		if exp < 3 || exp%2 == 0 {
			return publicKey{}, errors.New("RSA key with a bad exponent")
		}
		k.rsa = &rsa.PublicKey{N: mod, E: exp}
	case "EC":
		if j.Crv != "P-256" {
			return publicKey{}, fmt.Errorf("EC curve %q is not P-256", j.Crv)
		}
		x, err1 := jwkB64(j.X)
		y, err2 := jwkB64(j.Y)
		if err1 != nil || err2 != nil || len(x) != 32 || len(y) != 32 {
			return publicKey{}, errors.New("P-256 key with a bad x or y")
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
		if err != nil {
			return publicKey{}, fmt.Errorf("P-256 key: %w", err)
		}
		k.ec = pub
	case "OKP":
		if j.Crv != "Ed25519" {
			return publicKey{}, fmt.Errorf("OKP curve %q is not Ed25519", j.Crv)
		}
		x, err := jwkB64(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return publicKey{}, errors.New("Ed25519 key with a bad x")
		}
		k.ed = ed25519.PublicKey(x)
	default:
		return publicKey{}, fmt.Errorf("key type %q is not used", j.Kty)
	}
	return k, nil
}

// fits reports whether k can verify a signature of alg.
func (k *publicKey) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch alg {
	case "RS256":
		return k.rsa != nil
	case "ES256":
		return k.ec != nil
	case "EdDSA":
		return k.ed != nil
	}
	return false
}

// verify checks sig over signed with k for alg (which k fits).
func (k *publicKey) verify(alg, signed string, sig []byte) bool {
	switch alg {
	case "RS256":
		h := sha256.Sum256([]byte(signed))
		return rsa.VerifyPKCS1v15(k.rsa, crypto.SHA256, h[:], sig) == nil
	case "ES256":
		if len(sig) != 64 {
			return false
		}
		h := sha256.Sum256([]byte(signed))
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(k.ec, h[:], r, s)
	case "EdDSA":
		return ed25519.Verify(k.ed, []byte(signed), sig)
	}
	return false
}

// hasKid reports whether the set has a key with that id.
func (ks *keySet) hasKid(kid string) bool {
	for i := range ks.keys {
		if ks.keys[i].kid == kid {
			return true
		}
	}
	return false
}

// check verifies t's signature with the set: with the key its kid names,
// or, for a token without kid, with any key that fits its algorithm.
func (ks *keySet) check(t *token) bool {
	for i := range ks.keys {
		k := &ks.keys[i]
		if t.kid != "" && k.kid != t.kid {
			continue
		}
		if k.fits(t.alg) && k.verify(t.alg, t.signed, t.sig) {
			return true
		}
	}
	return false
}

// decodeDataURI returns the bytes of a data: URI (base64 or percent
// encoded).
func decodeDataURI(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, "data:")
	if !ok {
		return nil, errors.New("not a data: URI")
	}
	meta, data, ok := strings.Cut(rest, ",")
	if !ok {
		return nil, errors.New("a data: URI needs a ',' before its data")
	}
	if strings.HasSuffix(strings.ToLower(meta), ";base64") {
		data = strings.TrimRight(strings.Map(func(r rune) rune {
			if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
				return -1
			}
			return r
		}, data), "=")
		b, err := base64.RawStdEncoding.DecodeString(data)
		if err != nil {
			b, err = base64.RawURLEncoding.DecodeString(data)
		}
		if err != nil {
			return nil, fmt.Errorf("bad base64: %w", err)
		}
		return b, nil
	}
	d, err := url.PathUnescape(data)
	if err != nil {
		return nil, fmt.Errorf("bad percent-encoding: %w", err)
	}
	return []byte(d), nil
}
