package server

import (
	"encoding/base64"
	"net/http"
	"testing"
)

func jwt(payload string) string {
	enc := base64.RawURLEncoding.EncodeToString
	return enc([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc([]byte(payload)) + ".c2ln"
}

func TestUserTokensAreRefusedAsConvexRefusesThem(t *testing.T) {
	tests := []struct {
		name, header, code, message string
	}{
		{"garbage after Bearer is not a JWT", "Bearer garbage", CodeInvalidAuthHeader, "Could not parse JWT payload"},
		{"a scheme other than Bearer is refused", "Basic dXNlcjpwdw==", CodeInvalidAuthHeader, "Header must begin with `bearer `"},
		{"Bearer with nothing after it is refused", "Bearer ", CodeInvalidAuthHeader, "Header must begin with `bearer `"},
		{"a payload that is not JSON is not a JWT", "Bearer a.bm90IGpzb24.c", CodeInvalidAuthHeader, "Could not parse JWT payload"},
		{"a JWT without an issuer is refused", "Bearer " + jwt(`{"aud":"app","sub":"u"}`), CodeInvalidAuthHeader, "Missing issuer in JWT payload"},
		{"a JWT without an audience is refused", "bearer " + jwt(`{"iss":"https://auth.example.com","sub":"u"}`), CodeInvalidAuthHeader, "Missing audience in JWT payload"},
		{"a well-formed JWT cannot be verified yet", "Bearer " + jwt(`{"iss":"https://auth.example.com","aud":["app"],"sub":"u"}`), CodeUnauthenticated, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := UserToken(tt.header)
			if e.Status != http.StatusUnauthorized || e.Code != tt.code {
				t.Fatalf("UserToken(%q) = %d %s %q, want 401 %s", tt.header, e.Status, e.Code, e.Message, tt.code)
			}
			if tt.message != "" && e.Message != tt.message {
				t.Fatalf("message = %q, want %q", e.Message, tt.message)
			}
		})
	}
}
