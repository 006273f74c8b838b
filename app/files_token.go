package app

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"time"
)

// An upload token authorizes one file upload until it expires. It is
// base64url(version 1 | expiry, Unix ms, 8 bytes big-endian | nonce, 16
// bytes | HMAC-SHA256 of the first 25 bytes, then the path of the
// component instance the file goes to (none for the app), under the
// deployment's upload key, first 16 bytes). It needs no storage to check; single use is
// enforced by recording the nonce in the commit that stores the file.
const (
	tokenVersion = 1
	tokenPayload = 1 + 8 + 16
	tokenMACLen  = 16
	tokenLen     = tokenPayload + tokenMACLen
)

// uploadToken is a decoded, authentic upload token.
type uploadToken struct {
	expires time.Time
	nonce   string // hex
}

// Errors of parseUploadToken.
var (
	errTokenInvalid = errors.New("the upload URL is not valid: its token is malformed or was not issued by this deployment")
	errTokenExpired = errors.New("the upload URL has expired: generate a new one with storage.generateUploadUrl()")
	errTokenUsed    = errors.New("the upload URL was already used: each URL from storage.generateUploadUrl() uploads one file")
)

// newUploadToken mints a token valid until expires for the instance at
// component.
func newUploadToken(key []byte, expires time.Time, component string) string {
	var b [tokenLen]byte
	b[0] = tokenVersion
	binary.BigEndian.PutUint64(b[1:9], uint64(expires.UnixMilli()))
	_, _ = rand.Read(b[9:tokenPayload])
	copy(b[tokenPayload:], tokenMAC(key, b[:tokenPayload], component))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func tokenMAC(key, payload []byte, component string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(payload)
	m.Write([]byte(component))
	return m.Sum(nil)[:tokenMACLen]
}

// parseUploadToken checks a token's signature (for the instance at
// component) and expiry at now.
func parseUploadToken(key []byte, s, component string, now time.Time) (uploadToken, error) {
	if len(s) != base64.RawURLEncoding.EncodedLen(tokenLen) {
		return uploadToken{}, errTokenInvalid
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != tokenLen || b[0] != tokenVersion {
		return uploadToken{}, errTokenInvalid
	}
	if !hmac.Equal(b[tokenPayload:], tokenMAC(key, b[:tokenPayload], component)) {
		return uploadToken{}, errTokenInvalid
	}
	ms := binary.BigEndian.Uint64(b[1:9])
	if ms > uint64(1<<62) {
		return uploadToken{}, errTokenInvalid
	}
	t := uploadToken{expires: time.UnixMilli(int64(ms)), nonce: hex.EncodeToString(b[9:tokenPayload])}
	if !now.Before(t.expires) {
		return t, errTokenExpired
	}
	return t, nil
}
