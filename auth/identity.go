package auth

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// The UserIdentity fields Convex types, in the order it writes them, with
// the OIDC claim each comes from.
var standardFields = []struct{ field, claim string }{
	{"name", "name"},
	{"givenName", "given_name"},
	{"familyName", "family_name"},
	{"nickname", "nickname"},
	{"preferredUsername", "preferred_username"},
	{"profileUrl", "profile"},
	{"pictureUrl", "picture"},
	{"websiteUrl", "website"},
	{"email", "email"},
	{"emailVerified", "email_verified"},
	{"gender", "gender"},
	{"birthday", "birthdate"},
	{"timezone", "zoneinfo"},
	{"language", "locale"},
	{"phoneNumber", "phone_number"},
	{"phoneNumberVerified", "phone_number_verified"},
	{"address", "address"},
	{"updatedAt", "updated_at"},
}

// oidcNotCustom are the claims of an OIDC ID token that are not custom
// claims: registered and ID-token claims, the standard claims above, and
// claims that change at every refresh.
var oidcNotCustom = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "auth_time", "nonce",
		"acr", "amr", "azp", "at_hash", "c_hash", "fva"} {
		m[c] = true
	}
	for _, f := range standardFields {
		m[f.claim] = true
	}
	return m
}()

// jwtRegistered are the registered claims of a customJwt token, which
// are not custom claims.
var jwtRegistered = map[string]bool{"iss": true, "sub": true, "aud": true, "exp": true, "nbf": true, "iat": true, "jti": true}

// member is one field of an identity object.
type member struct {
	name  string
	value json.RawMessage
}

// oidcIdentity builds the identity of a verified OIDC ID token: the
// standard claims under Convex's names, the others as custom claims.
func oidcIdentity(t *token, raw string) (*Identity, error) {
	fields := []member{}
	for _, f := range standardFields {
		v, ok := t.claims[f.claim]
		if !ok || string(v) == "null" {
			continue
		}
		out, err := standardValue(f.claim, v)
		if err != nil {
			return nil, err
		}
		fields = append(fields, member{f.field, out})
	}
	var custom []member
	for k, v := range t.claims {
		if !oidcNotCustom[k] {
			custom = append(custom, member{k, compact(v)})
		}
	}
	return buildIdentity(t.iss, *t.sub, fields, custom, *t.exp, raw)
}

// standardValue converts an OIDC standard claim to the type Convex gives
// its field: booleans for the *_verified claims, the formatted address,
// updated_at as an RFC 3339 time, strings otherwise.
func standardValue(claim string, v json.RawMessage) (json.RawMessage, error) {
	switch claim {
	case "email_verified", "phone_number_verified":
		var b bool
		if json.Unmarshal(v, &b) == nil {
			return json.Marshal(b)
		}
		var s string
		if json.Unmarshal(v, &s) == nil && (s == "true" || s == "false") {
			return json.Marshal(s == "true")
		}
		return nil, fmt.Errorf("%s is not a boolean", claim)
	case "address":
		var a struct {
			Formatted *string `json:"formatted"`
		}
		if json.Unmarshal(v, &a) != nil {
			return nil, errors.New("address is not an object")
		}
		if a.Formatted == nil {
			return json.RawMessage("null"), nil
		}
		return json.Marshal(*a.Formatted)
	case "updated_at":
		var f float64
		if json.Unmarshal(v, &f) != nil {
			return nil, errors.New("updated_at is not a number of seconds")
		}
		return json.Marshal(time.Unix(int64(f), 0).UTC().Format(time.RFC3339))
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		// Localized claims may come as other JSON; Convex wants strings.
		return nil, fmt.Errorf("%s is not a string", claim)
	}
	return json.Marshal(s)
}

// customIdentity builds the identity of a verified customJwt token:
// every claim but the registered ones is a custom claim, nested objects
// flattened to "a.b" names, as Convex does.
func customIdentity(t *token, raw string) (*Identity, error) {
	var custom []member
	for k, v := range t.claims {
		if jwtRegistered[k] {
			continue
		}
		flatten(k, v, &custom, 0)
	}
	kept := custom[:0]
	for _, m := range custom {
		if m.name != "fva" {
			kept = append(kept, m)
		}
	}
	return buildIdentity(t.iss, *t.sub, nil, kept, *t.exp, raw)
}

func flatten(prefix string, v json.RawMessage, out *[]member, depth int) {
	v = bytes.TrimSpace(v)
	if len(v) > 0 && v[0] == '{' && depth < 16 {
		var obj map[string]json.RawMessage
		if json.Unmarshal(v, &obj) == nil {
			for k, sub := range obj {
				flatten(prefix+"."+k, sub, out, depth+1)
			}
			return
		}
	}
	*out = append(*out, member{prefix, compact(v)})
}

func compact(v json.RawMessage) json.RawMessage {
	var b bytes.Buffer
	if json.Compact(&b, v) != nil {
		return v
	}
	return b.Bytes()
}

func buildIdentity(iss, sub string, fields, custom []member, exp time.Time, raw string) (*Identity, error) {
	tokenID := iss + tokenIdentifierSeparator + sub
	sort.Slice(custom, func(i, j int) bool { return custom[i].name < custom[j].name })
	all := make([]member, 0, 3+len(fields)+len(custom))
	all = append(all, member{"tokenIdentifier", mustString(tokenID)}, member{"issuer", mustString(iss)}, member{"subject", mustString(sub)})
	all = append(all, fields...)
	seen := make(map[string]bool, len(all))
	for _, m := range all {
		seen[m.name] = true
	}
	for _, m := range custom {
		if !seen[m.name] { // a typed field wins over a custom claim of its name
			all = append(all, m)
		}
	}
	js := encodeObject(all)
	return &Identity{TokenIdentifier: tokenID, Subject: sub, Issuer: iss, Expires: exp, JSON: js,
		Key: identityKey(identityKeyPrefix, js), Token: raw}, nil
}

func mustString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

func encodeObject(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(mustString(m.name))
		b.WriteByte(':')
		b.Write(m.value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// ActingAs returns the identity an admin acts as: the JSON object of
// UserIdentity attributes the CLI's --identity and the dashboard send
// (tokenIdentifier, or issuer and subject, plus any other fields).
func ActingAs(attrs []byte) (*Identity, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(attrs, &obj); err != nil || obj == nil {
		return nil, errors.New("the identity to act as must be a JSON object")
	}
	str := func(k string) string {
		var s string
		_ = json.Unmarshal(obj[k], &s)
		return s
	}
	iss, sub, tokenID := str("issuer"), str("subject"), str("tokenIdentifier")
	if tokenID == "" {
		if iss == "" || sub == "" {
			return nil, errors.New(`Either "tokenIdentifier" or "issuer" and "subject" must be set`)
		}
		tokenID = iss + tokenIdentifierSeparator + sub
	}
	rest := make([]member, 0, len(obj))
	for k, v := range obj {
		if k != "tokenIdentifier" {
			rest = append(rest, member{k, compact(v)})
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].name < rest[j].name })
	js := encodeObject(append([]member{{"tokenIdentifier", mustString(tokenID)}}, rest...))
	return &Identity{TokenIdentifier: tokenID, Subject: sub, Issuer: iss, JSON: js,
		Key: identityKey(actingIdentityKeyPrefix, js)}, nil
}

// String names an identity for logs.
func (id *Identity) String() string {
	if id == nil {
		return "anonymous"
	}
	return strings.TrimSpace(id.TokenIdentifier)
}
