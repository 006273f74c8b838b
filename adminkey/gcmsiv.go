package adminkey

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
)

// This file holds AES-128-GCM-SIV (RFC 8452), which the standard library
// lacks. Only short messages (admin keys) go through it, so POLYVAL is
// computed bit by bit rather than with tables.

const (
	sivNonceSize = 12
	sivTagSize   = 16
)

var errSIVOpen = errors.New("gcm-siv: message authentication failed")

// fieldElement is an element of GF(2^128) in GHASH bit order: hi holds the
// first eight bytes of the block, big-endian.
type fieldElement struct{ hi, lo uint64 }

func elementFromBytes(b []byte) fieldElement {
	return fieldElement{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])}
}

func (e fieldElement) bytes() [16]byte {
	var out [16]byte
	binary.BigEndian.PutUint64(out[:8], e.hi)
	binary.BigEndian.PutUint64(out[8:], e.lo)
	return out
}

// ghashMul multiplies two elements in the GHASH field (NIST SP 800-38D,
// algorithm 1).
func ghashMul(x, y fieldElement) fieldElement {
	var z fieldElement
	v := y
	for i := 0; i < 128; i++ {
		var bit uint64
		if i < 64 {
			bit = (x.hi >> (63 - i)) & 1
		} else {
			bit = (x.lo >> (127 - i)) & 1
		}
		if bit == 1 {
			z.hi ^= v.hi
			z.lo ^= v.lo
		}
		carry := v.lo & 1
		v.lo = v.lo>>1 | v.hi<<63
		v.hi >>= 1
		if carry == 1 {
			v.hi ^= 0xe1 << 56
		}
	}
	return z
}

// mulXGHASH multiplies by x in the GHASH field.
func mulXGHASH(v fieldElement) fieldElement {
	carry := v.lo & 1
	v.lo = v.lo>>1 | v.hi<<63
	v.hi >>= 1
	if carry == 1 {
		v.hi ^= 0xe1 << 56
	}
	return v
}

func reversed16(b []byte) []byte {
	out := make([]byte, 16)
	for i := range 16 {
		out[i] = b[15-i]
	}
	return out
}

// polyval computes POLYVAL(h, data) over whole 16-byte blocks, through the
// GHASH relation of RFC 8452 appendix A.
func polyval(h []byte, data []byte) [16]byte {
	key := mulXGHASH(elementFromBytes(reversed16(h)))
	var acc fieldElement
	for off := 0; off < len(data); off += 16 {
		blk := elementFromBytes(reversed16(data[off : off+16]))
		acc.hi ^= blk.hi
		acc.lo ^= blk.lo
		acc = ghashMul(acc, key)
	}
	b := acc.bytes()
	var out [16]byte
	copy(out[:], reversed16(b[:]))
	return out
}

func padTo16(b []byte) []byte {
	if r := len(b) % 16; r != 0 {
		return append(b, make([]byte, 16-r)...)
	}
	return b
}

// sivKeys derives the per-nonce authentication and encryption keys.
func sivKeys(block cipher.Block, nonce []byte) (authKey, encKey []byte) {
	var in, out [16]byte
	copy(in[4:], nonce)
	derived := make([]byte, 0, 32)
	for i := uint32(0); i < 4; i++ {
		binary.LittleEndian.PutUint32(in[:4], i)
		block.Encrypt(out[:], in[:])
		derived = append(derived, out[:8]...)
	}
	return derived[:16], derived[16:]
}

func sivTag(encBlock cipher.Block, authKey, nonce, plaintext, aad []byte) [16]byte {
	msg := padTo16(append([]byte(nil), aad...))
	msg = append(msg, padTo16(append([]byte(nil), plaintext...))...)
	var lengths [16]byte
	binary.LittleEndian.PutUint64(lengths[:8], uint64(len(aad))*8)
	binary.LittleEndian.PutUint64(lengths[8:], uint64(len(plaintext))*8)
	msg = append(msg, lengths[:]...)
	s := polyval(authKey, msg)
	for i := range sivNonceSize {
		s[i] ^= nonce[i]
	}
	s[15] &= 0x7f
	var tag [16]byte
	encBlock.Encrypt(tag[:], s[:])
	return tag
}

// sivCTR applies the counter-mode keystream that starts at the tag.
func sivCTR(encBlock cipher.Block, tag [16]byte, in []byte) []byte {
	counter := tag
	counter[15] |= 0x80
	out := make([]byte, len(in))
	var ks [16]byte
	for off := 0; off < len(in); off += 16 {
		encBlock.Encrypt(ks[:], counter[:])
		n := min(16, len(in)-off)
		for i := range n {
			out[off+i] = in[off+i] ^ ks[i]
		}
		c := binary.LittleEndian.Uint32(counter[:4]) + 1
		binary.LittleEndian.PutUint32(counter[:4], c)
	}
	return out
}

// sivSeal encrypts plaintext and returns ciphertext || tag.
func sivSeal(key, nonce, plaintext, aad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gcm-siv: %w", err)
	}
	authKey, encKey := sivKeys(block, nonce)
	encBlock, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("gcm-siv: %w", err)
	}
	tag := sivTag(encBlock, authKey, nonce, plaintext, aad)
	return append(sivCTR(encBlock, tag, plaintext), tag[:]...), nil
}

// sivOpen checks and decrypts ciphertext || tag.
func sivOpen(key, nonce, sealed, aad []byte) ([]byte, error) {
	if len(sealed) < sivTagSize || len(nonce) != sivNonceSize {
		return nil, errSIVOpen
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("gcm-siv: %w", err)
	}
	authKey, encKey := sivKeys(block, nonce)
	encBlock, err := aes.NewCipher(encKey)
	if err != nil {
		return nil, fmt.Errorf("gcm-siv: %w", err)
	}
	var tag [16]byte
	copy(tag[:], sealed[len(sealed)-sivTagSize:])
	plaintext := sivCTR(encBlock, tag, sealed[:len(sealed)-sivTagSize])
	want := sivTag(encBlock, authKey, nonce, plaintext, aad)
	if subtle.ConstantTimeCompare(want[:], tag[:]) != 1 {
		return nil, errSIVOpen
	}
	return plaintext, nil
}
