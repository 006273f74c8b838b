package adminkey

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestPolyvalMatchesTheRFC8452Example(t *testing.T) {
	h := unhex(t, "25629347589242761d31f826ba4b757b")
	x := unhex(t, "4f4f95668c83dfb6401762bb2d01a262d1a24ddd2721d006bbe45f20d3c9f362")
	got := polyval(h, x)
	if hex.EncodeToString(got[:]) != "f7a3b47b846119fae5b7866cf5e5b77e" {
		t.Fatalf("POLYVAL = %x", got)
	}
}

func TestSIVMatchesRFC8452Vectors(t *testing.T) {
	tests := []struct {
		name, plaintext, aad, sealed string
	}{
		{name: "an empty message gives only a tag", sealed: "dc20e2d83f25705bb49e439eca56de25"},
		{name: "an eight-byte message", plaintext: "0100000000000000", sealed: "b5d839330ac7b786578782fff6013b815b287c22493a364c"},
	}
	key := unhex(t, "01000000000000000000000000000000")
	nonce := unhex(t, "030000000000000000000000")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sealed, err := sivSeal(key, nonce, unhex(t, tt.plaintext), unhex(t, tt.aad))
			if err != nil {
				t.Fatal(err)
			}
			if hex.EncodeToString(sealed) != tt.sealed {
				t.Fatalf("sealed = %x, want %s", sealed, tt.sealed)
			}
			plain, err := sivOpen(key, nonce, sealed, unhex(t, tt.aad))
			if err != nil || !bytes.Equal(plain, unhex(t, tt.plaintext)) {
				t.Fatalf("open = %x, %v", plain, err)
			}
			sealed[0] ^= 1
			if _, err := sivOpen(key, nonce, sealed, unhex(t, tt.aad)); err == nil {
				t.Fatal("a tampered message opened")
			}
		})
	}
}
