package config

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStorageSettings(t *testing.T) {
	r2 := map[string]string{
		"S3_STORAGE_FILES_BUCKET": "files", "S3_ENDPOINT_URL": "https://acct.r2.cloudflarestorage.com/",
		"AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "secret",
	}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range r2 {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "files default to a folder in the data dir", args: []string{"--data-dir", "/d"}, check: func(t *testing.T, c Config) {
			if c.UsesS3() || c.FilesDir() != filepath.Join("/d", "files") {
				t.Errorf("UsesS3 %v, FilesDir %s", c.UsesS3(), c.FilesDir())
			}
			if c.Storage.MaxUploadBytes != DefaultMaxUploadBytes || c.Storage.UploadURLTTL != time.Hour {
				t.Errorf("limits %d %s", c.Storage.MaxUploadBytes, c.Storage.UploadURLTTL)
			}
		}},
		{name: "STORAGE_DIR moves the folder", env: map[string]string{"STORAGE_DIR": "/files"}, check: func(t *testing.T, c Config) {
			if c.FilesDir() != "/files" {
				t.Errorf("FilesDir %s", c.FilesDir())
			}
		}},
		{name: "the Convex R2 variables select S3 with R2-safe defaults", env: r2, check: func(t *testing.T, c Config) {
			s := c.Storage.S3
			if !c.UsesS3() || s.FilesBucket != "files" || s.Endpoint != "https://acct.r2.cloudflarestorage.com" ||
				s.Region != "auto" || !s.ForcePathStyle || s.PartSize != DefaultS3PartSize || s.AccessKeyID != "id" || s.SecretAccessKey != "secret" {
				t.Errorf("s3 = %+v", s)
			}
		}},
		{name: "AWS_S3_FORCE_PATH_STYLE=false selects virtual-hosted buckets", env: with(map[string]string{"AWS_S3_FORCE_PATH_STYLE": "false"}), check: func(t *testing.T, c Config) {
			if c.Storage.S3.ForcePathStyle {
				t.Error("path style still forced")
			}
		}},
		{name: "a key prefix gets its slash", env: with(map[string]string{"HULL_S3_KEY_PREFIX": "prod"}), check: func(t *testing.T, c Config) {
			if c.Storage.S3.KeyPrefix != "prod/" {
				t.Errorf("prefix %q", c.Storage.S3.KeyPrefix)
			}
		}},
		{name: "the other Convex bucket names are accepted", env: with(map[string]string{"S3_STORAGE_EXPORTS_BUCKET": "e", "S3_STORAGE_SNAPSHOT_IMPORTS_BUCKET": "i",
			"S3_STORAGE_MODULES_BUCKET": "m", "S3_STORAGE_SEARCH_BUCKET": "s", "AWS_S3_DISABLE_SSE": "true", "AWS_S3_DISABLE_CHECKSUMS": "true"}),
			check: func(t *testing.T, c Config) {
				s := c.Storage.S3
				if s.ExportsBucket != "e" || s.SnapshotImportsBucket != "i" || s.ModulesBucket != "m" || s.SearchBucket != "s" {
					t.Errorf("s3 = %+v", s)
				}
			}},
		{name: "AWS S3 needs only a region", env: map[string]string{"S3_STORAGE_FILES_BUCKET": "b", "AWS_REGION": "eu-west-1", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"},
			check: func(t *testing.T, c Config) {
				if c.Storage.S3.Endpoint != "" || c.Storage.S3.Region != "eu-west-1" {
					t.Errorf("s3 = %+v", c.Storage.S3)
				}
			}},
		{name: "a bucket without credentials is refused", env: map[string]string{"S3_STORAGE_FILES_BUCKET": "b", "S3_ENDPOINT_URL": "https://x"}, wantErr: "AWS_SECRET_ACCESS_KEY"},
		{name: "a bucket without an endpoint or region is refused", env: map[string]string{"S3_STORAGE_FILES_BUCKET": "b", "AWS_ACCESS_KEY_ID": "a", "AWS_SECRET_ACCESS_KEY": "b"}, wantErr: "S3_ENDPOINT_URL"},
		{name: "an endpoint that is not a URL is refused", env: with(map[string]string{"S3_ENDPOINT_URL": "acct.r2.cloudflarestorage.com"}), wantErr: "S3_ENDPOINT_URL"},
		{name: "a part under 5 MiB is refused", env: with(map[string]string{"HULL_S3_PART_SIZE": "1000"}), wantErr: "5 MiB"},
		{name: "a bad upload limit is refused", args: []string{"--max-upload-bytes", "-1"}, wantErr: "--max-upload-bytes"},
		{name: "a bad key prefix is refused", env: with(map[string]string{"HULL_S3_KEY_PREFIX": "a b"}), wantErr: "HULL_S3_KEY_PREFIX"},
		{name: "an upload limit over 10000 parts is refused", env: with(map[string]string{"HULL_MAX_UPLOAD_BYTES": "60000000000"}), wantErr: "10000 parts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Load(tc.args, envOf(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}
