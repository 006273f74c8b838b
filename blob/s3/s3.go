// Package s3 is the blob.Store on an S3-compatible bucket: Cloudflare R2
// first, and AWS S3, MinIO and the like. It uses the official
// aws-sdk-go-v2 client with settings every provider accepts (R2's limits
// in mind): path-style addressing, region "auto", no server-side
// encryption headers, checksums only where an operation requires one,
// HeadObject rather than GetObjectAttributes, and multipart uploads whose
// parts all have one size except the last. A Put holds at most
// (Concurrency+1) parts in memory, whatever the size of the object.
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"

	"hull/blob"
)

// Part sizes. S3 and R2 refuse non-final parts under 5 MiB and uploads of
// more than 10,000 parts.
const (
	MinPartSize     = 5 << 20
	DefaultPartSize = MinPartSize
	MaxParts        = 10_000
)

// Options configure a Store. The zero value of every field but Bucket and
// the credentials is a working, R2-safe default.
type Options struct {
	// Endpoint is the S3 API URL (S3_ENDPOINT_URL), e.g.
	// https://<account>.r2.cloudflarestorage.com; empty means AWS S3 in
	// Region.
	Endpoint string
	// Region signs requests (AWS_REGION); default "auto", as R2 wants.
	Region string
	Bucket string
	// Prefix is prepended to every key, e.g. "files/".
	Prefix string
	// AccessKeyID, SecretAccessKey and SessionToken are the credentials
	// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// VirtualHosted addresses the bucket as <bucket>.<host> instead of
	// <host>/<bucket> (path style, the default).
	VirtualHosted bool
	// PartSize is the size of every multipart part but the last, and the
	// largest object sent in one PutObject (default and minimum 5 MiB;
	// objects may have up to MaxParts parts).
	PartSize int64
	// Concurrency is how many parts of one upload are sent at once
	// (default 2).
	Concurrency int
	// HTTPClient sends the requests (default: the SDK's).
	HTTPClient *http.Client
}

// Store is a blob.Store on one bucket.
type Store struct {
	client *awss3.Client
	opts   Options
	bufs   sync.Pool // *[]byte of PartSize
}

var (
	_ blob.Store   = (*Store)(nil)
	_ blob.Cleaner = (*Store)(nil)
)

