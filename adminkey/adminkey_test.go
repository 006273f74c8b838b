package adminkey

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"
)

// devSecret is the development instance secret published with the Convex
// backend; devAdminKey and devSystemKey were minted with it for the
// instance "carnitas" in the legacy format.
const (
	devSecret    = "4361726e697461732c206c69746572616c6c79206d65616e696e6720226c6974"
	devAdminKey  = "0135d8598650f8f5cb0f30c34ec2e2bb62793bc28717c8eb6fb577996d50be5f4281b59181095065c5d0f86a2c31ddbe9b597ec62b47ded69782cd"
	devSystemKey = "carnitas|01ec1dc4339bc4a2c653e70016b1e1dea952bcfd707a0cd49c1bddcdfcd4d4a79bb2d6bdfa2f1493a1937cdb71e984c4a7"
	// currentVector: plaintext issued_s=1700000000, member_id=0, all-zero
	// nonce, under devSecret, in the GCM-SIV format.
	currentVector = "convex-self-hosted|01000000000000000000000000193c1d1d0ffdb38a78c50cfd2c3a4f7b118dbc819ff70f5f"
	otherSecret   = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
)

func TestDerivedKeyMatchesTheKnownVector(t *testing.T) {
	secret, err := DecodeSecret(devSecret)
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(deriveKey(secret, "admin key")); got != "a7526e1715ea4effa55636bee910d731" {
		t.Fatalf("derived key = %s", got)
	}
}

func TestIssueCurrentReproducesTheKnownVector(t *testing.T) {
	got, err := issueCurrent("convex-self-hosted", devSecret, time.Unix(1700000000, 0), [12]byte{})
	if err != nil {
		t.Fatal(err)
	}
	if got != currentVector {
		t.Fatalf("got  %s\nwant %s", got, currentVector)
	}
}

func TestCheck(t *testing.T) {
	legacy, err := Issue("convex-self-hosted", devSecret)
	if err != nil {
		t.Fatal(err)
	}
	current, err := IssueCurrent("convex-self-hosted", devSecret)
	if err != nil {
		t.Fatal(err)
	}
	tamperedLegacy := legacy[:len(legacy)-2] + flipHex(legacy[len(legacy)-2:])
	tests := []struct {
		name     string
		key      string
		instance string
		secret   string
		want     error
		check    func(t *testing.T, c Claims)
	}{
		{name: "the published dev admin key without a prefix is a legacy member key", key: devAdminKey, instance: "carnitas", secret: devSecret,
			check: func(t *testing.T, c Claims) {
				if c.Format != Legacy || c.System || c.MemberID != 0 || c.InstanceName != "carnitas" || c.IssuedAt.IsZero() {
					t.Errorf("claims = %+v", c)
				}
			}},
		{name: "the published dev system key is a system key", key: devSystemKey, instance: "carnitas", secret: devSecret,
			check: func(t *testing.T, c Claims) {
				if c.Format != Legacy || !c.System {
					t.Errorf("claims = %+v", c)
				}
			}},
		{name: "the GCM-SIV vector verifies in the current format", key: currentVector, instance: "convex-self-hosted", secret: devSecret,
			check: func(t *testing.T, c Claims) {
				if c.Format != Current || c.IssuedAt.Unix() != 1700000000 {
					t.Errorf("claims = %+v", c)
				}
			}},
		{name: "a freshly issued key verifies as legacy", key: legacy, instance: "convex-self-hosted", secret: devSecret,
			check: func(t *testing.T, c Claims) {
				if c.Format != Legacy {
					t.Errorf("format = %v", c.Format)
				}
			}},
		{name: "a freshly issued current key verifies as current", key: current, instance: "convex-self-hosted", secret: devSecret,
			check: func(t *testing.T, c Claims) {
				if c.Format != Current {
					t.Errorf("format = %v", c.Format)
				}
			}},
		{name: "a deployment-type prefix is ignored", key: "prod:" + legacy, instance: "convex-self-hosted", secret: devSecret},
		{name: "surrounding whitespace is ignored", key: " " + legacy + "\n", instance: "convex-self-hosted", secret: devSecret},
		{name: "another instance name is refused", key: legacy, instance: "other", secret: devSecret, want: ErrWrongInstance},
		{name: "the dev key is refused for another instance", key: devAdminKey, instance: "convex-self-hosted", secret: devSecret, want: ErrWrongInstance},
		{name: "another secret is refused", key: legacy, instance: "convex-self-hosted", secret: otherSecret, want: ErrInvalid},
		{name: "a tampered key is refused", key: tamperedLegacy, instance: "convex-self-hosted", secret: devSecret, want: ErrInvalid},
		{name: "a non-hex payload is malformed", key: "convex-self-hosted|zz", instance: "convex-self-hosted", secret: devSecret, want: ErrMalformed},
		{name: "an empty key is malformed", key: "", instance: "convex-self-hosted", secret: devSecret, want: ErrMalformed},
		{name: "a cloud access token is malformed", key: "eyJ2MiI6ImFiYyJ9", instance: "convex-self-hosted", secret: devSecret, want: ErrMalformed},
		{name: "a short secret is refused", key: legacy, instance: "convex-self-hosted", secret: "abcd", want: ErrBadSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Check(tt.key, tt.instance, tt.secret)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
				t.Fatalf("Check error = %v, want %v", err, tt.want)
			}
			if err := Verify(tt.key, tt.instance, tt.secret); !errors.Is(err, tt.want) {
				t.Fatalf("Verify error = %v, want %v", err, tt.want)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestIssuedLegacyKeysHaveThePublishedShape(t *testing.T) {
	key, err := Issue("convex-self-hosted", devSecret)
	if err != nil {
		t.Fatal(err)
	}
	name, payload, ok := strings.Cut(key, "|")
	if !ok || name != "convex-self-hosted" {
		t.Fatalf("key %q has no instance prefix", key)
	}
	if len(payload) != 98 || !strings.HasPrefix(payload, "01") {
		t.Fatalf("payload %q: want 98 hex characters starting with 01", payload)
	}
}

func TestIssueRefusesBadInput(t *testing.T) {
	tests := []struct {
		name, instance, secret string
	}{
		{"an empty instance name", "", devSecret},
		{"an instance name with a pipe", "a|b", devSecret},
		{"a secret that is not hex", "x", strings.Repeat("g", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Issue(tt.instance, tt.secret); err == nil {
				t.Fatal("Issue succeeded")
			}
		})
	}
}

func TestNewSecretIsUsable(t *testing.T) {
	s, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	key, err := Issue("i", s)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(key, "i", s); err != nil {
		t.Fatal(err)
	}
}

func flipHex(s string) string {
	b, _ := hex.DecodeString(s)
	b[0] ^= 1
	return hex.EncodeToString(b)
}

func FuzzCheck(f *testing.F) {
	f.Add(devAdminKey)
	f.Add(devSystemKey)
	f.Add(currentVector)
	f.Add("prod:x|01")
	f.Fuzz(func(t *testing.T, key string) {
		c, err := Check(key, "carnitas", devSecret)
		if err == nil && c.InstanceName != "carnitas" {
			t.Fatalf("accepted a key for %q", c.InstanceName)
		}
	})
}
