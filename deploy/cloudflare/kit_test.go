package cloudflare

import (
	"strings"
	"testing"
)

func TestRenderFillsInTheProjectsNames(t *testing.T) {
	tests := []struct {
		name  string
		opts  Options
		files []string // must be present
		want  map[string][]string
		not   map[string][]string
	}{
		{
			name:  "a hull deployment builds from the prebuilt binary beside it",
			opts:  Options{Name: "shop-api", Backend: Hull},
			files: []string{"wrangler.jsonc", "wrangler.dev.jsonc", "Dockerfile", "CLOUDFLARE.md", "src/index.ts", "package.json", "package-lock.json", ".gitignore", ".dockerignore"},
			want: map[string][]string{
				"wrangler.jsonc":     {`"name": "shop-api"`, `"INSTANCE_NAME": "shop-api"`, `"bucket_name": "shop-api-files"`, `"image_build_context": "."`, `"HULL_BINARY": "prebuilt"`, `"instance_type": "basic"`, "<ACCOUNT_ID>"},
				"wrangler.dev.jsonc": {`"name": "shop-api-dev"`},
				"CLOUDFLARE.md":      {"npx wrangler r2 bucket create shop-api-files", "INSTANCE_NAME=shop-api hull keys admin"},
			},
			not: map[string][]string{"wrangler.jsonc": {templateName}, "CLOUDFLARE.md": {templateName}},
		},
		{
			name: "every option lands where it belongs",
			opts: Options{Name: "shop-api", Backend: Hull, AccountID: strings.Repeat("ab", 16), PublicOrigin: "https://api.shop.example", Region: "ENAM", InstanceType: "standard-1", SourceDir: "../hull"},
			want: map[string][]string{
				"wrangler.jsonc": {`"S3_ENDPOINT_URL": "https://` + strings.Repeat("ab", 16) + `.r2.cloudflarestorage.com"`, `"PUBLIC_ORIGIN": "https://api.shop.example",`,
					`"constraints": { "regions": ["ENAM"] },`, `"instance_type": "standard-1"`, `"image_build_context": "../hull"`, `"HULL_BINARY": "source"`},
			},
			not: map[string][]string{"wrangler.jsonc": {"<ACCOUNT_ID>", `// "PUBLIC_ORIGIN"`, `// "constraints"`}},
		},
		{
			name:  "the stock backend gets its own wrangler.jsonc and Dockerfiles",
			opts:  Options{Name: "shop-api", Backend: Convex, Region: "WEUR"},
			files: []string{"wrangler.jsonc", "Dockerfile.convex-backend", "Dockerfile.convex-dashboard", "CLOUDFLARE.md"},
			want: map[string][]string{
				"wrangler.jsonc": {`"BACKEND": "convex"`, `"S3_STORAGE_MODULES_BUCKET": "shop-api-modules"`, "shop_api", `"constraints": { "regions": ["WEUR"] },`, `"class_name": "Dashboard"`},
			},
			not: map[string][]string{"wrangler.jsonc": {templateName, "HULL_BINARY"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Render(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, f := range files {
				got[f.Path] = string(f.Data)
			}
			for _, p := range tt.files {
				if _, ok := got[p]; !ok {
					t.Errorf("no %s among the files", p)
				}
			}
			if tt.opts.Backend == Convex {
				if _, ok := got["Dockerfile"]; ok {
					t.Error("the stock backend got hull's Dockerfile")
				}
			}
			for p, subs := range tt.want {
				for _, s := range subs {
					if !strings.Contains(got[p], s) {
						t.Errorf("%s lacks %q", p, s)
					}
				}
			}
			for p, subs := range tt.not {
				for _, s := range subs {
					if strings.Contains(got[p], s) {
						t.Errorf("%s still has %q", p, s)
					}
				}
			}
		})
	}
}

func TestRenderRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		flag string
	}{
		{"an uppercase name", Options{Name: "Shop", Backend: Hull}, "--name"},
		{"a name with a dot", Options{Name: "shop.api", Backend: Hull}, "--name"},
		{"a name too short", Options{Name: "ab", Backend: Hull}, "--name"},
		{"an unknown backend", Options{Name: "shop", Backend: "rust"}, "--backend"},
		{"an account id that is not hex", Options{Name: "shop", Backend: Hull, AccountID: "me@example.com"}, "--account-id"},
		{"an origin with a path", Options{Name: "shop", Backend: Hull, PublicOrigin: "https://api.example.com/x"}, "--public-origin"},
		{"an unknown region", Options{Name: "shop", Backend: Hull, Region: "MARS"}, "--region"},
		{"an unknown instance type", Options{Name: "shop", Backend: Hull, InstanceType: "huge"}, "--instance-type"},
		{"a hull source for the stock image", Options{Name: "shop", Backend: Convex, SourceDir: "../hull"}, "--source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Render(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.flag) {
				t.Fatalf("Render(%+v) = %v, want an error naming %s", tt.opts, err, tt.flag)
			}
		})
	}
}

func TestTheKitDeclaresItsVersion(t *testing.T) {
	v, err := Version()
	if err != nil || v == "" {
		t.Fatalf("Version() = %q, %v", v, err)
	}
}