// Open returns the store on opts.Bucket after checking, with one listing
// request, that the bucket exists and the credentials are accepted; the
// error otherwise says which, with a hint.
func Open(ctx context.Context, opts Options) (*Store, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Check(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// New returns the store without contacting the server.
func New(opts Options) (*Store, error) {
	if opts.Bucket == "" {
		return nil, &blob.Error{Op: "open", Err: errors.New("no bucket is configured"),
			Fix: "set S3_STORAGE_FILES_BUCKET to the bucket that holds the files"}
	}
	if opts.AccessKeyID == "" || opts.SecretAccessKey == "" {
		return nil, &blob.Error{Op: "open", Key: opts.Bucket, Err: errors.New("no S3 credentials are configured"),
			Fix: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for R2: an API token's S3 access key id and secret)"}
	}
	if opts.Region == "" {
		opts.Region = "auto"
	}
	if opts.Endpoint == "" && opts.Region == "auto" {
		return nil, &blob.Error{Op: "open", Key: opts.Bucket, Err: errors.New("no S3 endpoint is configured"),
			Fix: "set S3_ENDPOINT_URL (for R2: https://<account id>.r2.cloudflarestorage.com), or AWS_REGION for AWS S3"}
	}
	if opts.Endpoint != "" {
		u, err := url.Parse(opts.Endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &blob.Error{Op: "open", Key: opts.Bucket, Err: fmt.Errorf("S3 endpoint %q is not an http(s) URL", opts.Endpoint),
				Fix: "set S3_ENDPOINT_URL to the provider's S3 API URL, such as https://<account id>.r2.cloudflarestorage.com"}
		}
	}
	if opts.PartSize <= 0 {
		opts.PartSize = DefaultPartSize
	}
	if opts.PartSize < MinPartSize {
		return nil, &blob.Error{Op: "open", Key: opts.Bucket, Err: fmt.Errorf("part size %d is under the 5 MiB S3 minimum", opts.PartSize)}
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 2
	}
	o := awss3.Options{
		Region:       opts.Region,
		UsePathStyle: !opts.VirtualHosted,
		Credentials:  credentials.NewStaticCredentialsProvider(opts.AccessKeyID, opts.SecretAccessKey, opts.SessionToken),
		// R2 accepts only some checksums, and only in some forms: send
		// and check them only where an operation requires one.
		RequestChecksumCalculation:                aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation:                aws.ResponseChecksumValidationWhenRequired,
		DisableLogOutputChecksumValidationSkipped: true,
	}
	if opts.Endpoint != "" {
		o.BaseEndpoint = aws.String(strings.TrimRight(opts.Endpoint, "/"))
	}
	if opts.HTTPClient != nil {
		o.HTTPClient = opts.HTTPClient
	}
	s := &Store{client: awss3.New(o), opts: opts}
	s.bufs.New = func() any { b := make([]byte, opts.PartSize); return &b }
	return s, nil
}

// Client returns the SDK client the store uses.
func (s *Store) Client() *awss3.Client { return s.client }

// Check lists at most one object of the bucket: it fails, with a hint,
// when the bucket is missing, the credentials are refused or the endpoint
// is unreachable.
func (s *Store) Check(ctx context.Context) error {
	_, err := s.client.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{
		Bucket: aws.String(s.opts.Bucket), Prefix: aws.String(s.opts.Prefix), MaxKeys: aws.Int32(1),
	})
	if err != nil {
		return s.fail("open", "", err)
	}
	return nil
}

func (s *Store) key(k string) *string { return aws.String(s.opts.Prefix + k) }

// Put sends r in one PutObject when it fits in a part, else as a
// multipart upload of equal parts, aborted if anything fails. The bytes
// are hashed on a second goroutine while they are read; an object sent
// in one PutObject is signed with that hash (the SDK would otherwise hash
// the same bytes again).
func (s *Store) Put(ctx context.Context, key string, r io.Reader) (blob.PutResult, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.PutResult{}, err
	}
	hp := blob.NewHashPipe()
	defer hp.Close()
	buf := s.getBuf()
	n, ended, err := blob.ReadFullHashed(ctx, r, *buf, hp)
	if err != nil {
		hp.Close() // done with buf
		s.bufs.Put(buf)
		return blob.PutResult{}, s.fail("put", key, err)
	}
	if ended {
		defer s.bufs.Put(buf)
		res := hp.Result()
		_, err := s.client.PutObject(ctx, &awss3.PutObjectInput{
			Bucket: aws.String(s.opts.Bucket), Key: s.key(key),
			Body: bytes.NewReader((*buf)[:n]), ContentLength: aws.Int64(int64(n)),
		}, withPayloadHash(res.SHA256))
		if err != nil {
			return blob.PutResult{}, s.fail("put", key, err)
		}
		return res, nil
	}
	if err := s.multipart(ctx, key, r, hp, buf, n); err != nil {
		return blob.PutResult{}, err
	}
	return hp.Result(), nil
}

// withPayloadHash signs a request with sum as the SHA-256 of its body,
// which the SDK then does not compute.
func withPayloadHash(sum [sha256.Size]byte) func(*awss3.Options) {
	h := hex.EncodeToString(sum[:])
	set := middleware.FinalizeMiddlewareFunc("HullPayloadHash", func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
		return next.HandleFinalize(v4.SetPayloadHash(ctx, h), in)
	})
	return func(o *awss3.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Insert(set, (&v4.ComputePayloadSHA256{}).ID(), middleware.Before)
		})
	}
}

func (s *Store) getBuf() *[]byte { return s.bufs.Get().(*[]byte) }

