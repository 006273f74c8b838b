package adminkey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"time"
)

// Login codes are the short-lived, single-use codes of `hull dashboard`
// links: "<payload>.<mac>", base64url, where the payload holds the expiry
// and a random nonce and the mac is an HMAC-SHA256 under a key derived
// from the instance secret and name. Whoever holds a code may exchange it
// once, before it expires, for an admin key; the server remembers used
// nonces until they expire.

// Errors of CheckLoginCode.
var (
	ErrLoginCodeInvalid = errors.New("adminkey: the login code is not valid for this instance")
	ErrLoginCodeExpired = errors.New("adminkey: the login code has expired")
)

const loginCodePayloadLen = 8 + 16

func loginKey(instanceName, instanceSecret string) []byte {
	m := hmac.New(sha256.New, []byte(instanceSecret))
	m.Write([]byte("hull dashboard login codes\x00" + instanceName))
	return m.Sum(nil)
}

// IssueLoginCode returns a code valid until now+ttl.
func IssueLoginCode(instanceName, instanceSecret string, now time.Time, ttl time.Duration) (string, error) {
	var payload [loginCodePayloadLen]byte
	binary.BigEndian.PutUint64(payload[:8], uint64(now.Add(ttl).Unix()))
	if _, err := rand.Read(payload[8:]); err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, loginKey(instanceName, instanceSecret))
	m.Write(payload[:])
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload[:]) + "." + enc.EncodeToString(m.Sum(nil)), nil
}

// CheckLoginCode verifies code at now and returns its nonce (to refuse a
// second use) and expiry.
func CheckLoginCode(code, instanceName, instanceSecret string, now time.Time) (nonce string, expires time.Time, err error) {
	p, mac, ok := strings.Cut(code, ".")
	if !ok || len(code) > 200 {
		return "", time.Time{}, ErrLoginCodeInvalid
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(p)
	sum, err2 := enc.DecodeString(mac)
	if err1 != nil || err2 != nil || len(payload) != loginCodePayloadLen {
		return "", time.Time{}, ErrLoginCodeInvalid
	}
	m := hmac.New(sha256.New, loginKey(instanceName, instanceSecret))
	m.Write(payload)
	if !hmac.Equal(m.Sum(nil), sum) {
		return "", time.Time{}, ErrLoginCodeInvalid
	}
	expires = time.Unix(int64(binary.BigEndian.Uint64(payload[:8])), 0)
	if !now.Before(expires) {
		return "", expires, ErrLoginCodeExpired
	}
	return p, expires, nil
}
