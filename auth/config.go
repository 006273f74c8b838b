package auth

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// Provider is one entry of auth.config.js's providers.
type Provider struct {
	// CustomJWT is true for {type: "customJwt"}; false for an OIDC
	// provider ({domain, applicationID}).
	CustomJWT bool
	// Issuer is the OIDC domain or the customJwt issuer, with a scheme
	// (https:// is added when none is given, as Convex does).
	Issuer string
	// ApplicationID must be among a token's audiences; for customJwt it
	// is optional (HasApplicationID false: any audience, or none).
	ApplicationID    string
	HasApplicationID bool
	// JWKS (customJwt) is the URL of the key set, or a data: URI holding it.
	JWKS string
	// Algorithm (customJwt) is "RS256" or "ES256".
	Algorithm string
}

// String names the provider as Convex's messages list providers.
func (p Provider) String() string {
	if p.CustomJWT {
		app := "none"
		if p.HasApplicationID {
			app = p.ApplicationID
		}
		return fmt.Sprintf("CustomJWT(issuer=%s, app_id=%s)", p.Issuer, app)
	}
	return fmt.Sprintf("OIDC(domain=%s, app_id=%s)", p.Issuer, p.ApplicationID)
}

// ParseConfig reads the JSON of auth.config.js's default export. An empty
// config has no providers. Errors are *Error (400) saying what to fix.
func ParseConfig(raw []byte) ([]Provider, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	var cfg struct {
		Providers []json.RawMessage `json:"providers"`
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, badRequest(CodeInvalidAuthConfig, "auth.config.ts must export default {providers: [...]}: "+err.Error())
	}
	out := make([]Provider, 0, len(cfg.Providers))
	for i, p := range cfg.Providers {
		prov, err := parseProvider(p)
		if err != nil {
			return nil, badRequest(err.Code, fmt.Sprintf("auth.config.ts provider %d: %s", i, err.Message))
		}
		out = append(out, prov)
	}
	return out, nil
}

func parseProvider(raw json.RawMessage) (Provider, *Error) {
	var f struct {
		Type          *string `json:"type"`
		Domain        *string `json:"domain"`
		ApplicationID *string `json:"applicationID"`
		Issuer        *string `json:"issuer"`
		JWKS          *string `json:"jwks"`
		Algorithm     *string `json:"algorithm"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return Provider{}, badRequest(CodeInvalidAuthConfig, "a provider must be an object of strings: "+err.Error())
	}
	if f.Type != nil && *f.Type == "customJwt" {
		if f.Issuer == nil || f.JWKS == nil || f.Algorithm == nil {
			return Provider{}, badRequest(CodeInvalidAuthConfig, `a customJwt provider needs issuer, jwks and algorithm ("RS256" or "ES256")`)
		}
		if *f.Algorithm != "RS256" && *f.Algorithm != "ES256" {
			return Provider{}, badRequest(CodeInvalidAlgorithm, fmt.Sprintf("Invalid signature algorithm (only RS256 and ES256 are supported): %q", *f.Algorithm))
		}
		iss, err := issuerURL(*f.Issuer)
		if err != nil {
			return Provider{}, err
		}
		p := Provider{CustomJWT: true, Issuer: iss, JWKS: *f.JWKS, Algorithm: *f.Algorithm}
		if f.ApplicationID != nil {
			p.ApplicationID, p.HasApplicationID = *f.ApplicationID, true
		}
		if strings.HasPrefix(p.JWKS, "data:") {
			if _, err := decodeDataURI(p.JWKS); err != nil {
				return Provider{}, badRequest(CodeInvalidAuthConfig, "Invalid JWKS data URL. Check that the data URL is properly formatted and contains valid base64-encoded JSON: "+err.Error())
			}
		} else if u, err := url.Parse(p.JWKS); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Provider{}, badRequest(CodeInvalidAuthConfig, fmt.Sprintf("jwks %q must be an http(s) URL or a data: URI", p.JWKS))
		}
		return p, nil
	}
	if f.Type != nil {
		return Provider{}, badRequest(CodeInvalidAuthConfig, fmt.Sprintf("unknown provider type %q: use customJwt, or {domain, applicationID} for OIDC", *f.Type))
	}
	if f.Domain == nil || f.ApplicationID == nil {
		return Provider{}, badRequest(CodeInvalidAuthConfig, "an OIDC provider needs domain and applicationID")
	}
	iss, err := issuerURL(*f.Domain)
	if err != nil {
		return Provider{}, err
	}
	return Provider{Issuer: iss, ApplicationID: *f.ApplicationID, HasApplicationID: true}, nil
}

// issuerURL checks a provider domain or issuer and gives it a scheme.
func issuerURL(s string) (string, *Error) {
	bad := func(why string) *Error {
		return badRequest(CodeInvalidProviderURL, fmt.Sprintf("Invalid provider domain URL %q: %s", s, why))
	}
	if strings.HasPrefix(s, `"`) {
		return "", bad(`starts with a double quote (")`)
	}
	full := s
	hadScheme := strings.Contains(s, "://")
	if !hadScheme {
		full = "https://" + s
	}
	u, err := url.Parse(full)
	if err != nil {
		return "", bad(err.Error())
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "", bad("scheme should be http or https")
	}
	if u.Host == "" {
		return "", bad("it has no host")
	}
	if !hadScheme && u.Hostname() != "localhost" && !strings.Contains(u.Hostname(), ".") {
		return "", bad("Does not look like a URL (must have a scheme or end with a top-level domain)")
	}
	return full, nil
}

// sameIssuer compares issuers as Convex does: a token's iss without a
// scheme gets https://, and trailing slashes do not count.
func sameIssuer(configured, tokenIss string) bool {
	if !strings.HasPrefix(tokenIss, "https://") && !strings.HasPrefix(tokenIss, "http://") {
		tokenIss = "https://" + tokenIss
	}
	return strings.TrimRight(configured, "/") == strings.TrimRight(tokenIss, "/")
}

// matches reports whether a token with these audiences and issuer is
// routed to p.
func (p Provider) matches(aud []string, iss string) bool {
	if p.HasApplicationID {
		found := false
		for _, a := range aud {
			if a == p.ApplicationID {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return sameIssuer(p.Issuer, iss)
}

func noProviderError(providers []Provider, redact bool) *Error {
	msg := "No auth provider found matching the given token"
	switch {
	case redact:
	case len(providers) == 0:
		msg += " (no providers configured). Check convex/auth.config.ts."
	default:
		names := make([]string, len(providers))
		for i, p := range providers {
			names[i] = p.String()
		}
		msg += ". Check that your JWT's issuer and audience match one of your configured providers: [" + strings.Join(names, ", ") + "]"
	}
	return unauthenticated(CodeNoAuthProvider, msg)
}