// multipart uploads first (n bytes, already read) and the rest of r,
// hashing it all into hp.
func (s *Store) multipart(ctx context.Context, key string, r io.Reader, hp *blob.HashPipe, first *[]byte, n int) error {
	created, err := s.client.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{
		Bucket: aws.String(s.opts.Bucket), Key: s.key(key),
	})
	if err != nil {
		hp.Wait() // done with first
		s.bufs.Put(first)
		return s.fail("put", key, err)
	}
	up := &upload{s: s, key: key, id: created.UploadId, hp: hp}
	up.ctx, up.cancel = context.WithCancel(ctx)
	defer up.cancel()
	slots := make(chan struct{}, s.opts.Concurrency)
	spawn := func(num int32, buf *[]byte, n int) {
		slots <- struct{}{}
		up.wg.Go(func() {
			defer func() { <-slots }()
			up.send(num, buf, n)
		})
	}
	buf, num, ended := first, int32(1), false
	for {
		spawn(num, buf, n)
		if ended || up.failed() {
			break
		}
		buf = s.getBuf()
		n, ended, err = blob.ReadFullHashed(ctx, r, *buf, hp)
		if err != nil || n == 0 || num == MaxParts {
			hp.Wait() // done with buf
			s.bufs.Put(buf)
			if err == nil && n > 0 {
				err = fmt.Errorf("the object is larger than %d parts of %d bytes", MaxParts, s.opts.PartSize)
			}
			if err != nil {
				up.setErr(err)
			}
			break
		}
		num++
	}
	up.wg.Wait()
	if err := up.err; err != nil {
		up.abort()
		return s.fail("put", key, err)
	}
	sort.Slice(up.parts, func(i, j int) bool { return *up.parts[i].PartNumber < *up.parts[j].PartNumber })
	_, err = s.client.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{
		Bucket: aws.String(s.opts.Bucket), Key: s.key(key), UploadId: up.id,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: up.parts},
	})
	if err != nil {
		up.abort()
		return s.fail("put", key, err)
	}
	return nil
}

// upload is one multipart upload in progress.
type upload struct {
	s      *Store
	key    string
	id     *string
	hp     *blob.HashPipe // hashing the parts' bytes
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	parts  []types.CompletedPart
	err    error
}

func (u *upload) send(num int32, buf *[]byte, n int) {
	defer func() {
		u.hp.Wait() // the part may still be being hashed
		u.s.bufs.Put(buf)
	}()
	out, err := u.s.client.UploadPart(u.ctx, &awss3.UploadPartInput{
		Bucket: aws.String(u.s.opts.Bucket), Key: u.s.key(u.key), UploadId: u.id,
		PartNumber: aws.Int32(num), Body: bytes.NewReader((*buf)[:n]), ContentLength: aws.Int64(int64(n)),
	})
	if err != nil {
		u.setErr(fmt.Errorf("part %d: %w", num, err))
		return
	}
	u.mu.Lock()
	u.parts = append(u.parts, types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(num)})
	u.mu.Unlock()
}

func (u *upload) setErr(err error) {
	u.mu.Lock()
	if u.err == nil {
		u.err = err
		u.cancel()
	}
	u.mu.Unlock()
}

func (u *upload) failed() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.err != nil
}

// abort drops the parts sent so far, even when the Put's context is done.
func (u *upload) abort() {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(u.ctx), 30*time.Second)
	defer cancel()
	_, _ = u.s.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{
		Bucket: aws.String(u.s.opts.Bucket), Key: u.s.key(u.key), UploadId: u.id,
	})
}

// Get sends a GetObject, with a Range header for a partial read.
func (s *Store) Get(ctx context.Context, key string, rng blob.Range) (io.ReadCloser, error) {
	if err := blob.CheckKey(key); err != nil {
		return nil, err
	}
	if rng.Offset < 0 || rng.Length < 0 {
		return nil, &blob.Error{Op: "get", Key: key, Kind: blob.ErrInvalidRange}
	}
	in := &awss3.GetObjectInput{Bucket: aws.String(s.opts.Bucket), Key: s.key(key)}
	if rng.Offset > 0 || rng.Length > 0 {
		spec := "bytes=" + strconv.FormatInt(rng.Offset, 10) + "-"
		if rng.Length > 0 {
			spec += strconv.FormatInt(rng.Offset+rng.Length-1, 10)
		}
		in.Range = aws.String(spec)
	}
	out, err := s.client.GetObject(ctx, in)
	if err != nil {
		return nil, s.fail("get", key, err)
	}
	return out.Body, nil
}

