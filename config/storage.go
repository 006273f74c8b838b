package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"
)

// File storage defaults.
const (
	// DefaultMaxUploadBytes caps one file upload (5 GiB).
	DefaultMaxUploadBytes = 5 << 30
	// DefaultUploadURLTTL is how long an upload URL stays valid, as on
	// Convex.
	DefaultUploadURLTTL = time.Hour
	// DefaultS3PartSize is the size of every multipart part but the last:
	// the 5 MiB minimum, so an upload holds little in memory (two parts in
	// flight and one filling).
	DefaultS3PartSize = 5 << 20
)

// Storage configures where file bytes go: a local folder, or an
// S3-compatible bucket when S3.FilesBucket is set.
type Storage struct {
	// Dir is the local folder for files (default <data dir>/files).
	Dir string
	// MaxUploadBytes caps one upload.
	MaxUploadBytes int64
	// UploadURLTTL is how long an upload URL may be used.
	UploadURLTTL time.Duration
	S3           S3
}

// S3 is the S3/R2 configuration, under the Convex self-hosted names.
type S3 struct {
	Endpoint        string // S3_ENDPOINT_URL
	Region          string // AWS_REGION, default "auto"
	AccessKeyID     string // AWS_ACCESS_KEY_ID
	SecretAccessKey string // AWS_SECRET_ACCESS_KEY
	SessionToken    string // AWS_SESSION_TOKEN
	// ForcePathStyle addresses buckets as <endpoint>/<bucket> (the
	// default; R2 and most providers want it).
	ForcePathStyle bool
	// FilesBucket holds file storage; empty keeps files in Dir.
	FilesBucket string
	// The other buckets Convex's self-hosted image takes. Exports and
	// snapshot imports are kept for those features; hull keeps modules
	// and search indexes in the database, so those two are not used.
	ExportsBucket         string
	SnapshotImportsBucket string
	ModulesBucket         string
	SearchBucket          string
	// KeyPrefix is prepended to every object key, so one bucket can hold
	// several deployments.
	KeyPrefix string
	PartSize  int64
}

// UsesS3 reports whether files go to a bucket.
func (c Config) UsesS3() bool { return c.Storage.S3.FilesBucket != "" }

// FilesDir is the local folder for files.
func (c Config) FilesDir() string {
	if c.Storage.Dir != "" {
		return c.Storage.Dir
	}
	return filepath.Join(c.DataDir, "files")
}

