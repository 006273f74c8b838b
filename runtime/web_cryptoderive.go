package runtime

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"errors"
	"fmt"
)

// cryptoDeriveBits is deriveBits for HKDF and PBKDF2 (the key is the raw
// secret) and for ECDH and X25519 (the key is PKCS #8, the peer's public
// key SPKI). Length is in bits; ECDH and X25519 take null for the whole
// shared secret.
func cryptoDeriveBits(req cryptoRequest) (any, error) {
	var out []byte
	var err error
	switch req.Alg {
	case "HKDF", "PBKDF2":
		out, err = deriveFromSecret(req)
	case "ECDH", "X25519":
		out, err = deriveShared(req)
	default:
		return nil, fmt.Errorf("NotSupportedError: %s cannot derive bits", req.Alg)
	}
	if err != nil {
		return nil, err
	}
	return enc(out), nil
}

func deriveFromSecret(req cryptoRequest) ([]byte, error) {
	if req.Length == nil || *req.Length%8 != 0 || *req.Length < 0 {
		return nil, fmt.Errorf("OperationError: %s needs a length that is a multiple of 8", req.Alg)
	}
	n := *req.Length / 8
	_, h, err := hashOf(req.Hash)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return []byte{}, nil
	}
	var out []byte
	if req.Alg == "HKDF" {
		out, err = hkdf.Key(h, req.Key, req.Salt, string(req.Info), n)
	} else {
		if req.Iterations < 1 {
			return nil, errors.New("OperationError: PBKDF2 needs at least one iteration")
		}
		out, err = pbkdf2.Key(h, string(req.Key), req.Salt, req.Iterations, n)
	}
	if err != nil {
		return nil, fmt.Errorf("OperationError: %s: %w", req.Alg, err)
	}
	return out, nil
}

func deriveShared(req cryptoRequest) ([]byte, error) {
	k, err := parsePrivate(req.Key)
	if err != nil {
		return nil, err
	}
	priv, err := ecdhPrivate(k)
	if err != nil {
		return nil, err
	}
	p, err := parsePublic(req.Public)
	if err != nil {
		return nil, err
	}
	pub, err := ecdhPublic(p)
	if err != nil {
		return nil, err
	}
	if pub.Curve() != priv.Curve() {
		return nil, errors.New("InvalidAccessError: the public key is on another curve")
	}
	secret, err := priv.ECDH(pub)
	if err != nil {
		return nil, fmt.Errorf("OperationError: %s: %w", req.Alg, err)
	}
	if req.Length == nil {
		return secret, nil
	}
	bits := *req.Length
	if bits < 0 || bits > 8*len(secret) {
		return nil, fmt.Errorf("OperationError: %s yields %d bits, not %d", req.Alg, 8*len(secret), bits)
	}
	out := secret[:(bits+7)/8]
	if r := bits % 8; r != 0 {
		out[len(out)-1] &= byte(0xff << (8 - r))
	}
	return out, nil
}

func ecdhPrivate(k any) (*ecdh.PrivateKey, error) {
	switch key := k.(type) {
	case *ecdh.PrivateKey:
		return key, nil
	case *ecdsa.PrivateKey:
		p, err := key.ECDH()
		if err != nil {
			return nil, fmt.Errorf("DataError: %w", err)
		}
		return p, nil
	}
	return nil, errors.New("InvalidAccessError: the key cannot derive bits")
}

func ecdhPublic(k any) (*ecdh.PublicKey, error) {
	switch key := k.(type) {
	case *ecdh.PublicKey:
		return key, nil
	case *ecdsa.PublicKey:
		p, err := key.ECDH()
		if err != nil {
			return nil, fmt.Errorf("DataError: %w", err)
		}
		return p, nil
	}
	return nil, errors.New("InvalidAccessError: the public key is not an ECDH or X25519 key")
}
