// Package s3test connects tests to the S3-compatible server that
// scripts/s3-test-server.sh starts (versitygw, signature checks on): it
// reads the server from HULL_TEST_S3_* and makes a fresh bucket per test.
//
// Test policy, as for PostgreSQL: a test that needs the server fails when
// HULL_TEST_S3_ENDPOINT is unset, unless HULL_TEST_S3=off says explicitly
// that this run has none; then it skips and says so.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"hull/blob"
	hulls3 "hull/blob/s3"
)

// Environment variables the test server is described by.
const (
	EnvEndpoint = "HULL_TEST_S3_ENDPOINT"
	EnvKeyID    = "HULL_TEST_S3_ACCESS_KEY_ID"
	EnvSecret   = "HULL_TEST_S3_SECRET_ACCESS_KEY"
	EnvRegion   = "HULL_TEST_S3_REGION"
	EnvOff      = "HULL_TEST_S3"
)

// Server returns the options of the test server (no bucket set), or ends
// the test as the policy says.
func Server(t testing.TB) hulls3.Options {
	t.Helper()
	ep := os.Getenv(EnvEndpoint)
	if ep == "" {
		if os.Getenv(EnvOff) == "off" {
			t.Skip("HULL_TEST_S3=off: this run has no S3 server")
		}
		t.Fatalf("%s is unset: start a server with `eval \"$(scripts/s3-test-server.sh start DIR)\"` and export the HULL_TEST_S3_* "+
			"variables it prints, or set %s=off to run without S3", EnvEndpoint, EnvOff)
	}
	region := os.Getenv(EnvRegion)
	if region == "" {
		region = "auto"
	}
	return hulls3.Options{
		Endpoint:        ep,
		Region:          region,
		AccessKeyID:     os.Getenv(EnvKeyID),
		SecretAccessKey: os.Getenv(EnvSecret),
	}
}

// Available reports whether a test server is configured.
func Available() bool { return os.Getenv(EnvEndpoint) != "" }

// NewBucket creates an empty bucket on the test server, removed with its
// objects when the test ends, and returns options naming it.
func NewBucket(t testing.TB) hulls3.Options {
	t.Helper()
	o := Server(t)
	var b [6]byte
	rand.Read(b[:])
	o.Bucket = "hull-test-" + hex.EncodeToString(b[:])
	c := client(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(o.Bucket)}); err != nil {
		t.Fatalf("create bucket %s: %v", o.Bucket, err)
	}
	t.Cleanup(func() { DropBucket(t, o) })
	return o
}

// DropBucket deletes a bucket with its objects and unfinished uploads.
func DropBucket(t testing.TB, o hulls3.Options) {
	c := client(t, o)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	s, err := hulls3.New(o)
	if err == nil {
		_, _ = s.CleanPartial(ctx, time.Now().Add(time.Hour))
		_ = s.List(ctx, "", func(i blob.Info) error { return s.Delete(ctx, i.Key) })
	}
	if _, err := c.DeleteBucket(ctx, &awss3.DeleteBucketInput{Bucket: aws.String(o.Bucket)}); err != nil {
		t.Logf("delete bucket %s: %v", o.Bucket, err)
	}
}

func client(t testing.TB, o hulls3.Options) *awss3.Client {
	t.Helper()
	probe := o
	if probe.Bucket == "" {
		probe.Bucket = "probe"
	}
	s, err := hulls3.New(probe)
	if err != nil {
		t.Fatalf("s3 test client: %v", err)
	}
	return s.Client()
}
