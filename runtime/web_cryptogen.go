package runtime

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"math/big"
)

// cryptoGenerate makes an EC (curve), RSA (modulus length and public
// exponent), Ed25519 or X25519 key pair and describes both halves as
// importKey does.
func cryptoGenerate(req cryptoRequest) (any, error) {
	var priv any
	switch req.Kind {
	case "EC":
		c, err := curveOf(req.Curve)
		if err != nil {
			return nil, err
		}
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("OperationError: generate key: %w", err)
		}
		priv = k
	case "RSA":
		bits := req.SaltLength // the modulus length travels in saltLength's slot
		if bits < 1024 || bits > 8192 || bits%8 != 0 {
			return nil, fmt.Errorf("OperationError: modulusLength %d is not supported (1024 to 8192 bits)", bits)
		}
		if e := new(big.Int).SetBytes(req.Data); e.Cmp(big.NewInt(65537)) != 0 {
			return nil, errors.New("OperationError: only the public exponent 65537 is supported")
		}
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, fmt.Errorf("OperationError: generate key: %w", err)
		}
		priv = k
	case "OKP":
		k, err := okpGenerate(req.Curve)
		if err != nil {
			return nil, err
		}
		priv = k
	default:
		return nil, fmt.Errorf("NotSupportedError: cannot generate %s keys", req.Kind)
	}
	var pub any
	switch k := priv.(type) {
	case *ecdsa.PrivateKey:
		pub = &k.PublicKey
	case *rsa.PrivateKey:
		pub = &k.PublicKey
	case ed25519.PrivateKey:
		pub = k.Public()
	case *ecdh.PrivateKey:
		pub = k.PublicKey()
	}
	privDesc, err := describeKey(priv, req)
	if err != nil {
		return nil, err
	}
	pubDesc, err := describeKey(pub, req)
	if err != nil {
		return nil, err
	}
	return map[string]any{"private": privDesc, "public": pubDesc}, nil
}
