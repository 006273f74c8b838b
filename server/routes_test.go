package server

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestRouting(t *testing.T) {
	app := appFunc(func(r *Routes) {
		r.HandleFunc("POST /api/query", func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, 200, "query") })
		r.HandleFunc("GET /api/storage/{storageId}", func(w http.ResponseWriter, req *http.Request) {
			WriteJSON(w, 200, "file "+req.PathValue("storageId"))
		})
		r.Sync(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, 200, "sync") }))
		r.HandleFunc("GET /api/boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
	})
	r := start(t, Config{}, readyWith(app))
	tests := []struct {
		name, method, path string
		status             int
		want               string
	}{
		{"a registered route is served", "POST", "/api/query", 200, `"query"`},
		{"a doubled slash from a base URL with a trailing slash still routes", "POST", "//api/query", 200, `"query"`},
		{"the sync socket is dispatched before the mux", "GET", "/api/1.48.0/sync", 200, `"sync"`},
		{"storage ids do not collide with the sync route", "GET", "/api/storage/abc", 200, `"file abc"`},
		{"a pending CLI endpoint answers 501", "POST", "/api/deploy2/start_push", 501, `"code":"NotImplemented"`},
		{"a pending endpoint with a wildcard answers 501", "GET", "/api/export/zip/123", 501, `"code":"NotImplemented"`},
		{"an unknown API path answers 404 JSON", "POST", "/api/nothing_here", 404, `"code":"NotFound"`},
		{"evaluate_schema stays 404 so the CLI falls back", "POST", "/api/deploy2/evaluate_schema", 404, `"code":"NotFound"`},
		{"a wrong method answers 405 JSON", "GET", "/api/query", 405, `"code":"MethodNotAllowed"`},
		{"an unknown top-level path answers 404 JSON", "GET", "/nope", 404, `"code":"NotFound"`},
		{"a panic becomes a 500 JSON error", "GET", "/api/boom", 500, `"code":"InternalServerError"`},
		{"the server still serves after a panic", "POST", "/api/query", 200, `"query"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.method, r.url+tt.path, "{}", nil)
			if got.status != tt.status || !strings.Contains(got.body, tt.want) {
				t.Fatalf("%s %s = %d %q, want %d containing %q", tt.method, tt.path, got.status, got.body, tt.status, tt.want)
			}
			if got.status >= 400 && !strings.HasPrefix(got.header.Get("Content-Type"), "application/json") {
				t.Fatalf("error content type = %q", got.header.Get("Content-Type"))
			}
		})
	}
}

func TestSyncWithoutAHandlerAnswers501(t *testing.T) {
	r := start(t, Config{}, readyWith(appFunc(func(*Routes) {})))
	if got := do(t, "GET", r.url+"/api/1.48.0/sync", "", nil); got.status != 501 {
		t.Fatalf("got %d %s", got.status, got.body)
	}
}

func TestAnApplicationMayOverrideAPendingEndpoint(t *testing.T) {
	app := appFunc(func(r *Routes) {
		r.HandleFunc("GET /api/export/zip/{snapshot}", func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, 200, "zip") })
	})
	r := start(t, Config{}, readyWith(app))
	if got := do(t, "GET", r.url+"/api/export/zip/9", "", nil); got.status != 200 {
		t.Fatalf("got %d %s", got.status, got.body)
	}
}

func TestMiddleware(t *testing.T) {
	app := appFunc(func(r *Routes) {
		r.HandleFunc("POST /api/upload", func(w http.ResponseWriter, req *http.Request) {
			buf := make([]byte, 64)
			for {
				if _, err := req.Body.Read(buf); err != nil {
					if err.Error() == "EOF" {
						WriteJSON(w, 200, "read")
					} else {
						WriteErr(w, BodyError(err))
					}
					return
				}
			}
		})
		r.HandleFunc("GET /http/hello", func(w http.ResponseWriter, _ *http.Request) { WriteJSON(w, 200, "hi") })
	})
	r := start(t, Config{MaxBodyBytes: 10}, readyWith(app))

	t.Run("a preflight is answered with mirrored origin and headers", func(t *testing.T) {
		got := do(t, "OPTIONS", r.url+"/api/query", "", map[string]string{
			"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
			"Access-Control-Request-Headers": "content-type,convex-client",
		})
		h := got.header
		if got.status != 200 || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
			h.Get("Access-Control-Allow-Credentials") != "true" || h.Get("Access-Control-Allow-Headers") != "content-type,convex-client" ||
			!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") || h.Get("Access-Control-Max-Age") != "86400" {
			t.Fatalf("preflight = %d %v", got.status, h)
		}
	})
	t.Run("a simple request gets the origin mirrored", func(t *testing.T) {
		got := do(t, "GET", r.url+"/version", "", map[string]string{"Origin": "http://localhost:5173"})
		if got.header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" {
			t.Fatalf("headers = %v", got.header)
		}
	})
	t.Run("HTTP actions manage their own CORS", func(t *testing.T) {
		got := do(t, "GET", r.url+"/http/hello", "", map[string]string{"Origin": "http://localhost:5173"})
		if got.status != 200 || got.header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("got %d %v", got.status, got.header)
		}
	})
	t.Run("every response carries a request id", func(t *testing.T) {
		got := do(t, "GET", r.url+"/version", "", nil)
		if len(got.header.Get("X-Request-Id")) != 16 {
			t.Fatalf("request id = %q", got.header.Get("X-Request-Id"))
		}
		got = do(t, "GET", r.url+"/version", "", map[string]string{"X-Request-Id": "from-proxy-1"})
		if got.header.Get("X-Request-Id") != "from-proxy-1" {
			t.Fatalf("request id = %q", got.header.Get("X-Request-Id"))
		}
	})
	t.Run("a declared body over the limit is refused with 413", func(t *testing.T) {
		got := do(t, "POST", r.url+"/api/upload", strings.Repeat("x", 11), nil)
		if got.status != 413 || got.json(t)["code"] != CodePayloadTooLarge {
			t.Fatalf("got %d %s", got.status, got.body)
		}
	})
	t.Run("a streamed body over the limit is refused with 413", func(t *testing.T) {
		// A reader of unknown length makes the client stream the body.
		req, _ := http.NewRequest("POST", r.url+"/api/upload", io.MultiReader(strings.NewReader(strings.Repeat("x", 100))))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("got %d", resp.StatusCode)
		}
	})
	t.Run("a body within the limit is read", func(t *testing.T) {
		if got := do(t, "POST", r.url+"/api/upload", "small", nil); got.status != 200 {
			t.Fatalf("got %d %s", got.status, got.body)
		}
	})
}

func TestCanonicalURLs(t *testing.T) {
	r := start(t, Config{}, readyWith(appFunc(func(*Routes) {})))
	if got := do(t, "GET", r.url+"/api/v1/get_canonical_urls", "", nil); got.status != 401 || got.json(t)["code"] != CodeBadAdminKey {
		t.Fatalf("without a key: %d %s", got.status, got.body)
	}
	got := do(t, "GET", r.url+"/api/v1/get_canonical_urls", "", adminHeader(t, "test-instance"))
	body := got.json(t)
	if got.status != 200 || body["convexCloudUrl"] != r.url || body["convexSiteUrl"] != r.url+"/http" {
		t.Fatalf("derived origins: %d %s", got.status, got.body)
	}
	configured := start(t, Config{CloudOrigin: "https://api.example.com", SiteOrigin: "https://site.example.com"}, readyWith(appFunc(func(*Routes) {})))
	got = do(t, "GET", configured.url+"/api/v1/get_canonical_urls", "", adminHeader(t, "test-instance"))
	if body := got.json(t); body["convexCloudUrl"] != "https://api.example.com" || body["convexSiteUrl"] != "https://site.example.com" {
		t.Fatalf("configured origins: %s", got.body)
	}
}

func TestAdminAuthentication(t *testing.T) {
	key := adminHeader(t, "test-instance")["Authorization"][len("Convex "):]
	otherKey := adminHeader(t, "other")["Authorization"][len("Convex "):]
	identity := base64.StdEncoding.EncodeToString([]byte(`{"subject":"u1","issuer":"https://auth"}`))
	app := appFunc(func(r *Routes) {
		r.Handle("GET /api/whoami", r.Auth().Require(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			adm, _ := AdminFrom(req.Context())
			WriteJSON(w, 200, map[string]any{"identity": string(adm.Identity)})
		})))
		r.HandleFunc("POST /api/push", func(w http.ResponseWriter, req *http.Request) {
			var body struct {
				AdminKey string `json:"adminKey"`
			}
			_ = readJSON(req, &body)
			if _, err := r.Auth().Authorize(req, body.AdminKey); err != nil {
				WriteErr(w, err)
				return
			}
			WriteJSON(w, 200, "pushed")
		})
	})
	r := start(t, Config{}, readyWith(app))
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
		want                     string
	}{
		{"a Convex header key is accepted", "GET", "/api/whoami", "", map[string]string{"Authorization": "Convex " + key}, 200, `"identity":""`},
		{"the header prefix is case-insensitive", "GET", "/api/whoami", "", map[string]string{"Authorization": "convex " + key}, 200, `"identity"`},
		{"a deployment-type prefix is accepted", "GET", "/api/whoami", "", map[string]string{"Authorization": "Convex prod:" + key}, 200, `"identity"`},
		{"an identity suffix is decoded", "GET", "/api/whoami", "", map[string]string{"Authorization": "Convex " + key + ":" + identity}, 200, `u1`},
		{"the adminKey query parameter is accepted", "GET", "/api/whoami?adminKey=" + key, "", nil, 200, `"identity"`},
		{"a missing key is a 401", "GET", "/api/whoami", "", nil, 401, `"code":"BadAdminKey"`},
		{"a bearer token is not an admin key", "GET", "/api/whoami", "", map[string]string{"Authorization": "Bearer " + key}, 401, `"code":"BadAdminKey"`},
		{"a key for another instance is a 401", "GET", "/api/whoami", "", map[string]string{"Authorization": "Convex " + otherKey}, 401, `another instance`},
		{"a garbled key is a 401", "GET", "/api/whoami", "", map[string]string{"Authorization": "Convex test-instance|0011"}, 401, `"code":"BadAdminKey"`},
		{"a bad identity suffix is a 400", "GET", "/api/whoami", "", map[string]string{"Authorization": "Convex " + key + ":!!"}, 400, `"code":"BadRequest"`},
		{"a key in the JSON body is accepted", "POST", "/api/push", `{"adminKey":"` + key + `"}`, nil, 200, "pushed"},
		{"a bad key in the JSON body is a 401", "POST", "/api/push", `{"adminKey":"` + otherKey + `"}`, nil, 401, "BadAdminKey"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := do(t, tt.method, r.url+tt.path, tt.body, tt.header)
			if got.status != tt.status || !strings.Contains(got.body, tt.want) {
				t.Fatalf("got %d %q, want %d containing %q", got.status, got.body, tt.status, tt.want)
			}
		})
	}
}
