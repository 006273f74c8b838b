package runtime

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
)

// importedKey describes a key to the JS side: its DER (SPKI or PKCS #8)
// and the algorithm parameters CryptoKey.algorithm shows.
type importedKey struct {
	Type           string `json:"type"` // public or private
	DER            string `json:"der"`
	ModulusLength  int    `json:"modulusLength,omitempty"`
	PublicExponent string `json:"publicExponent,omitempty"`
	NamedCurve     string `json:"namedCurve,omitempty"`
}

func parsePrivate(der []byte) (any, error) {
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("DataError: invalid PKCS #8 key: %w", err)
	}
	return k, nil
}

func parsePublic(der []byte) (any, error) {
	k, err := x509.ParsePKIXPublicKey(der)
	if err != nil {
		return nil, fmt.Errorf("DataError: invalid SPKI key: %w", err)
	}
	return k, nil
}

func curveOf(name string) (elliptic.Curve, error) {
	switch name {
	case "P-256":
		return elliptic.P256(), nil
	case "P-384":
		return elliptic.P384(), nil
	case "P-521":
		return elliptic.P521(), nil
	}
	return nil, fmt.Errorf("NotSupportedError: unsupported curve %q", name)
}

func cryptoImport(req cryptoRequest) (any, error) {
	var key any
	var err error
	switch req.Format {
	case "spki":
		key, err = parsePublic(req.Data)
	case "pkcs8":
		key, err = parsePrivate(req.Data)
	case "raw":
		if req.Kind == "OKP" {
			key, err = okpFromRaw(req.Curve, req.Data)
			break
		}
		if req.Kind != "EC" {
			return nil, errors.New("NotSupportedError: raw import is for EC, Ed25519 and X25519 public keys")
		}
		var c elliptic.Curve
		if c, err = curveOf(req.Curve); err == nil {
			key, err = ecdsa.ParseUncompressedPublicKey(c, req.Data)
			if err != nil {
				err = fmt.Errorf("DataError: invalid EC point: %w", err)
			}
		}
	case "jwk":
		key, err = keyFromJWK(req)
	default:
		err = fmt.Errorf("NotSupportedError: unsupported key format %q", req.Format)
	}
	if err != nil {
		return nil, err
	}
	return describeKey(key, req)
}

func describeKey(key any, req cryptoRequest) (any, error) {
	var out importedKey
	var der []byte
	var err error
	kind := "EC"
	switch k := key.(type) {
	case *rsa.PublicKey:
		out = importedKey{Type: "public", ModulusLength: k.N.BitLen(), PublicExponent: enc(big.NewInt(int64(k.E)).Bytes())}
		der, err = x509.MarshalPKIXPublicKey(k)
		kind = "RSA"
	case *rsa.PrivateKey:
		out = importedKey{Type: "private", ModulusLength: k.N.BitLen(), PublicExponent: enc(big.NewInt(int64(k.E)).Bytes())}
		der, err = x509.MarshalPKCS8PrivateKey(k)
		kind = "RSA"
	case *ecdsa.PublicKey:
		out = importedKey{Type: "public", NamedCurve: k.Curve.Params().Name}
		der, err = x509.MarshalPKIXPublicKey(k)
	case *ecdsa.PrivateKey:
		out = importedKey{Type: "private", NamedCurve: k.Curve.Params().Name}
		der, err = x509.MarshalPKCS8PrivateKey(k)
	default:
		var ok bool
		if out, der, ok = describeOKP(key); !ok {
			return nil, errors.New("NotSupportedError: unsupported key type")
		}
		kind = "OKP"
	}
	if err != nil {
		return nil, fmt.Errorf("DataError: encode key: %w", err)
	}
	if req.Kind != kind {
		return nil, errors.New("DataError: the key does not match the algorithm")
	}
	if kind != "RSA" && req.Curve != "" && req.Curve != out.NamedCurve {
		return nil, fmt.Errorf("DataError: the key is %s, not %s", out.NamedCurve, req.Curve)
	}
	out.DER = enc(der)
	return out, nil
}

