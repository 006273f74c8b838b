package runtime

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
)

// Ed25519 and X25519 keys ("OKP" in JWK): crypto/ed25519 and crypto/ecdh
// values, named by their curve.

func okpFromRaw(curve string, data []byte) (any, error) {
	switch curve {
	case "Ed25519":
		if len(data) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("DataError: an Ed25519 public key is 32 bytes, not %d", len(data))
		}
		return ed25519.PublicKey(append([]byte(nil), data...)), nil
	case "X25519":
		k, err := ecdh.X25519().NewPublicKey(data)
		if err != nil {
			return nil, fmt.Errorf("DataError: invalid X25519 public key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("NotSupportedError: unsupported curve %q", curve)
}

func okpFromJWK(j jwk) (any, error) {
	x, err := b64u(j.X)
	if err != nil || len(x) == 0 {
		return nil, errors.New("DataError: bad JWK member x")
	}
	pub, err := okpFromRaw(j.Crv, x)
	if err != nil || j.D == "" {
		return pub, err
	}
	d, err := b64u(j.D)
	if err != nil {
		return nil, errors.New("DataError: bad JWK member d")
	}
	var priv any
	var derived []byte
	switch j.Crv {
	case "Ed25519":
		if len(d) != ed25519.SeedSize {
			return nil, errors.New("DataError: an Ed25519 private key is 32 bytes")
		}
		k := ed25519.NewKeyFromSeed(d)
		priv, derived = k, k.Public().(ed25519.PublicKey)
	default:
		k, err := ecdh.X25519().NewPrivateKey(d)
		if err != nil {
			return nil, fmt.Errorf("DataError: invalid X25519 private key: %w", err)
		}
		priv, derived = k, k.PublicKey().Bytes()
	}
	if string(derived) != string(x) {
		return nil, errors.New("DataError: JWK members x and d do not match")
	}
	return priv, nil
}

// describeOKP is describeKey for Ed25519 and X25519 keys; ok is false for
// other keys.
func describeOKP(key any) (out importedKey, der []byte, ok bool) {
	var err error
	switch k := key.(type) {
	case ed25519.PublicKey:
		out = importedKey{Type: "public", NamedCurve: "Ed25519"}
		der, err = x509.MarshalPKIXPublicKey(k)
	case ed25519.PrivateKey:
		out = importedKey{Type: "private", NamedCurve: "Ed25519"}
		der, err = x509.MarshalPKCS8PrivateKey(k)
	case *ecdh.PublicKey:
		if k.Curve() != ecdh.X25519() {
			return out, nil, false
		}
		out = importedKey{Type: "public", NamedCurve: "X25519"}
		der, err = x509.MarshalPKIXPublicKey(k)
	case *ecdh.PrivateKey:
		if k.Curve() != ecdh.X25519() {
			return out, nil, false
		}
		out = importedKey{Type: "private", NamedCurve: "X25519"}
		der, err = x509.MarshalPKCS8PrivateKey(k)
	default:
		return out, nil, false
	}
	return out, der, err == nil
}

// okpRaw is the raw form of an Ed25519 or X25519 public key.
func okpRaw(key any) ([]byte, bool) {
	switch k := key.(type) {
	case ed25519.PublicKey:
		return k, true
	case *ecdh.PublicKey:
		return k.Bytes(), true
	}
	return nil, false
}

func okpJWK(key any) (jwk, bool) {
	u := base64.RawURLEncoding.EncodeToString
	switch k := key.(type) {
	case ed25519.PublicKey:
		return jwk{Kty: "OKP", Crv: "Ed25519", X: u(k)}, true
	case ed25519.PrivateKey:
		return jwk{Kty: "OKP", Crv: "Ed25519", X: u(k.Public().(ed25519.PublicKey)), D: u(k.Seed())}, true
	case *ecdh.PublicKey:
		return jwk{Kty: "OKP", Crv: "X25519", X: u(k.Bytes())}, true
	case *ecdh.PrivateKey:
		return jwk{Kty: "OKP", Crv: "X25519", X: u(k.PublicKey().Bytes()), D: u(k.Bytes())}, true
	}
	return jwk{}, false
}

func okpGenerate(curve string) (any, error) {
	switch curve {
	case "Ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("OperationError: generate key: %w", err)
		}
		return k, nil
	case "X25519":
		k, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("OperationError: generate key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("NotSupportedError: unsupported curve %q", curve)
}

func ed25519Sign(req cryptoRequest) (any, error) {
	k, err := parsePrivate(req.Key)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, errors.New("InvalidAccessError: the key is not an Ed25519 private key")
	}
	return enc(ed25519.Sign(priv, req.Data)), nil
}

func ed25519Verify(req cryptoRequest) (any, error) {
	k, err := parsePublic(req.Key)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(ed25519.PublicKey)
	if !ok {
		return nil, errors.New("InvalidAccessError: the key is not an Ed25519 public key")
	}
	return len(req.Sig) == ed25519.SignatureSize && ed25519.Verify(pub, req.Data, req.Sig), nil
}
