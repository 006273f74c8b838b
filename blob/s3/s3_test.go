package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"hull/blob"
	"hull/blob/blobtest"
	hulls3 "hull/blob/s3"
	"hull/blob/s3/s3test"
)

func TestConformance(t *testing.T) {
	o := s3test.NewBucket(t)
	o.PartSize = hulls3.MinPartSize
	n := 0
	blobtest.Run(t, func(t *testing.T) blob.Store {
		n++
		oo := o
		oo.Prefix = "case" + strings.Repeat("x", n) + "/"
		s, err := hulls3.Open(context.Background(), oo)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, blobtest.Options{LargeSize: 2*hulls3.MinPartSize + 1})
}

func TestOpenWithAMissingBucketSaysSoWithAHint(t *testing.T) {
	o := s3test.Server(t)
	o.Bucket = "no-such-bucket-here"
	_, err := hulls3.Open(context.Background(), o)
	if err == nil {
		t.Fatal("Open succeeded")
	}
	if h := blob.Hint(err); !strings.Contains(h, "does not exist") || !strings.Contains(h, "S3_STORAGE_FILES_BUCKET") {
		t.Fatalf("hint = %q (err %v), want it to say the bucket does not exist", h, err)
	}
}

func TestOpenWithAWrongSecretSaysSoWithAHint(t *testing.T) {
	o := s3test.NewBucket(t)
	o.SecretAccessKey = "not-the-secret"
	_, err := hulls3.Open(context.Background(), o)
	if err == nil {
		t.Fatal("Open succeeded with a wrong secret: does the server check signatures?")
	}
	if h := blob.Hint(err); !strings.Contains(h, "AWS_SECRET_ACCESS_KEY") {
		t.Fatalf("hint = %q (err %v), want it to name the credentials", h, err)
	}
}

func TestAnUnreachableEndpointSaysSoWithAHint(t *testing.T) {
	o := s3test.Server(t)
	o.Bucket = "b"
	o.Endpoint = "http://127.0.0.1:1"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := hulls3.Open(ctx, o)
	if h := blob.Hint(err); !strings.Contains(h, "S3_ENDPOINT_URL") {
		t.Fatalf("hint = %q (err %v), want it to name S3_ENDPOINT_URL", h, err)
	}
}

func TestBadOptionsAreRefusedWithAHint(t *testing.T) {
	for _, c := range []struct {
		name string
		o    hulls3.Options
		want string
	}{
		{"no bucket", hulls3.Options{Endpoint: "http://x", AccessKeyID: "a", SecretAccessKey: "b"}, "S3_STORAGE_FILES_BUCKET"},
		{"no credentials", hulls3.Options{Endpoint: "http://x", Bucket: "b"}, "AWS_ACCESS_KEY_ID"},
		{"no endpoint with region auto", hulls3.Options{Bucket: "b", AccessKeyID: "a", SecretAccessKey: "b"}, "S3_ENDPOINT_URL"},
		{"an endpoint that is not a URL", hulls3.Options{Endpoint: "r2.example", Bucket: "b", AccessKeyID: "a", SecretAccessKey: "b"}, "S3_ENDPOINT_URL"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := hulls3.New(c.o)
			if h := blob.Hint(err); !strings.Contains(h, c.want) {
				t.Fatalf("hint = %q (err %v), want it to name %s", h, err, c.want)
			}
		})
	}
}

func TestRequestsAfterTheCredentialsAreRevokedCarryAHint(t *testing.T) {
	o := s3test.NewBucket(t)
	s, err := hulls3.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	bad := o
	bad.SecretAccessKey = "revoked"
	sb, _ := hulls3.New(bad)
	for name, op := range map[string]func() error{
		"put": func() error { _, err := sb.Put(context.Background(), "k", bytes.NewReader([]byte("x"))); return err },
		"get": func() error { _, err := sb.Get(context.Background(), "k", blob.Range{}); return err },
	} {
		err := op()
		if err == nil || !strings.Contains(blob.Hint(err), "AWS_SECRET_ACCESS_KEY") {
			t.Errorf("%s: err = %v, hint %q; want a credentials hint", name, err, blob.Hint(err))
		}
	}
	_ = s
}

