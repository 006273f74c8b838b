// Package adminkey owns hull's admin keys: minting them from an instance
// name and secret, and checking keys presented by the CLI, the dashboard and
// HTTP clients.
//
// A key reads "<instance name>|<hex payload>", optionally preceded by a
// cosmetic deployment-type prefix ("prod:" or "dev:"). The payload is a
// version byte 0x01 followed by an encrypted claims message. Two encryptions
// are accepted:
//
//   - legacy: NaCl secretbox (XSalsa20-Poly1305) keyed by the 32 secret
//     bytes, with a 24-byte nonce. Issue mints this format.
//   - current: AES-128-GCM-SIV keyed by a KBKDF-derived key, with a 12-byte
//     nonce and the version byte as associated data.
//
// Keys carry no expiry; rotating the instance secret revokes every key.
package adminkey

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/nacl/secretbox"
)

// Errors returned by Check and Verify; test with errors.Is.
var (
	// ErrMalformed means the key does not have the admin key shape.
	ErrMalformed = errors.New("adminkey: malformed admin key")
	// ErrInvalid means the key was not issued with this instance secret
	// (or was altered).
	ErrInvalid = errors.New("adminkey: admin key was not issued with this instance secret")
	// ErrWrongInstance means the key names another instance.
	ErrWrongInstance = errors.New("adminkey: admin key belongs to another instance")
	// ErrBadSecret means the instance secret is not 64 hex characters.
	ErrBadSecret = errors.New("adminkey: instance secret must be 64 hex characters (32 bytes)")
)

// Format tells which encryption a key uses.
type Format int

const (
	// Legacy is the NaCl secretbox format.
	Legacy Format = iota + 1
	// Current is the AES-128-GCM-SIV format.
	Current
)