// jwk is the JSON Web Key fields of RSA and EC keys.
type jwk struct {
	Kty string `json:"kty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	D   string `json:"d,omitempty"`
	P   string `json:"p,omitempty"`
	Q   string `json:"q,omitempty"`
	DP  string `json:"dp,omitempty"`
	DQ  string `json:"dq,omitempty"`
	QI  string `json:"qi,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

func b64u(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }

func bigOf(s string) (*big.Int, error) {
	b, err := b64u(s)
	if err != nil || len(b) == 0 {
		return nil, fmt.Errorf("DataError: bad JWK member")
	}
	return new(big.Int).SetBytes(b), nil
}

func keyFromJWK(req cryptoRequest) (any, error) {
	var j jwk
	if err := json.Unmarshal(req.JWK, &j); err != nil {
		return nil, fmt.Errorf("DataError: bad JWK: %w", err)
	}
	switch j.Kty {
	case "RSA":
		return rsaFromJWK(j)
	case "OKP":
		return okpFromJWK(j)
	case "EC":
		c, err := curveOf(j.Crv)
		if err != nil {
			return nil, err
		}
		x, err1 := b64u(j.X)
		y, err2 := b64u(j.Y)
		if err1 != nil || err2 != nil {
			return nil, errors.New("DataError: bad JWK coordinates")
		}
		point := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(c, point)
		if err != nil {
			return nil, fmt.Errorf("DataError: invalid EC point: %w", err)
		}
		if j.D == "" {
			return pub, nil
		}
		d, err := b64u(j.D)
		if err != nil {
			return nil, errors.New("DataError: bad JWK member d")
		}
		return ecdsa.ParseRawPrivateKey(c, d)
	}
	return nil, fmt.Errorf("DataError: unsupported JWK kty %q", j.Kty)
}

func rsaFromJWK(j jwk) (any, error) {
	n, err := bigOf(j.N)
	if err != nil {
		return nil, err
	}
	e, err := bigOf(j.E)
	if err != nil {
		return nil, err
	}
	pub := rsa.PublicKey{N: n, E: int(e.Int64())}
	if j.D == "" {
		return &pub, nil
	}
	var parts [6]*big.Int
	for i, s := range []string{j.D, j.P, j.Q, j.DP, j.DQ, j.QI} {
		if parts[i], err = bigOf(s); err != nil {
			return nil, err
		}
	}
	k := &rsa.PrivateKey{PublicKey: pub, D: parts[0], Primes: []*big.Int{parts[1], parts[2]}}
	k.Precompute()
	if err := k.Validate(); err != nil {
		return nil, fmt.Errorf("DataError: invalid RSA key: %w", err)
	}
	return k, nil
}

func cryptoExport(req cryptoRequest) (any, error) {
	var key any
	var err error
	if req.Private {
		key, err = parsePrivate(req.Data)
	} else {
		key, err = parsePublic(req.Data)
	}
	if err != nil {
		return nil, err
	}
	switch req.Format {
	case "spki", "pkcs8":
		if (req.Format == "pkcs8") != req.Private {
			return nil, fmt.Errorf("InvalidAccessError: a %s key cannot be exported as %s", map[bool]string{true: "private", false: "public"}[req.Private], req.Format)
		}
		return enc(req.Data), nil
	case "raw":
		if b, ok := okpRaw(key); ok {
			return enc(b), nil
		}
		pub, ok := key.(*ecdsa.PublicKey)
		if !ok {
			return nil, errors.New("InvalidAccessError: only EC, Ed25519 and X25519 public keys export as raw")
		}
		b, err := pub.Bytes()
		if err != nil {
			return nil, fmt.Errorf("OperationError: export: %w", err)
		}
		return enc(b), nil
	case "jwk":
		return jwkOf(key)
	}
	return nil, fmt.Errorf("NotSupportedError: unsupported key format %q", req.Format)
}

func jwkOf(key any) (any, error) {
	u := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	switch k := key.(type) {
	case *rsa.PublicKey:
		return jwk{Kty: "RSA", N: u(k.N.Bytes()), E: u(big.NewInt(int64(k.E)).Bytes())}, nil
	case *rsa.PrivateKey:
		k.Precompute()
		return jwk{Kty: "RSA", N: u(k.N.Bytes()), E: u(big.NewInt(int64(k.E)).Bytes()), D: u(k.D.Bytes()),
			P: u(k.Primes[0].Bytes()), Q: u(k.Primes[1].Bytes()), DP: u(k.Precomputed.Dp.Bytes()),
			DQ: u(k.Precomputed.Dq.Bytes()), QI: u(k.Precomputed.Qinv.Bytes())}, nil
	case *ecdsa.PublicKey, *ecdsa.PrivateKey:
		var pub *ecdsa.PublicKey
		var d []byte
		if priv, ok := k.(*ecdsa.PrivateKey); ok {
			pub = &priv.PublicKey
			b, err := priv.Bytes()
			if err != nil {
				return nil, fmt.Errorf("OperationError: export: %w", err)
			}
			d = b
		} else {
			pub = k.(*ecdsa.PublicKey)
		}
		b, err := pub.Bytes()
		if err != nil {
			return nil, fmt.Errorf("OperationError: export: %w", err)
		}
		n := (len(b) - 1) / 2
		out := jwk{Kty: "EC", Crv: pub.Curve.Params().Name, X: u(b[1 : 1+n]), Y: u(b[1+n:])}
		if d != nil {
			out.D = u(d)
		}
		return out, nil
	}
	if j, ok := okpJWK(key); ok {
		return j, nil
	}
	return nil, errors.New("NotSupportedError: unsupported key type")
}
