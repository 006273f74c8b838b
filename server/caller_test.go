package server

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestBearerTokensAreReadAsConvexReadsThem(t *testing.T) {
	tests := []struct {
		name, header, token string
		refused             bool
	}{
		{"a Bearer token is trimmed", "Bearer  abc.def.ghi ", "abc.def.ghi", false},
		{"the scheme is matched case-insensitively", "bearer x", "x", false},
		{"another scheme is refused", "Basic dXNlcjpwdw==", "", true},
		{"Bearer with nothing after it is refused", "Bearer ", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := BearerToken(tt.header)
			if tt.refused {
				var he *HTTPError
				if !errors.As(err, &he) || he.Status != http.StatusUnauthorized || he.Code != CodeInvalidAuthHeader || he.Message != "Header must begin with `bearer `" {
					t.Fatalf("got %q, %v; want Convex's 401 InvalidAuthHeader", tok, err)
				}
				return
			}
			if err != nil || tok != tt.token {
				t.Fatalf("got %q, %v; want %q", tok, err, tt.token)
			}
		})
	}
}

func TestHTTPActionsRunWhenTheirAuthorizationIsNotConvexAuth(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/http/hook", nil)
	r.Header.Set("Authorization", "Basic dXNlcjpwdw==")
	if _, err := CallerOf(r, nil, NewAuth("i", "s")); err == nil {
		t.Fatal("a function call with a header that is not Bearer is refused")
	}
	c := HTTPActionCaller(r, nil, NewAuth("i", "s"))
	if c.Admin || c.User != nil || c.Refused == nil {
		t.Fatalf("an HTTP action runs anonymously, with the refusal for getUserIdentity: %+v", c)
	}
}