func (f Format) String() string {
	switch f {
	case Legacy:
		return "legacy"
	case Current:
		return "current"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// Claims is what a valid key says about its holder.
type Claims struct {
	// InstanceName is the instance the key was issued for.
	InstanceName string
	// IssuedAt is when the key was minted (second precision).
	IssuedAt time.Time
	// MemberID identifies a team member; 0 for generic admin keys.
	MemberID uint64
	// System marks a system key rather than a member key.
	System bool
	// ReadOnly keys may not change the deployment (deploys, writes).
	ReadOnly bool
	// Format is the encryption the key used.
	Format Format
}

const versionByte = 0x01

// DecodeSecret parses an instance secret (64 hex characters).
func DecodeSecret(instanceSecret string) ([32]byte, error) {
	var out [32]byte
	b, err := hex.DecodeString(strings.TrimSpace(instanceSecret))
	if err != nil || len(b) != 32 {
		return out, ErrBadSecret
	}
	copy(out[:], b)
	return out, nil
}

// NewSecret returns a fresh random instance secret: 64 lowercase hex
// characters.
func NewSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("adminkey: read random bytes: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// Issue mints a generic admin key for instanceName in the legacy secretbox
// format, issued now. The instance name travels in the key's prefix.
func Issue(instanceName, instanceSecret string) (string, error) {
	var nonce [24]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("adminkey: read random nonce: %w", err)
	}
	return issueLegacy(instanceName, instanceSecret, time.Now(), nonce)
}

func issueLegacy(instanceName, instanceSecret string, issued time.Time, nonce [24]byte) (string, error) {
	if instanceName == "" || strings.ContainsAny(instanceName, "|:") {
		return "", fmt.Errorf("adminkey: issue: instance name %q is empty or contains '|' or ':'", instanceName)
	}
	secret, err := DecodeSecret(instanceSecret)
	if err != nil {
		return "", err
	}
	plain := marshalClaims(Claims{IssuedAt: issued})
	payload := append([]byte{versionByte}, nonce[:]...)
	payload = secretbox.Seal(payload, plain, &nonce, &secret)
	return instanceName + "|" + hex.EncodeToString(payload), nil
}

// IssueCurrent mints a generic admin key in the current AES-128-GCM-SIV
// format, issued now.
func IssueCurrent(instanceName, instanceSecret string) (string, error) {
	var nonce [sivNonceSize]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("adminkey: read random nonce: %w", err)
	}
	return issueCurrent(instanceName, instanceSecret, time.Now(), nonce)
}

func issueCurrent(instanceName, instanceSecret string, issued time.Time, nonce [sivNonceSize]byte) (string, error) {
	if instanceName == "" || strings.ContainsAny(instanceName, "|:") {
		return "", fmt.Errorf("adminkey: issue: instance name %q is empty or contains '|' or ':'", instanceName)
	}
	secret, err := DecodeSecret(instanceSecret)
	if err != nil {
		return "", err
	}
	sealed, err := sivSeal(deriveKey(secret, "admin key"), nonce[:], marshalClaims(Claims{IssuedAt: issued}), []byte{versionByte})
	if err != nil {
		return "", fmt.Errorf("adminkey: issue: %w", err)
	}
	payload := append([]byte{versionByte}, nonce[:]...)
	payload = append(payload, sealed...)
	return instanceName + "|" + hex.EncodeToString(payload), nil
}

// deriveKey derives a 16-byte key for label from the instance secret with
// the SP 800-108 counter-mode KDF (HMAC-SHA256, one 32-bit counter block,
// no length field).
func deriveKey(secret [32]byte, label string) []byte {
	mac := hmac.New(sha256.New, secret[:])
	mac.Write([]byte{0, 0, 0, 1})
	mac.Write([]byte(label))
	return mac.Sum(nil)[:16]
}

// Verify reports whether key is a valid admin key for the instance. It
// returns nil or an error matching one of ErrMalformed, ErrInvalid,
// ErrWrongInstance or ErrBadSecret.
func Verify(key, instanceName, instanceSecret string) error {
	_, err := Check(key, instanceName, instanceSecret)
	return err
}

// Check verifies key like Verify and returns its claims.
func Check(key, instanceName, instanceSecret string) (Claims, error) {
	secret, err := DecodeSecret(instanceSecret)
	if err != nil {
		return Claims{}, err
	}
	prefixName, payload, err := splitKey(key)
	if err != nil {
		return Claims{}, err
	}
	plain, format, err := open(secret, payload)
	if err != nil {
		return Claims{}, err
	}
	claims, issued, err := unmarshalClaims(plain)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if issued == 0 {
		return Claims{}, fmt.Errorf("%w: issue time is zero", ErrMalformed)
	}
	if prefixName != "" {
		claims.InstanceName = prefixName
	}
	if claims.InstanceName != instanceName {
		return Claims{}, fmt.Errorf("%w: key is for %q, this instance is %q", ErrWrongInstance, claims.InstanceName, instanceName)
	}
	claims.IssuedAt = time.Unix(int64(issued), 0).UTC()
	claims.Format = format
	return claims, nil
}

// splitKey separates the optional "type:name|" prefix from the hex payload.
func splitKey(key string) (name string, payload []byte, err error) {
	key = strings.TrimSpace(key)
	body := key
	if i := strings.IndexByte(key, '|'); i >= 0 {
		name, body = key[:i], key[i+1:]
		if j := strings.LastIndexByte(name, ':'); j >= 0 {
			name = name[j+1:]
		}
		if name == "" {
			return "", nil, fmt.Errorf("%w: empty instance name before '|'", ErrMalformed)
		}
	}
	payload, err = hex.DecodeString(body)
	if err != nil {
		return "", nil, fmt.Errorf("%w: payload is not hex", ErrMalformed)
	}
	if len(payload) < 1 || payload[0] != versionByte {
		return "", nil, fmt.Errorf("%w: unknown key version", ErrMalformed)
	}
	return name, payload, nil
}

// open decrypts payload with the current format, then the legacy one.
func open(secret [32]byte, payload []byte) ([]byte, Format, error) {
	if len(payload) >= 1+sivNonceSize+sivTagSize {
		plain, err := sivOpen(deriveKey(secret, "admin key"), payload[1:1+sivNonceSize], payload[1+sivNonceSize:], payload[:1])
		if err == nil {
			return plain, Current, nil
		}
	}
	if len(payload) >= 1+24+secretbox.Overhead {
		var nonce [24]byte
		copy(nonce[:], payload[1:25])
		if plain, ok := secretbox.Open(nil, payload[25:], &nonce, &secret); ok {
			return plain, Legacy, nil
		}
	}
	return nil, 0, ErrInvalid
}