func TestLargeUploadsUseEqualPartsAndCleanPartialAbortsLeftovers(t *testing.T) {
	o := s3test.NewBucket(t)
	o.PartSize = hulls3.MinPartSize
	s, err := hulls3.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	data := blobtest.Data(1, 3*hulls3.MinPartSize+7)
	if _, err := s.Put(context.Background(), "big", bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	c := s.Client()
	for part, want := range map[int32]int64{1: hulls3.MinPartSize, 2: hulls3.MinPartSize, 3: hulls3.MinPartSize, 4: 7} {
		out, err := c.HeadObject(context.Background(), &awss3.HeadObjectInput{Bucket: aws.String(o.Bucket), Key: aws.String("big"), PartNumber: aws.Int32(part)})
		if err != nil {
			t.Skipf("the server does not report part sizes: %v", err)
		}
		if got := aws.ToInt64(out.ContentLength); got != want {
			t.Errorf("part %d is %d bytes, want %d", part, got, want)
		}
	}
	// An upload left behind by a crash.
	if _, err := c.CreateMultipartUpload(context.Background(), &awss3.CreateMultipartUploadInput{Bucket: aws.String(o.Bucket), Key: aws.String("left")}); err != nil {
		t.Fatal(err)
	}
	n, err := s.CleanPartial(context.Background(), time.Now().Add(-time.Hour))
	if err != nil || n != 0 {
		t.Fatalf("CleanPartial with an old cutoff = %d, %v; want 0", n, err)
	}
	n, err = s.CleanPartial(context.Background(), time.Now().Add(time.Minute))
	if err != nil || n != 1 {
		t.Fatalf("CleanPartial = %d, %v; want 1", n, err)
	}
	if _, err := s.Head(context.Background(), "left"); !errors.Is(err, blob.ErrNotFound) {
		t.Fatalf("head of the aborted upload: %v", err)
	}
}

// recorder keeps the X-Amz-Content-Sha256 header and the SHA-256 of the
// body of every PUT it sends.
type recorder struct {
	mu   sync.Mutex
	puts [][2]string // header, hex SHA-256 of the body
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		var body []byte
		if req.Body != nil {
			b, err := io.ReadAll(req.Body)
			if err != nil {
				return nil, err
			}
			req.Body.Close()
			req.Body, body = io.NopCloser(bytes.NewReader(b)), b
		}
		sum := sha256.Sum256(body)
		r.mu.Lock()
		r.puts = append(r.puts, [2]string{req.Header.Get("X-Amz-Content-Sha256"), hex.EncodeToString(sum[:])})
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

func TestEveryPutIsSignedWithTheSHA256OfItsBody(t *testing.T) {
	tests := []struct {
		name      string
		size      int
		wantPuts  int
		wantParts bool
	}{
		{"an object in one PutObject is signed with the hash the store computed", 1 << 20, 1, false},
		{"an empty object is signed with the hash of nothing", 0, 1, false},
		{"every part of a multipart upload is signed with its own hash", 2*hulls3.MinPartSize + 3, 3, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			o := s3test.NewBucket(t)
			o.PartSize = hulls3.MinPartSize
			o.HTTPClient = &http.Client{Transport: rec}
			s, err := hulls3.Open(context.Background(), o)
			if err != nil {
				t.Fatal(err)
			}
			data := blobtest.Data(2, int64(tc.size))
			res, err := s.Put(context.Background(), "k", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if res.SHA256 != sha256.Sum256(data) || res.Size != int64(len(data)) {
				t.Fatalf("Put = %+v, want the size and hash of the data", res)
			}
			if len(rec.puts) != tc.wantPuts {
				t.Fatalf("%d PUT requests, want %d", len(rec.puts), tc.wantPuts)
			}
			for i, p := range rec.puts {
				if p[0] != p[1] {
					t.Errorf("PUT %d: X-Amz-Content-Sha256 %q, body hash %q", i, p[0], p[1])
				}
			}
			if !tc.wantParts && rec.puts[0][1] != hex.EncodeToString(res.SHA256[:]) {
				t.Errorf("the PutObject body is not the object")
			}
			rc, err := s.Get(context.Background(), "k", blob.Range{})
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("read back %d bytes, %v; want the %d stored", len(got), err, len(data))
			}
		})
	}
}
