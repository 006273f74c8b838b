package runtime

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rsa"
	"crypto/subtle"
	"errors"
	"fmt"
)

// cryptoEncrypt is encrypt for AES-GCM, AES-CBC, AES-CTR, AES-KW (the
// key is the raw AES key) and RSA-OAEP (the key is SPKI).
func cryptoEncrypt(req cryptoRequest) (any, error) { return cryptoCipher(req, false) }

// cryptoDecrypt undoes cryptoEncrypt; a wrong key, tag or padding is an
// OperationError.
func cryptoDecrypt(req cryptoRequest) (any, error) { return cryptoCipher(req, true) }

// cryptoCipher runs req's algorithm one way or the other.
func cryptoCipher(req cryptoRequest, decrypt bool) (any, error) {
	if req.Alg == "RSA-OAEP" {
		if decrypt {
			return oaepDecrypt(req)
		}
		return oaepEncrypt(req)
	}
	block, err := aesBlock(req.Key)
	if err != nil {
		return nil, err
	}
	var out []byte
	switch {
	case req.Alg == "AES-GCM" && decrypt:
		out, err = gcmOpen(block, req)
	case req.Alg == "AES-GCM":
		out, err = gcmSeal(block, req)
	case req.Alg == "AES-CBC" && decrypt:
		out, err = cbcDecrypt(block, req.IV, req.Data)
	case req.Alg == "AES-CBC":
		out, err = cbcEncrypt(block, req.IV, req.Data)
	case req.Alg == "AES-CTR":
		out, err = aesCTR(block, req.Counter, req.Length, req.Data)
	case req.Alg == "AES-KW" && decrypt:
		out, err = kwUnwrap(block, req.Data)
	case req.Alg == "AES-KW":
		out, err = kwWrap(block, req.Data)
	default:
		verb := "encrypt"
		if decrypt {
			verb = "decrypt"
		}
		return nil, fmt.Errorf("NotSupportedError: %s cannot %s", req.Alg, verb)
	}
	if err != nil {
		return nil, err
	}
	return enc(out), nil
}

func aesBlock(key []byte) (cipher.Block, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("DataError: AES key: %w", err)
	}
	return b, nil
}

// gcmAEAD is GCM with the full 16-byte tag over a nonce of any length;
// shorter tags are the full tag's prefix.
func gcmAEAD(block cipher.Block, req cryptoRequest) (cipher.AEAD, int, error) {
	if len(req.IV) == 0 {
		return nil, 0, errors.New("OperationError: the AES-GCM iv must not be empty")
	}
	tag := req.TagLength
	if tag == 0 {
		tag = 128
	}
	switch tag {
	case 32, 64, 96, 104, 112, 120, 128:
	default:
		return nil, 0, fmt.Errorf("OperationError: %d is not a valid AES-GCM tag length", tag)
	}
	aead, err := cipher.NewGCMWithNonceSize(block, len(req.IV))
	if err != nil {
		return nil, 0, fmt.Errorf("OperationError: AES-GCM: %w", err)
	}
	return aead, tag / 8, nil
}

func gcmSeal(block cipher.Block, req cryptoRequest) ([]byte, error) {
	aead, tag, err := gcmAEAD(block, req)
	if err != nil {
		return nil, err
	}
	return aead.Seal(nil, req.IV, req.Data, req.AAD)[:len(req.Data)+tag], nil
}

func gcmOpen(block cipher.Block, req cryptoRequest) ([]byte, error) {
	aead, tag, err := gcmAEAD(block, req)
	if err != nil {
		return nil, err
	}
	if len(req.Data) < tag {
		return nil, errors.New("OperationError: the AES-GCM ciphertext is shorter than its tag")
	}
	if tag == aead.Overhead() {
		out, err := aead.Open(nil, req.IV, req.Data, req.AAD)
		if err != nil {
			return nil, errors.New("OperationError: the AES-GCM tag does not match")
		}
		return out, nil
	}
	// A truncated tag: the keystream (GCM sealing zeros) gives the plain
	// text, whose full tag must start with the given one.
	ct, given := req.Data[:len(req.Data)-tag], req.Data[len(req.Data)-tag:]
	stream := aead.Seal(nil, req.IV, make([]byte, len(ct)), nil)
	plain := make([]byte, len(ct))
	subtle.XORBytes(plain, ct, stream[:len(ct)])
	full := aead.Seal(nil, req.IV, plain, req.AAD)
	if subtle.ConstantTimeCompare(full[len(ct):len(ct)+tag], given) != 1 {
		return nil, errors.New("OperationError: the AES-GCM tag does not match")
	}
	return plain, nil
}

func cbcEncrypt(block cipher.Block, iv, data []byte) ([]byte, error) {
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("OperationError: the AES-CBC iv must be 16 bytes, not %d", len(iv))
	}
	pad := aes.BlockSize - len(data)%aes.BlockSize
	out := make([]byte, len(data)+pad)
	copy(out, data)
	for i := len(data); i < len(out); i++ {
		out[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(block, iv).CryptBlocks(out, out)
	return out, nil
}

func cbcDecrypt(block cipher.Block, iv, data []byte) ([]byte, error) {
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("OperationError: the AES-CBC iv must be 16 bytes, not %d", len(iv))
	}
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, errors.New("OperationError: the AES-CBC ciphertext is not a whole number of blocks")
	}
	out := make([]byte, len(data))
	cipher.NewCBCDecrypter(block, iv).CryptBlocks(out, data)
	pad := int(out[len(out)-1])
	if pad == 0 || pad > aes.BlockSize {
		return nil, errors.New("OperationError: bad AES-CBC padding")
	}
	for _, b := range out[len(out)-pad:] {
		if int(b) != pad {
			return nil, errors.New("OperationError: bad AES-CBC padding")
		}
	}
	return out[:len(out)-pad], nil
}

