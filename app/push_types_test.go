package app

import (
	"encoding/json"
	"testing"
)

func TestIndexConfigsCarryEveryFieldTheCLIRequires(t *testing.T) {
	tests := []struct {
		name string
		ix   indexConfig
		want string
	}{
		{"a search index without filter fields sends an empty list",
			indexConfig{Name: "docs.search_body", Type: "search", SearchField: "body"},
			`{"name":"docs.search_body","type":"search","searchField":"body","filterFields":[]}`},
		{"a vector index without filter fields sends an empty list",
			indexConfig{Name: "docs.by_embedding", Type: "vector", VectorField: "embedding", Dimensions: 3},
			`{"name":"docs.by_embedding","type":"vector","vectorField":"embedding","dimensions":3,"filterFields":[]}`},
		{"filter fields are kept",
			indexConfig{Name: "docs.s", Type: "search", SearchField: "body", FilterFields: []string{"author"}},
			`{"name":"docs.s","type":"search","searchField":"body","filterFields":["author"]}`},
		{"a database index sends its fields only",
			indexConfig{Name: "docs.by_author", Type: "database", Fields: []string{"author", "_creationTime"}},
			`{"name":"docs.by_author","type":"database","fields":["author","_creationTime"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(tt.ix)
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %s, %v\nwant %s", got, err, tt.want)
			}
		})
	}
}

func TestAuthInfosGiveCustomJWTProvidersAnApplicationID(t *testing.T) {
	cfg := json.RawMessage(`{"providers":[
		{"domain":"https://clerk.example.com","applicationID":"convex"},
		{"type":"customJwt","issuer":"https://auth.example.com","jwks":"https://auth.example.com/jwks","algorithm":"RS256"},
		{"type":"customJwt","applicationID":"app","issuer":"https://b.example.com","jwks":"data:,{}","algorithm":"ES256"}]}`)
	got := authInfos(cfg)
	if len(got) != 3 {
		t.Fatalf("got %d providers, want 3", len(got))
	}
	wantApp := []string{`"convex"`, `null`, `"app"`}
	for i, p := range got {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(p, &fields); err != nil {
			t.Fatalf("provider %d: %v", i, err)
		}
		if app, ok := fields["applicationID"]; !ok || string(app) != wantApp[i] {
			t.Errorf("provider %d applicationID = %s (present %v), want %s", i, app, ok, wantApp[i])
		}
	}
}
