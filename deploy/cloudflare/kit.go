// Package cloudflare owns the Cloudflare Containers kit: the Worker and
// its Durable Object (src/, TypeScript), the wrangler configurations, the
// Dockerfiles and the CLOUDFLARE.md walkthrough. They are embedded here so
// that `hull cloudflare init` writes into a project exactly the files the
// kit's own tests run (test/worker), with the project's names filled in.
package cloudflare

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
)

//go:embed package.json package-lock.json tsconfig.json src/*.ts
//go:embed wrangler.jsonc wrangler.convex.jsonc wrangler.dev.jsonc
//go:embed Dockerfile Dockerfile.convex-backend Dockerfile.convex-dashboard CLOUDFLARE.md
var kit embed.FS

// templateName is the deployment name the kit's files are written with;
// Render replaces it by the project's.
const templateName = "hull-deployment"

// Backend selects the image behind the Worker.
type Backend string

const (
	// Hull runs hull in the container.
	Hull Backend = "hull"
	// Convex runs the stock ghcr.io/get-convex/convex-backend image.
	Convex Backend = "convex"
)

// Options are what a project fills in.
type Options struct {
	// Name names the Worker, the Durable Object, the instance (admin keys
	// carry it) and the R2 buckets.
	Name    string
	Backend Backend
	// AccountID fills the R2 endpoint (optional; a placeholder otherwise).
	AccountID string
	// PublicOrigin is the deployment's custom domain origin (optional).
	PublicOrigin string
	// Region pins the container next to the database (optional).
	Region string
	// InstanceType overrides the kit's instance type (optional).
	InstanceType string
	// SourceDir, when set, builds hull from that checkout (a path
	// relative to the written folder) instead of a prebuilt binary.
	SourceDir string
}

// File is one file to write.
type File struct {
	Path string
	Data []byte
	// Executable marks files written with mode 0755.
	Executable bool
}

var (
	namePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{1,48}[a-z0-9]$`)
	accountPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	originPattern  = regexp.MustCompile(`^https?://[^/\s?#]+$`)
	regions        = []string{"ENAM", "WNAM", "EEUR", "WEUR", "APAC", "SAM", "OC", "AFR", "ME"}
	instanceTypes  = []string{"lite", "basic", "standard-1", "standard-2", "standard-3", "standard-4"}
)

