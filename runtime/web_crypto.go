package runtime

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// webCrypto is __hull_web_crypto(op, json): the Web Crypto operations the
// JS side of crypto.subtle delegates to Go. Bytes travel as standard
// base64; secret keys as their raw bytes, key pairs as DER (SPKI for
// public keys, PKCS #8 for private ones).
// Errors start with the DOMException name the JS side throws.
func webCrypto(args []any) (any, error) {
	if len(args) != 2 {
		return nil, errors.New("OperationError: crypto takes (op, args)")
	}
	op, _ := args[0].(string)
	in, _ := args[1].(string)
	var req cryptoRequest
	if err := json.Unmarshal([]byte(in), &req); err != nil {
		return nil, fmt.Errorf("OperationError: crypto %s arguments: %w", op, err)
	}
	var out any
	var err error
	switch op {
	case "digest":
		out, err = cryptoDigest(req)
	case "hmac":
		out, err = cryptoHMAC(req)
	case "sign":
		out, err = cryptoSign(req)
	case "verify":
		out, err = cryptoVerify(req)
	case "importKey":
		out, err = cryptoImport(req)
	case "exportKey":
		out, err = cryptoExport(req)
	case "generateKey":
		out, err = cryptoGenerate(req)
	case "encrypt":
		out, err = cryptoEncrypt(req)
	case "decrypt":
		out, err = cryptoDecrypt(req)
	case "deriveBits":
		out, err = cryptoDeriveBits(req)
	default:
		err = fmt.Errorf("NotSupportedError: unknown crypto operation %q", op)
	}
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("OperationError: encode crypto result: %w", err)
	}
	return string(b), nil
}

// cryptoRequest holds the arguments of every operation; each uses some.
type cryptoRequest struct {
	Alg        string          `json:"alg"`
	Hash       string          `json:"hash"`
	Data       b64             `json:"data"`
	Key        b64             `json:"key"`
	Sig        b64             `json:"sig"`
	Format     string          `json:"format"`
	Kind       string          `json:"kind"` // RSA or EC
	Curve      string          `json:"curve"`
	Private    bool            `json:"private"`
	JWK        json.RawMessage `json:"jwk"`
	SaltLength int             `json:"saltLength"`
	Rand       b64             `json:"rand"`
	Fixed      bool            `json:"deterministic"`
	// The parameters of encrypt, decrypt and deriveBits.
	IV         b64  `json:"iv"`
	AAD        b64  `json:"additionalData"`
	TagLength  int  `json:"tagLength"`
	Counter    b64  `json:"counter"`
	Length     *int `json:"length"` // bits; null means the whole output
	Label      b64  `json:"label"`
	Salt       b64  `json:"salt"`
	Info       b64  `json:"info"`
	Iterations int  `json:"iterations"`
	Public     b64  `json:"public"` // the peer's SPKI for ECDH and X25519
}

// b64 is bytes as standard base64 in JSON.
type b64 []byte

func (b *b64) UnmarshalJSON(data []byte) error {
	var s string
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	d, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return fmt.Errorf("bad base64: %w", err)
	}
	*b = d
	return nil
}

func enc(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func hashOf(name string) (crypto.Hash, func() hash.Hash, error) {
	switch name {
	case "SHA-1":
		return crypto.SHA1, sha1.New, nil
	case "SHA-256":
		return crypto.SHA256, sha256.New, nil
	case "SHA-384":
		return crypto.SHA384, sha512.New384, nil
	case "SHA-512":
		return crypto.SHA512, sha512.New, nil
	}
	return 0, nil, fmt.Errorf("NotSupportedError: unsupported hash %q", name)
}

func cryptoDigest(req cryptoRequest) (any, error) {
	_, h, err := hashOf(req.Hash)
	if err != nil {
		return nil, err
	}
	d := h()
	d.Write(req.Data)
	return enc(d.Sum(nil)), nil
}

func cryptoHMAC(req cryptoRequest) (any, error) {
	_, h, err := hashOf(req.Hash)
	if err != nil {
		return nil, err
	}
	m := hmac.New(h, req.Key)
	m.Write(req.Data)
	return enc(m.Sum(nil)), nil
}

func digestOf(req cryptoRequest) (crypto.Hash, []byte, error) {
	ch, h, err := hashOf(req.Hash)
	if err != nil {
		return 0, nil, err
	}
	d := h()
	d.Write(req.Data)
	return ch, d.Sum(nil), nil
}

// randSource is the secure generator, or for queries and mutations the
// seeded bytes the JS side passes.
func randSource(req cryptoRequest) io.Reader {
	if len(req.Rand) > 0 {
		return bytes.NewReader(req.Rand)
	}
	return rand.Reader
}

func cryptoSign(req cryptoRequest) (any, error) {
	if req.Alg == "Ed25519" {
		return ed25519Sign(req)
	}
	ch, digest, err := digestOf(req)
	if err != nil {
		return nil, err
	}
	k, err := parsePrivate(req.Key)
	if err != nil {
		return nil, err
	}
	switch key := k.(type) {
	case *rsa.PrivateKey:
		var sig []byte
		if req.Alg == "RSA-PSS" {
			sig, err = rsa.SignPSS(randSource(req), key, ch, digest, &rsa.PSSOptions{SaltLength: req.SaltLength})
		} else {
			sig, err = rsa.SignPKCS1v15(nil, key, ch, digest)
		}
		if err != nil {
			return nil, fmt.Errorf("OperationError: sign: %w", err)
		}
		return enc(sig), nil
	case *ecdsa.PrivateKey:
		var random io.Reader = rand.Reader
		if req.Fixed {
			random = nil // RFC 6979
		}
		der, err := key.Sign(random, digest, ch)
		if err != nil {
			return nil, fmt.Errorf("OperationError: sign: %w", err)
		}
		return ecdsaRaw(der, (key.Curve.Params().BitSize+7)/8)
	}
	return nil, errors.New("InvalidAccessError: the key cannot sign")
}

func cryptoVerify(req cryptoRequest) (any, error) {
	if req.Alg == "Ed25519" {
		return ed25519Verify(req)
	}
	ch, digest, err := digestOf(req)
	if err != nil {
		return nil, err
	}
	k, err := parsePublic(req.Key)
	if err != nil {
		return nil, err
	}
	switch key := k.(type) {
	case *rsa.PublicKey:
		if req.Alg == "RSA-PSS" {
			return rsa.VerifyPSS(key, ch, digest, req.Sig, &rsa.PSSOptions{SaltLength: req.SaltLength}) == nil, nil
		}
		return rsa.VerifyPKCS1v15(key, ch, digest, req.Sig) == nil, nil
	case *ecdsa.PublicKey:
		n := (key.Curve.Params().BitSize + 7) / 8
		if len(req.Sig) != 2*n {
			return false, nil
		}
		r := new(big.Int).SetBytes(req.Sig[:n])
		s := new(big.Int).SetBytes(req.Sig[n:])
		return ecdsa.Verify(key, digest, r, s), nil
	}
	return nil, errors.New("InvalidAccessError: the key cannot verify")
}

// ecdsaRaw turns an ASN.1 signature into r ‖ s of n bytes each, the
// form Web Crypto uses.
func ecdsaRaw(der []byte, n int) (any, error) {
	r, s := new(big.Int), new(big.Int)
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, asn1.SEQUENCE) || !seq.ReadASN1Integer(r) || !seq.ReadASN1Integer(s) {
		return nil, errors.New("OperationError: malformed signature")
	}
	out := make([]byte, 2*n)
	r.FillBytes(out[:n])
	s.FillBytes(out[n:])
	return enc(out), nil
}