func storageSettings() []setting {
	str := func(f func(c *Config) *string) func(c *Config, v string) error {
		return func(c *Config, v string) error { *f(c) = v; return nil }
	}
	return []setting{
		{flags: []string{"storage-dir"}, envs: []string{"STORAGE_DIR", "HULL_STORAGE_DIR"},
			usage: "local folder for file storage when no S3 bucket is set (default <data dir>/files)",
			apply: str(func(c *Config) *string { return &c.Storage.Dir })},
		{flags: []string{"max-upload-bytes"}, envs: []string{"HULL_MAX_UPLOAD_BYTES"}, def: strconv.Itoa(DefaultMaxUploadBytes),
			usage: "largest file accepted by an upload URL, in bytes",
			apply: func(c *Config, v string) (err error) { c.Storage.MaxUploadBytes, err = parsePositive(v); return err }},
		{flags: []string{"upload-url-ttl"}, envs: []string{"HULL_UPLOAD_URL_TTL"}, def: DefaultUploadURLTTL.String(),
			usage: "how long an upload URL from storage.generateUploadUrl() stays valid",
			apply: func(c *Config, v string) (err error) { c.Storage.UploadURLTTL, err = parseDuration(v); return err }},
		{flags: []string{"s3-files-bucket"}, envs: []string{"S3_STORAGE_FILES_BUCKET"},
			usage: "S3/R2 bucket for file storage; unset keeps files in the storage dir",
			apply: str(func(c *Config) *string { return &c.Storage.S3.FilesBucket })},
		{flags: []string{"s3-endpoint-url"}, envs: []string{"S3_ENDPOINT_URL"},
			usage: "S3 API URL of the provider, e.g. https://<account id>.r2.cloudflarestorage.com; unset means AWS S3",
			apply: func(c *Config, v string) (err error) { c.Storage.S3.Endpoint, err = parseEndpoint(v); return err }},
		{flags: []string{"s3-region"}, envs: []string{"AWS_REGION"}, def: "auto",
			usage: "region requests are signed for (auto for R2)",
			apply: str(func(c *Config) *string { return &c.Storage.S3.Region })},
		{envs: []string{"AWS_ACCESS_KEY_ID"},
			usage: "S3 access key id",
			apply: str(func(c *Config) *string { return &c.Storage.S3.AccessKeyID })},
		{envs: []string{"AWS_SECRET_ACCESS_KEY"},
			usage: "S3 secret access key",
			apply: str(func(c *Config) *string { return &c.Storage.S3.SecretAccessKey })},
		{envs: []string{"AWS_SESSION_TOKEN"},
			usage: "S3 session token, for temporary credentials",
			apply: str(func(c *Config) *string { return &c.Storage.S3.SessionToken })},
		{flags: []string{"s3-force-path-style"}, envs: []string{"AWS_S3_FORCE_PATH_STYLE"}, def: "true", boolean: true,
			usage: "address buckets as <endpoint>/<bucket>; false uses <bucket>.<endpoint host>",
			apply: func(c *Config, v string) (err error) { c.Storage.S3.ForcePathStyle, err = parseBool(v); return err }},
		{flags: []string{"s3-key-prefix"}, envs: []string{"HULL_S3_KEY_PREFIX"},
			usage: "prefix of every object key in the bucket, e.g. prod/ to share a bucket",
			apply: applyKeyPrefix},
		{flags: []string{"s3-part-size"}, envs: []string{"HULL_S3_PART_SIZE"}, def: strconv.Itoa(DefaultS3PartSize),
			usage: "size of every multipart part but the last, in bytes (at least 5 MiB; R2 needs equal parts; at most 10000 parts per file)",
			apply: func(c *Config, v string) error {
				n, err := parsePositive(v)
				if err == nil && n < 5<<20 {
					err = errors.New("S3 and R2 refuse parts under 5 MiB (5242880 bytes)")
				}
				c.Storage.S3.PartSize = n
				return err
			}},
		{envs: []string{"S3_STORAGE_EXPORTS_BUCKET"},
			usage: "bucket for snapshot exports (Convex name)",
			apply: str(func(c *Config) *string { return &c.Storage.S3.ExportsBucket })},
		{envs: []string{"S3_STORAGE_SNAPSHOT_IMPORTS_BUCKET"},
			usage: "bucket for snapshot imports (Convex name)",
			apply: str(func(c *Config) *string { return &c.Storage.S3.SnapshotImportsBucket })},
		{envs: []string{"S3_STORAGE_MODULES_BUCKET"},
			usage: "accepted and not needed: hull keeps pushed modules in the database",
			apply: str(func(c *Config) *string { return &c.Storage.S3.ModulesBucket })},
		{envs: []string{"S3_STORAGE_SEARCH_BUCKET"},
			usage: "accepted and not needed: hull keeps search indexes in the database",
			apply: str(func(c *Config) *string { return &c.Storage.S3.SearchBucket })},
		{envs: []string{"AWS_S3_DISABLE_SSE"}, boolean: true,
			usage: "accepted: hull never sends server-side encryption headers",
			apply: func(c *Config, v string) error { _, err := parseBool(v); return err }},
		{envs: []string{"AWS_S3_DISABLE_CHECKSUMS"}, boolean: true,
			usage: "accepted: hull sends and checks checksums only where S3 requires them",
			apply: func(c *Config, v string) error { _, err := parseBool(v); return err }},
	}
}

func parseEndpoint(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	o, err := parseOrigin(v)
	if err != nil {
		return "", errors.New("want the provider's S3 API URL, starting with https:// (or http:// for a local server)")
	}
	return o, nil
}

func applyKeyPrefix(c *Config, v string) error {
	if v == "" {
		return nil
	}
	for _, r := range v {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' || r == '/'
		if !ok {
			return errors.New("want letters, digits, '-', '_', '.' and '/'")
		}
	}
	if v[len(v)-1] != '/' {
		v += "/"
	}
	c.Storage.S3.KeyPrefix = v
	return nil
}

// checkStorage enforces the rules across the storage settings.
func (c *Config) checkStorage() error {
	s := c.Storage.S3
	if s.FilesBucket == "" {
		return nil
	}
	if s.AccessKeyID == "" || s.SecretAccessKey == "" {
		return &Error{Source: "AWS_ACCESS_KEY_ID", Reason: "S3_STORAGE_FILES_BUCKET is set, so S3 credentials are required: " +
			"set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for R2: the S3 access key id and secret of an API token)"}
	}
	if max := s.PartSize * 10_000; c.Storage.MaxUploadBytes > max {
		return &Error{Source: "HULL_MAX_UPLOAD_BYTES", Reason: fmt.Sprintf("an S3 upload has at most 10000 parts of HULL_S3_PART_SIZE=%d bytes, "+
			"so uploads cannot exceed %d bytes: raise HULL_S3_PART_SIZE or lower HULL_MAX_UPLOAD_BYTES", s.PartSize, max)}
	}
	if s.Endpoint == "" && (s.Region == "" || s.Region == "auto") {
		return &Error{Source: "S3_ENDPOINT_URL", Reason: "S3_STORAGE_FILES_BUCKET is set without an endpoint: " +
			"set S3_ENDPOINT_URL (for R2: https://<account id>.r2.cloudflarestorage.com), or AWS_REGION for AWS S3"}
	}
	return nil
}