// Validate checks o, naming the flag at fault.
func (o Options) Validate() error {
	var errs []error
	if !namePattern.MatchString(o.Name) {
		errs = append(errs, fmt.Errorf("--name %q: want 3 to 50 lowercase letters, digits and dashes, starting with a letter (it names the Worker and the R2 buckets)", o.Name))
	}
	if o.Backend != Hull && o.Backend != Convex {
		errs = append(errs, fmt.Errorf("--backend %q: want hull or convex", o.Backend))
	}
	if o.AccountID != "" && !accountPattern.MatchString(o.AccountID) {
		errs = append(errs, fmt.Errorf("--account-id %q: want the 32 hex digits `npx wrangler whoami` shows", o.AccountID))
	}
	if o.PublicOrigin != "" && !originPattern.MatchString(o.PublicOrigin) {
		errs = append(errs, fmt.Errorf("--public-origin %q: want an origin such as https://api.example.com", o.PublicOrigin))
	}
	if o.Region != "" && !contains(regions, o.Region) {
		errs = append(errs, fmt.Errorf("--region %q: want one of %s", o.Region, strings.Join(regions, ", ")))
	}
	if o.InstanceType != "" && !contains(instanceTypes, o.InstanceType) {
		errs = append(errs, fmt.Errorf("--instance-type %q: want one of %s", o.InstanceType, strings.Join(instanceTypes, ", ")))
	}
	if o.SourceDir != "" && o.Backend == Convex {
		errs = append(errs, errors.New("--source builds hull; it does not apply to --backend=convex"))
	}
	return errors.Join(errs...)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// edit is one replacement in one file; it must apply, so a kit file that
// drifted from what Render expects fails loudly instead of silently
// keeping the template's value.
type edit struct {
	file, old, new string
}

// Render returns the project's files: the kit's files with o filled in.
func Render(o Options) ([]File, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	names := map[string]string{ // kit file -> project file
		"package.json":       "package.json",
		"package-lock.json":  "package-lock.json",
		"tsconfig.json":      "tsconfig.json",
		"wrangler.dev.jsonc": "wrangler.dev.jsonc",
		"CLOUDFLARE.md":      "CLOUDFLARE.md",
	}
	src, err := fs.Glob(kit, "src/*.ts")
	if err != nil {
		return nil, fmt.Errorf("cloudflare: list the Worker's sources: %w", err)
	}
	for _, f := range src {
		names[f] = f
	}
	var edits []edit
	if o.Backend == Hull {
		names["wrangler.jsonc"] = "wrangler.jsonc"
		names["Dockerfile"] = "Dockerfile"
		context, binary := ".", "prebuilt"
		if o.SourceDir != "" {
			context, binary = path.Clean(strings.ReplaceAll(o.SourceDir, `\`, "/")), "source"
		}
		edits = append(edits,
			edit{"wrangler.jsonc", `"image_build_context": "../.."`, fmt.Sprintf(`"image_build_context": %q`, context)},
			edit{"wrangler.jsonc", `"image_vars": { "HULL_BINARY": "source" }`, fmt.Sprintf(`"image_vars": { "HULL_BINARY": %q }`, binary)},
		)
	} else {
		names["wrangler.convex.jsonc"] = "wrangler.jsonc"
		names["Dockerfile.convex-backend"] = "Dockerfile.convex-backend"
		names["Dockerfile.convex-dashboard"] = "Dockerfile.convex-dashboard"
	}
	wrangler := "wrangler.jsonc"
	if o.Backend == Convex {
		wrangler = "wrangler.convex.jsonc"
	}
	if o.AccountID != "" {
		edits = append(edits, edit{wrangler, "<ACCOUNT_ID>", o.AccountID})
	}
	if o.PublicOrigin != "" {
		edits = append(edits, edit{wrangler, `// "PUBLIC_ORIGIN": "https://api.example.com",`, fmt.Sprintf(`"PUBLIC_ORIGIN": %q,`, o.PublicOrigin)})
	}
	if o.Region != "" {
		edits = append(edits, edit{wrangler, `// "constraints": { "regions": ["WEUR"] },`, fmt.Sprintf(`"constraints": { "regions": [%q] },`, o.Region)})
	}
	if o.InstanceType != "" {
		def := `"instance_type": "basic"`
		if o.Backend == Convex {
			def = `"instance_type": "standard-1"`
		}
		edits = append(edits, edit{wrangler, def, fmt.Sprintf(`"instance_type": %q`, o.InstanceType)})
	}

	var out []File
	for from, to := range names {
		data, err := kit.ReadFile(from)
		if err != nil {
			return nil, fmt.Errorf("cloudflare: read kit file %s: %w", from, err)
		}
		text := string(data)
		for _, e := range edits {
			if e.file != from {
				continue
			}
			if !strings.Contains(text, e.old) {
				return nil, fmt.Errorf("cloudflare: kit file %s no longer contains %q", from, e.old)
			}
			text = strings.ReplaceAll(text, e.old, e.new)
		}
		if !strings.HasPrefix(from, "src/") && from != "package-lock.json" && from != "tsconfig.json" {
			text = strings.ReplaceAll(text, templateName, o.Name)
			text = strings.ReplaceAll(text, strings.ReplaceAll(templateName, "-", "_"), strings.ReplaceAll(o.Name, "-", "_"))
		}
		out = append(out, File{Path: to, Data: []byte(text)})
	}
	out = append(out, File{Path: ".gitignore", Data: []byte("node_modules/\n.wrangler/\n.dev.vars\n/hull\n/hull-data/\n")})
	if o.Backend == Hull {
		// The image's build context is this folder (or --source): keep
		// node_modules out of it.
		out = append(out, File{Path: ".dockerignore", Data: []byte("node_modules\n.wrangler\n.dev.vars\nhull-data\n")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// Version returns the kit version its Worker reports (src/version.ts).
func Version() (string, error) {
	data, err := kit.ReadFile("src/version.ts")
	if err != nil {
		return "", fmt.Errorf("cloudflare: read src/version.ts: %w", err)
	}
	m := regexp.MustCompile(`KIT_VERSION = "([^"]+)"`).FindSubmatch(data)
	if m == nil {
		return "", errors.New("cloudflare: src/version.ts declares no KIT_VERSION")
	}
	return string(m[1]), nil
}