// Head sends a HeadObject.
func (s *Store) Head(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.CheckKey(key); err != nil {
		return blob.Info{}, err
	}
	out, err := s.client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: aws.String(s.opts.Bucket), Key: s.key(key)})
	if err != nil {
		return blob.Info{}, s.fail("head", key, err)
	}
	return blob.Info{Key: key, Size: aws.ToInt64(out.ContentLength), Modified: aws.ToTime(out.LastModified)}, nil
}

// Delete sends a DeleteObject (which succeeds for a missing key).
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.CheckKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(s.opts.Bucket), Key: s.key(key)})
	if err != nil {
		if e := s.fail("delete", key, err); errors.Is(e, blob.ErrNotFound) {
			return nil
		} else {
			return e
		}
	}
	return nil
}

// List pages through ListObjectsV2 under the store's prefix.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	p := awss3.NewListObjectsV2Paginator(s.client, &awss3.ListObjectsV2Input{
		Bucket: aws.String(s.opts.Bucket), Prefix: aws.String(s.opts.Prefix + prefix),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return s.fail("list", prefix, err)
		}
		for _, o := range page.Contents {
			key := strings.TrimPrefix(aws.ToString(o.Key), s.opts.Prefix)
			if blob.CheckKey(key) != nil {
				continue
			}
			if err := fn(blob.Info{Key: key, Size: aws.ToInt64(o.Size), Modified: aws.ToTime(o.LastModified)}); err != nil {
				return err
			}
		}
	}
	return nil
}

// CleanPartial aborts the multipart uploads under the prefix that were
// begun before cutoff (left by a crash mid-upload).
func (s *Store) CleanPartial(ctx context.Context, cutoff time.Time) (int, error) {
	in := &awss3.ListMultipartUploadsInput{Bucket: aws.String(s.opts.Bucket), Prefix: aws.String(s.opts.Prefix)}
	n := 0
	for {
		out, err := s.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return n, s.fail("clean", "", err)
		}
		for _, u := range out.Uploads {
			if u.Initiated == nil || !u.Initiated.Before(cutoff) {
				continue
			}
			_, err := s.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{
				Bucket: aws.String(s.opts.Bucket), Key: u.Key, UploadId: u.UploadId,
			})
			if err == nil {
				n++
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return n, nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

// Close does nothing: idle connections belong to the HTTP client.
func (s *Store) Close() error { return nil }

// fail wraps an SDK error, classifying missing keys and bad ranges and
// adding a hint for what an operator can fix.
func (s *Store) fail(op, key string, err error) error {
	e := &blob.Error{Op: op, Key: key, Err: err}
	if op == "open" || key == "" {
		e.Key = "bucket " + s.opts.Bucket
	}
	var ae smithy.APIError
	var ne net.Error
	switch {
	case errors.As(err, &ae):
		switch code := ae.ErrorCode(); code {
		case "NoSuchKey", "NotFound":
			if op == "open" || op == "list" {
				e.Fix = s.bucketHint()
			} else {
				e.Kind = blob.ErrNotFound
			}
		case "InvalidRange":
			e.Kind = blob.ErrInvalidRange
		case "NoSuchBucket":
			e.Fix = s.bucketHint()
		case "InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "Forbidden",
			"InvalidToken", "ExpiredToken", "TokenRefreshRequired", "Unauthorized":
			e.Fix = "the S3 server refused the credentials (" + code + "): check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY " +
				"(and AWS_SESSION_TOKEN), and that the key may read, write, list and delete in bucket " + s.opts.Bucket
		case "AuthorizationHeaderMalformed", "IllegalLocationConstraintException", "PermanentRedirect":
			e.Fix = "the S3 server expects another region (" + code + "): set AWS_REGION (\"auto\" for R2)"
		}
	case errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded) && op == "open":
		e.Fix = "cannot reach the S3 endpoint " + s.endpoint() + ": check S3_ENDPOINT_URL and the network"
	}
	return e
}

func (s *Store) bucketHint() string {
	return "bucket " + strconv.Quote(s.opts.Bucket) + " does not exist at " + s.endpoint() +
		": create it, or set S3_STORAGE_FILES_BUCKET to an existing bucket"
}

func (s *Store) endpoint() string {
	if s.opts.Endpoint != "" {
		return s.opts.Endpoint
	}
	return "AWS S3 (" + s.opts.Region + ")"
}
