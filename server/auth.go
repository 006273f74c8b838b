package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"hull/adminkey"
	"hull/auth"
)

// Admin is a caller authenticated with an admin key.
type Admin struct {
	Claims adminkey.Claims
	// Identity is the JSON user identity the admin acts as (the
	// ":<base64 JSON>" suffix the CLI's --identity adds), or nil.
	Identity json.RawMessage
}

// Auth checks admin keys for one instance.
type Auth struct {
	instanceName   string
	instanceSecret string
}

// NewAuth returns an Auth for the instance.
func NewAuth(instanceName, instanceSecret string) *Auth {
	return &Auth{instanceName: instanceName, instanceSecret: instanceSecret}
}

// AdminKeyFromRequest returns the admin key a request carries: from an
// "Authorization: Convex <key>" header (prefix matched case-insensitively)
// or, when there is no Authorization header, the adminKey query parameter.
func AdminKeyFromRequest(r *http.Request) (string, bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		const prefix = "convex "
		if len(h) > len(prefix) && strings.EqualFold(h[:len(prefix)], prefix) {
			return strings.TrimSpace(h[len(prefix):]), true
		}
		return "", false
	}
	if k := r.URL.Query().Get("adminKey"); k != "" {
		return k, true
	}
	return "", false
}

// Check verifies a presented key, which may carry a deployment-type prefix
// and a ":<base64 JSON identity>" suffix. Errors are *HTTPError (401).
func (a *Auth) Check(presented string) (Admin, error) {
	key, identity := splitIdentity(presented)
	claims, err := adminkey.Check(key, a.instanceName, a.instanceSecret)
	if err != nil {
		msg := "The provided admin key was invalid for this instance"
		if errors.Is(err, adminkey.ErrWrongInstance) {
			msg = "The provided admin key was issued for another instance"
		}
		return Admin{}, newHTTPError(http.StatusUnauthorized, CodeBadAdminKey, msg)
	}
	adm := Admin{Claims: claims}
	if identity != "" {
		raw, err := decodeBase64(identity)
		if err != nil || !json.Valid(raw) {
			return Admin{}, newHTTPError(http.StatusBadRequest, CodeBadRequest, "the identity after the admin key is not base64 JSON")
		}
		adm.Identity = raw
	}
	return adm, nil
}

// Authorize authenticates r with the key from its header or query, else
// bodyKey (the adminKey field some endpoints carry in their JSON body).
func (a *Auth) Authorize(r *http.Request, bodyKey string) (Admin, error) {
	key, ok := AdminKeyFromRequest(r)
	if !ok {
		key = bodyKey
	}
	if key == "" {
		return Admin{}, newHTTPError(http.StatusUnauthorized, CodeBadAdminKey,
			"This endpoint needs an admin key: send Authorization: Convex <admin key>")
	}
	return a.Check(key)
}

// Require wraps next so it runs only for callers with a valid admin key in
// the header or query; the Admin is available through AdminFrom.
func (a *Auth) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		adm, err := a.Authorize(r, "")
		if err != nil {
			WriteErr(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), adminKey, adm)))
	})
}

// AdminFrom returns the Admin that Require stored in ctx.
func AdminFrom(ctx context.Context) (Admin, bool) {
	adm, ok := ctx.Value(adminKey).(Admin)
	return adm, ok
}

// splitIdentity separates "[type:]name|hex[:identity]" into the key and
// the identity suffix. The optional type prefix sits before the '|', so
// the first ':' after it starts the identity.
func splitIdentity(presented string) (key, identity string) {
	rest := presented
	head := ""
	if i := strings.IndexByte(presented, '|'); i >= 0 {
		head, rest = presented[:i+1], presented[i+1:]
	}
	if j := strings.IndexByte(rest, ':'); j >= 0 {
		return head + rest[:j], rest[j+1:]
	}
	return presented, ""
}

func decodeBase64(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, nil
		}
	}
	return nil, errors.New("not base64")
}

// CodeInvalidAuthHeader is Convex's code for an Authorization header it
// cannot use.
const CodeInvalidAuthHeader = auth.CodeInvalidAuthHeader

// BearerToken returns the token of an "Authorization: Bearer <token>"
// header (the scheme matched case-insensitively, the token trimmed), or
// Convex's 401 for any other header.
func BearerToken(header string) (string, error) {
	const bearer = "bearer "
	if len(header) <= len(bearer) || !strings.EqualFold(header[:len(bearer)], bearer) {
		return "", newHTTPError(http.StatusUnauthorized, CodeInvalidAuthHeader, "Header must begin with `bearer `")
	}
	return strings.TrimSpace(header[len(bearer):]), nil
}
