package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	hulls3 "hull/blob/s3"
)

// s3Server returns options for a fresh bucket on the S3 server that
// HULL_TEST_S3_* describes, or on a versitygw this program starts with
// scripts/s3-test-server.sh in dir (stop stops it).
func s3Server(ctx context.Context, dir string) (opts hulls3.Options, stop func(), err error) {
	env := map[string]string{}
	for _, k := range []string{"HULL_TEST_S3_ENDPOINT", "HULL_TEST_S3_ACCESS_KEY_ID", "HULL_TEST_S3_SECRET_ACCESS_KEY", "HULL_TEST_S3_REGION"} {
		env[k] = os.Getenv(k)
	}
	if env["HULL_TEST_S3_ENDPOINT"] == "" {
		out, err := exec.CommandContext(ctx, "bash", "scripts/s3-test-server.sh", "start", dir).Output()
		if err != nil {
			return opts, nil, fmt.Errorf("start versitygw (run from the repository root): %w", err)
		}
		stop = func() { _ = exec.Command("bash", "scripts/s3-test-server.sh", "stop", dir).Run() }
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), "="); ok {
				env[k] = v
			}
		}
	}
	opts = hulls3.Options{
		Endpoint: env["HULL_TEST_S3_ENDPOINT"], Region: env["HULL_TEST_S3_REGION"],
		AccessKeyID: env["HULL_TEST_S3_ACCESS_KEY_ID"], SecretAccessKey: env["HULL_TEST_S3_SECRET_ACCESS_KEY"],
		Bucket: fmt.Sprintf("hull-bench-%d", os.Getpid()),
	}
	probe, err := hulls3.New(opts)
	if err != nil {
		return opts, stop, err
	}
	if _, err := probe.Client().CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String(opts.Bucket)}); err != nil {
		return opts, stop, fmt.Errorf("create bucket: %w", err)
	}
	return opts, stop, nil
}
