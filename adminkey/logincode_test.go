package adminkey

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoginCodes(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	code, err := IssueLoginCode("inst", "secret", now, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := IssueLoginCode("inst", "secret", now, 5*time.Minute)
	tampered := []byte(code)
	tampered[3] ^= 1
	cases := []struct {
		name     string
		code     string
		instance string
		secret   string
		at       time.Time
		want     error
	}{
		{"a fresh code is valid", code, "inst", "secret", now.Add(time.Minute), nil},
		{"a code is valid until just before it expires", code, "inst", "secret", now.Add(5*time.Minute - time.Second), nil},
		{"an expired code is refused as expired", code, "inst", "secret", now.Add(5 * time.Minute), ErrLoginCodeExpired},
		{"a code of another instance is invalid", code, "other", "secret", now, ErrLoginCodeInvalid},
		{"a code signed with another secret is invalid", code, "inst", "other secret", now, ErrLoginCodeInvalid},
		{"a tampered code is invalid", string(tampered), "inst", "secret", now, ErrLoginCodeInvalid},
		{"a code without its mac is invalid", strings.Split(code, ".")[0], "inst", "secret", now, ErrLoginCodeInvalid},
		{"garbage is invalid", "not.a code", "inst", "secret", now, ErrLoginCodeInvalid},
		{"an overlong code is invalid", strings.Repeat("a", 300) + "." + "b", "inst", "secret", now, ErrLoginCodeInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := CheckLoginCode(c.code, c.instance, c.secret, c.at)
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	n1, _, _ := CheckLoginCode(code, "inst", "secret", now)
	n2, _, _ := CheckLoginCode(other, "inst", "secret", now)
	if n1 == n2 {
		t.Fatal("two codes share a nonce")
	}
}