// aesCTR is counter mode where only the rightmost bits of the counter
// block count up, wrapping within them; it refuses data long enough to
// reuse a counter value.
func aesCTR(block cipher.Block, counter []byte, length *int, data []byte) ([]byte, error) {
	if len(counter) != aes.BlockSize {
		return nil, fmt.Errorf("OperationError: the AES-CTR counter must be 16 bytes, not %d", len(counter))
	}
	if length == nil || *length < 1 || *length > 128 {
		return nil, errors.New("OperationError: the AES-CTR length must be 1 to 128 bits")
	}
	bits := *length
	blocks := (len(data) + aes.BlockSize - 1) / aes.BlockSize
	if bits < 63 && uint64(blocks) > uint64(1)<<bits {
		return nil, errors.New("OperationError: the data is too long for the AES-CTR counter length")
	}
	ctr := append([]byte(nil), counter...)
	stream := make([]byte, aes.BlockSize)
	out := make([]byte, len(data))
	for off := 0; off < len(data); off += aes.BlockSize {
		block.Encrypt(stream, ctr)
		end := min(off+aes.BlockSize, len(data))
		subtle.XORBytes(out[off:end], data[off:end], stream)
		incrementCounter(ctr, bits)
	}
	return out, nil
}

// incrementCounter adds one to the rightmost bits of ctr, modulo 2^bits.
func incrementCounter(ctr []byte, bits int) {
	for i := len(ctr) - 1; i >= 0 && bits > 0; i-- {
		mask := byte(0xff)
		if bits < 8 {
			mask = byte(1<<bits - 1)
		}
		low := (ctr[i] + 1) & mask
		ctr[i] = ctr[i]&^mask | low
		if low != 0 {
			return
		}
		bits -= 8
	}
}

// kwIV is RFC 3394's default initial value.
const kwIV = "\xa6\xa6\xa6\xa6\xa6\xa6\xa6\xa6"

// kwWrap is the RFC 3394 key wrap of plain (a multiple of 8 bytes, at
// least 16).
func kwWrap(block cipher.Block, plain []byte) ([]byte, error) {
	if len(plain) < 16 || len(plain)%8 != 0 {
		return nil, fmt.Errorf("OperationError: AES-KW wraps a multiple of 8 bytes, at least 16, not %d", len(plain))
	}
	n := len(plain) / 8
	out := make([]byte, 8+len(plain))
	copy(out, kwIV)
	copy(out[8:], plain)
	var buf [16]byte
	for j := 0; j < 6; j++ {
		for i := 1; i <= n; i++ {
			copy(buf[:8], out[:8])
			copy(buf[8:], out[8*i:8*i+8])
			block.Encrypt(buf[:], buf[:])
			xorCount(buf[:8], uint64(n*j+i))
			copy(out[:8], buf[:8])
			copy(out[8*i:], buf[8:])
		}
	}
	return out, nil
}

// kwUnwrap reverses kwWrap and checks the integrity value.
func kwUnwrap(block cipher.Block, wrapped []byte) ([]byte, error) {
	if len(wrapped) < 24 || len(wrapped)%8 != 0 {
		return nil, fmt.Errorf("OperationError: AES-KW unwraps a multiple of 8 bytes, at least 24, not %d", len(wrapped))
	}
	n := len(wrapped)/8 - 1
	out := append([]byte(nil), wrapped...)
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			copy(buf[:8], out[:8])
			xorCount(buf[:8], uint64(n*j+i))
			copy(buf[8:], out[8*i:8*i+8])
			block.Decrypt(buf[:], buf[:])
			copy(out[:8], buf[:8])
			copy(out[8*i:], buf[8:])
		}
	}
	if subtle.ConstantTimeCompare(out[:8], []byte(kwIV)) != 1 {
		return nil, errors.New("OperationError: AES-KW integrity check failed")
	}
	return out[8:], nil
}

// xorCount XORs the big-endian t into the 8 bytes of a.
func xorCount(a []byte, t uint64) {
	for k := 7; k >= 0; k-- {
		a[k] ^= byte(t)
		t >>= 8
	}
}

func oaepEncrypt(req cryptoRequest) (any, error) {
	_, h, err := hashOf(req.Hash)
	if err != nil {
		return nil, err
	}
	k, err := parsePublic(req.Key)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("InvalidAccessError: RSA-OAEP encrypts with an RSA public key")
	}
	out, err := rsa.EncryptOAEP(h(), randSource(req), pub, req.Data, req.Label)
	if err != nil {
		return nil, fmt.Errorf("OperationError: RSA-OAEP encrypt: %w", err)
	}
	return enc(out), nil
}

func oaepDecrypt(req cryptoRequest) (any, error) {
	_, h, err := hashOf(req.Hash)
	if err != nil {
		return nil, err
	}
	k, err := parsePrivate(req.Key)
	if err != nil {
		return nil, err
	}
	priv, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("InvalidAccessError: RSA-OAEP decrypts with an RSA private key")
	}
	out, err := rsa.DecryptOAEP(h(), nil, priv, req.Data, req.Label)
	if err != nil {
		return nil, errors.New("OperationError: RSA-OAEP decryption failed")
	}
	return enc(out), nil
}
