package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"

	"hull/deploy/cloudflare"
)

const cloudflareUsage = `usage: hull cloudflare init [flags]

Writes the Cloudflare Containers kit into a folder of your project: the
Worker and its Durable Object (src/), wrangler.jsonc, the Dockerfile, and
CLOUDFLARE.md, the walkthrough from an empty account to a live deployment.

Flags:
`

// cloudflareCmd runs `hull cloudflare <subcommand>`.
func cloudflareCmd(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "init" {
		fmt.Fprint(stderr, cloudflareUsage)
		return errUsage
	}
	return cloudflareInit(args[1:], stdout, stderr)
}

// errUsage marks a usage error already explained on stderr.
var errUsage = errors.New("usage")

func cloudflareInit(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("hull cloudflare init", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "cloudflare", "folder to write the kit into")
	name := fs.String("name", "", "deployment name: the Worker, the instance and the R2 buckets (default: from the project folder's name)")
	backend := fs.String("backend", string(cloudflare.Hull), "hull, or convex for the stock ghcr.io/get-convex/convex-backend image")
	account := fs.String("account-id", "", "Cloudflare account id, for the R2 endpoint (npx wrangler whoami)")
	origin := fs.String("public-origin", "", "the deployment's custom domain, e.g. https://api.example.com")
	region := fs.String("region", "", "pin the container near the database: ENAM, WNAM, EEUR, WEUR, APAC, SAM, OC, AFR or ME")
	instanceType := fs.String("instance-type", "", "container instance type (default basic for hull, standard-1 for convex)")
	source := fs.String("source", "", "build the image from this hull checkout instead of a prebuilt binary")
	binary := fs.String("binary", "", "linux/amd64 hull binary to put in the image (default: this hull, when it is one)")
	force := fs.Bool("force", false, "overwrite files that exist")
	fs.Usage = func() {
		fmt.Fprint(stderr, cloudflareUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hull cloudflare init: unexpected arguments %q\n", fs.Args())
		return errUsage
	}
	out, err := filepath.Abs(*dir)
	if err != nil {
		return fmt.Errorf("resolve --dir: %w", err)
	}
	if *name == "" {
		*name = nameFromFolder(filepath.Dir(out))
	}
	opts := cloudflare.Options{
		Name:         *name,
		Backend:      cloudflare.Backend(*backend),
		AccountID:    *account,
		PublicOrigin: strings.TrimRight(*origin, "/"),
		Region:       *region,
		InstanceType: *instanceType,
	}
	if *source != "" {
		src, err := filepath.Abs(*source)
		if err != nil {
			return fmt.Errorf("resolve --source: %w", err)
		}
		if _, err := os.Stat(filepath.Join(src, "cmd", "hull")); err != nil {
			return fmt.Errorf("--source %s: not a hull checkout (no cmd/hull)", *source)
		}
		rel, err := filepath.Rel(out, src)
		if err != nil {
			return fmt.Errorf("--source %s: %w", *source, err)
		}
		opts.SourceDir = filepath.ToSlash(rel)
	}
	files, err := cloudflare.Render(opts)
	if err != nil {
		return &usageError{err}
	}

	// The binary the image is built from (hull, prebuilt).
	var bin []byte
	binNote := ""
	if opts.Backend == cloudflare.Hull && opts.SourceDir == "" {
		bin, binNote, err = imageBinary(*binary)
		if err != nil {
			return err
		}
		if bin != nil {
			files = append(files, cloudflare.File{Path: "hull", Data: bin, Executable: true})
		}
	}

	var exist []string
	for _, f := range files {
		if _, err := os.Lstat(filepath.Join(out, f.Path)); err == nil {
			exist = append(exist, f.Path)
		}
	}
	if len(exist) > 0 && !*force {
		return fmt.Errorf("%s already holds %s; refusing to overwrite them (pass --force to replace them)", *dir, strings.Join(exist, ", "))
	}
	for _, f := range files {
		p := filepath.Join(out, f.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
		}
		mode := os.FileMode(0o644)
		if f.Executable {
			mode = 0o755
		}
		if err := os.WriteFile(p, f.Data, mode); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		if err := os.Chmod(p, mode); err != nil {
			return fmt.Errorf("chmod %s: %w", p, err)
		}
	}

	fmt.Fprintf(stdout, "Wrote the Cloudflare kit for %q (%s) into %s:\n", opts.Name, opts.Backend, *dir)
	for _, f := range files {
		fmt.Fprintf(stdout, "  %s\n", f.Path)
	}
	if binNote != "" {
		fmt.Fprintf(stdout, "\n%s\n", binNote)
	}
	fmt.Fprintf(stdout, "\nNext: cd %s, then follow CLOUDFLARE.md (npm ci, R2, PostgreSQL, secrets, npx wrangler deploy).\n", *dir)
	return nil
}

// usageError is an invalid flag value: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// imageBinary returns the linux/amd64 binary to put in the image: the one
// --binary names, else this process when it is such a build, else none
// (with a note on how to make one).
func imageBinary(path string) ([]byte, string, error) {
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("--binary: %w", err)
		}
		if !linuxAMD64(data) {
			return nil, "", fmt.Errorf("--binary %s is not a linux/amd64 executable; build one with GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build ./cmd/hull", path)
		}
		return data, "", nil
	}
	const build = "GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -ldflags=\"-s -w\" -o <dir>/hull ./cmd/hull"
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" || !staticBuild() {
		return nil, fmt.Sprintf("This hull is a %s/%s%s build, not the static linux/amd64 one the image needs: put one at ./hull in the kit's folder before `npx wrangler deploy` (from hull's source: %s), or run init again with --binary or --source.",
			runtime.GOOS, runtime.GOARCH, map[bool]string{true: "", false: " cgo"}[staticBuild()], build), nil
	}
	self, err := os.Executable()
	if err != nil {
		return nil, "", fmt.Errorf("find this hull's binary: %w", err)
	}
	data, err := os.ReadFile(self)
	if err != nil {
		return nil, "", fmt.Errorf("read this hull's binary: %w", err)
	}
	return data, "Copied this hull binary into the kit as ./hull (the image is built from it).", nil
}

// staticBuild reports whether this binary was built with CGO_ENABLED=0.
func staticBuild() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "CGO_ENABLED" {
			return s.Value == "0"
		}
	}
	return false
}

// linuxAMD64 reports whether data starts like a 64-bit little-endian ELF
// executable for x86-64.
func linuxAMD64(data []byte) bool {
	return len(data) > 20 && bytes.HasPrefix(data, []byte("\x7fELF\x02\x01")) && data[18] == 0x3e && data[19] == 0
}

var notName = regexp.MustCompile(`[^a-z0-9]+`)

// nameFromFolder turns a project folder's name into a deployment name.
func nameFromFolder(dir string) string {
	n := strings.Trim(notName.ReplaceAllString(strings.ToLower(filepath.Base(dir)), "-"), "-")
	if n == "" || n[0] < 'a' || n[0] > 'z' {
		n = "hull-" + n
	}
	if len(n) > 50 {
		n = strings.TrimRight(n[:50], "-")
	}
	if len(n) < 3 {
		n += "-app"
	}
	return n
}
