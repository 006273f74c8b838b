// Command blob measures hull's file storage end to end — a POST to an
// upload URL and a GET of the file's URL, through hull's HTTP server, app
// and blob store — against the raw limit of moving the same bytes to the
// same place without hull, in the same run:
//
//   - local folder, upload: io.Copy of the bytes to a file in the same
//     folder (the floor); beside it, for information only, the same copy
//     followed by fsync, since hull syncs each file before it commits;
//   - local folder, download: the same client GETting the same file from
//     a bare net/http server on loopback (io.Copy from the file, which is
//     sendfile) into the same destination file;
//   - S3, upload: the SDK's own upload of the bytes, from memory, to the
//     same server: one PutObject up to the part size, else a multipart
//     upload with hull's part size and concurrency (what the SDK's upload
//     manager does for large files);
//   - S3, download: the SDK's own GetObject, copied to the same destination
//     file.
//
// It then checks that memory stays flat: the peak RSS growth of the whole
// process (server and client) over one 1 GiB upload and one 1 GiB
// download per backend, against a 64 MiB limit.
//
//	go run ./bench/blob                          # starts its own versitygw (scripts/s3-test-server.sh)
//	go run ./bench/blob -memory-bytes 0          # skip the memory check
//
// The S3 server is the one HULL_TEST_S3_* describes, else one the program
// starts and stops.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"hull/bench/internal/benchutil"
	"hull/blob"
	"hull/blob/local"
	hulls3 "hull/blob/s3"
)

const floor = 0.70 // hull's throughput must be at least this share of raw

var (
	s3Concurrency int
	s3PartSize    int64
	profile       *os.File
	sizeSet       map[string]bool
)

func main() {
	small := flag.Int("small-reps", 30, "repetitions of the 1 MiB transfers")
	large := flag.Int("large-reps", 5, "repetitions of the 256 MiB transfers")
	largeMiB := flag.Int("large-mib", 256, "size of the large file, in MiB")
	memBytes := flag.Int64("memory-bytes", 1<<30, "size of the memory check's file (0 skips it)")
	backends := flag.String("backends", "local,s3", "comma-separated: local, s3")
	sizes := flag.String("sizes", "small,large", "comma-separated: small (1 MiB), large")
	flag.IntVar(&s3Concurrency, "s3-concurrency", 0, "parts of one S3 upload sent at once (0: the store's default)")
	flag.Int64Var(&s3PartSize, "s3-part-size", 0, "S3 multipart part size in bytes (0: the store's default)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the throughput runs to this file")
	steps := flag.Int("steps", 0, "instead of the table, time the steps of this many 1 MiB local uploads one by one")
	flag.Parse()
	if *steps > 0 {
		if err := timeSteps(context.Background(), *steps); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/blob:", err)
			os.Exit(1)
		}
		defer f.Close()
		profile = f
	}
	sizeSet = map[string]bool{}
	for _, s := range strings.Split(*sizes, ",") {
		sizeSet[strings.TrimSpace(s)] = true
	}
	if err := run(context.Background(), *small, *large, int64(*largeMiB)<<20, *memBytes, strings.Split(*backends, ",")); err != nil {
		fmt.Fprintln(os.Stderr, "bench/blob:", err)
		os.Exit(1)
	}
}

// target is one backend: hull over a blob store, and the raw moves.
type target struct {
	name string
	hull *hullServer
	// rawUpload stores data under a fresh name without hull; rawDownload
	// copies what rawUpload stored to dst. rawSynced, where set, is
	// rawUpload made durable too: an informative row, not the floor.
	rawUpload   func(ctx context.Context, data []byte) (string, error)
	rawSynced   func(ctx context.Context, data []byte) error
	rawDownload func(ctx context.Context, name string, dst *os.File) error
}

type result struct {
	backend, op string
	size        int64
	hull, raw   float64 // MB/s, medians
	info        bool    // an informative row: no floor applies
}

func run(ctx context.Context, smallReps, largeReps int, largeSize, memBytes int64, backends []string) error {
	dir, err := os.MkdirTemp("", "hull-bench-blob-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	var targets []*target
	defer func() {
		for _, t := range targets {
			t.hull.stop()
		}
	}()
	for _, b := range backends {
		var t *target
		switch strings.TrimSpace(b) {
		case "local":
			t, err = localTarget(ctx, filepath.Join(dir, "local"))
		case "s3":
			var stop func()
			t, stop, err = s3Target(ctx, filepath.Join(dir, "s3"))
			if stop != nil {
				defer stop()
			}
		default:
			err = fmt.Errorf("unknown backend %q", b)
		}
		if err != nil {
			return err
		}
		targets = append(targets, t)
	}
	dst := filepath.Join(dir, "download")

	// Memory first, before the throughput runs fill the heap.
	var mem []memResult
	if memBytes > 0 {
		for _, t := range targets {
			r, err := measureMemory(ctx, t, memBytes, dst)
			if err != nil {
				return fmt.Errorf("%s: memory: %w", t.name, err)
			}
			mem = append(mem, r)
		}
	}

	var results []result
	if profile != nil {
		if err := pprof.StartCPUProfile(profile); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	for _, size := range []int64{1 << 20, largeSize} {
		reps := smallReps
		if size > 1<<20 {
			reps = largeReps
		}
		if (size == 1<<20 && !sizeSet["small"]) || (size > 1<<20 && !sizeSet["large"]) {
			continue
		}
		data := benchData(size)
		for _, t := range targets {
			rs, err := measure(ctx, t, data, reps, dst)
			if err != nil {
				return fmt.Errorf("%s %d bytes: %w", t.name, size, err)
			}
			results = append(results, rs...)
		}
	}
	printTable(results, mem)
	return nil
}

func benchData(n int64) []byte {
	b := make([]byte, n)
	seed := uint64(0x9e3779b97f4a7c15)
	for i := 0; i+8 <= len(b); i += 8 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		for j := 0; j < 8; j++ {
			b[i+j] = byte(seed >> (8 * j))
		}
	}
	return b
}

// measure alternates hull and raw transfers of data, reps times each,
// and returns the upload row, the informative synced-upload row (where
// the target has one) and the download row.
func measure(ctx context.Context, t *target, data []byte, reps int, dstPath string) ([]result, error) {
	size := int64(len(data))
	var hullUp, rawUp, syncedUp, hullDown, rawDown []float64
	mbps := func(d time.Duration) float64 { return float64(size) / 1e6 / d.Seconds() }
	for i := 0; i < reps; i++ {
		d, url, err := t.hull.timedUpload(ctx, data)
		if err != nil {
			return nil, fmt.Errorf("hull upload: %w", err)
		}
		hullUp = append(hullUp, mbps(d))

		start := time.Now()
		name, err := t.rawUpload(ctx, data)
		if err != nil {
			return nil, fmt.Errorf("raw upload: %w", err)
		}
		rawUp = append(rawUp, mbps(time.Since(start)))

		if t.rawSynced != nil {
			start = time.Now()
			if err := t.rawSynced(ctx, data); err != nil {
				return nil, fmt.Errorf("raw synced upload: %w", err)
			}
			syncedUp = append(syncedUp, mbps(time.Since(start)))
		}

		d, err = timedDownload(dstPath, func(dst *os.File) error {
			n, err := t.hull.download(ctx, url, dst)
			if err == nil && n != size {
				err = fmt.Errorf("%d bytes, want %d", n, size)
			}
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("hull download: %w", err)
		}
		hullDown = append(hullDown, mbps(d))

		d, err = timedDownload(dstPath, func(dst *os.File) error { return t.rawDownload(ctx, name, dst) })
		if err != nil {
			return nil, fmt.Errorf("raw download: %w", err)
		}
		rawDown = append(rawDown, mbps(d))
	}
	out := []result{{backend: t.name, op: "upload", size: size, hull: median(hullUp), raw: median(rawUp)}}
	if syncedUp != nil {
		out = append(out, result{backend: t.name, op: "upload (raw+fsync)", size: size, hull: median(hullUp), raw: median(syncedUp), info: true})
	}
	return append(out, result{backend: t.name, op: "download", size: size, hull: median(hullDown), raw: median(rawDown)}), nil
}

// timedDownload times get writing into a fresh file at path.
func timedDownload(path string, get func(dst *os.File) error) (time.Duration, error) {
	dst, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer dst.Close()
	start := time.Now()
	err = get(dst)
	return time.Since(start), err
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// onlyWriter and onlyReader hide the fast paths of *os.File (ReadFrom,
// WriteTo: copy_file_range, sendfile), so raw copies move the bytes
// through user space with a buffer, as hull does.
type onlyWriter struct{ w io.Writer }

func (o onlyWriter) Write(p []byte) (int, error) { return o.w.Write(p) }

type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func copyBuffered(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(onlyWriter{dst}, onlyReader{src}, make([]byte, 256<<10))
}

func localTarget(ctx context.Context, dir string) (*target, error) {
	store, err := local.Open(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	h, err := startHull(ctx, filepath.Join(dir, "hull"), store)
	if err != nil {
		return nil, err
	}
	rawDir := filepath.Join(store.Root(), "raw")
	if err := os.MkdirAll(rawDir, 0o700); err != nil {
		return nil, err
	}
	raw, err := startRawFileServer(rawDir)
	if err != nil {
		return nil, err
	}
	n := 0
	// rawWrite is the raw limit: io.Copy of the bytes to a new
	// file in the same folder.
	rawWrite := func(data []byte, sync bool) (string, error) {
		n++
		name := filepath.Join(rawDir, fmt.Sprint(n))
		f, err := os.Create(name)
		if err != nil {
			return "", err
		}
		defer f.Close()
		if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
			return "", err
		}
		if sync {
			err = f.Sync()
		}
		return name, err
	}
	return &target{
		name: "local",
		hull: h,
		rawUpload: func(ctx context.Context, data []byte) (string, error) {
			return rawWrite(data, false)
		},
		rawSynced: func(ctx context.Context, data []byte) error {
			_, err := rawWrite(data, true)
			return err
		},
		rawDownload: func(ctx context.Context, name string, dst *os.File) error {
			n, err := h.download(ctx, raw.url+"/"+filepath.Base(name), dst)
			if err == nil && n == 0 {
				err = fmt.Errorf("empty raw download")
			}
			return err
		},
	}, nil
}

// rawFileServer serves the files of dir over HTTP on a loopback port
// with nothing but net/http (io.Copy from the file: sendfile): the raw
// limit of a download.
type rawFileServer struct{ url string }

func startRawFileServer(dir string) (*rawFileServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Open(filepath.Join(dir, filepath.Base(r.URL.Path)))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		st, _ := f.Stat()
		w.Header().Set("Content-Length", fmt.Sprint(st.Size()))
		_, _ = io.Copy(w, f)
	})}
	go srv.Serve(ln)
	return &rawFileServer{url: "http://" + ln.Addr().String()}, nil
}

func s3Target(ctx context.Context, dir string) (*target, func(), error) {
	opts, stop, err := s3Server(ctx, dir)
	if err != nil {
		return nil, stop, err
	}
	opts.Concurrency, opts.PartSize = s3Concurrency, s3PartSize
	store, err := hulls3.Open(ctx, opts)
	if err != nil {
		return nil, stop, err
	}
	h, err := startHull(ctx, filepath.Join(dir, "hull"), store)
	if err != nil {
		return nil, stop, err
	}
	c := store.Client()
	n := 0
	return &target{
		name: "s3",
		hull: h,
		rawUpload: func(ctx context.Context, data []byte) (string, error) {
			n++
			key := fmt.Sprintf("raw/%d", n)
			return key, sdkUpload(ctx, c, opts, key, data)
		},
		rawDownload: func(ctx context.Context, key string, dst *os.File) error {
			out, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(opts.Bucket), Key: aws.String(key)})
			if err != nil {
				return err
			}
			defer out.Body.Close()
			_, err = copyBuffered(dst, out.Body)
			return err
		},
	}, stop, nil
}

// sdkUpload sends data straight from memory with the SDK, as an
// application using it directly would: one PutObject up to the part
// size, else a multipart upload with the same part size and concurrency
// as hull's store (whose parts the server then assembles, as it does
// hull's).
func sdkUpload(ctx context.Context, c *awss3.Client, opts hulls3.Options, key string, data []byte) error {
	part := opts.PartSize
	if part <= 0 {
		part = hulls3.DefaultPartSize
	}
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 2
	}
	if int64(len(data)) <= part {
		_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(opts.Bucket), Key: aws.String(key),
			Body: bytes.NewReader(data), ContentLength: aws.Int64(int64(len(data)))})
		return err
	}
	up, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: aws.String(opts.Bucket), Key: aws.String(key)})
	if err != nil {
		return err
	}
	nparts := (int64(len(data)) + part - 1) / part
	parts := make([]types.CompletedPart, nparts)
	errs := make([]error, nparts)
	slots := make(chan struct{}, conc)
	var wg sync.WaitGroup
	for i := int64(0); i < nparts; i++ {
		slots <- struct{}{}
		wg.Go(func() {
			defer func() { <-slots }()
			chunk := data[i*part : min(int64(len(data)), (i+1)*part)]
			out, err := c.UploadPart(ctx, &awss3.UploadPartInput{Bucket: aws.String(opts.Bucket), Key: aws.String(key), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(chunk), ContentLength: aws.Int64(int64(len(chunk)))})
			if err == nil {
				parts[i] = types.CompletedPart{ETag: out.ETag, PartNumber: aws.Int32(int32(i + 1))}
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	_, err = c.CompleteMultipartUpload(ctx, &awss3.CompleteMultipartUploadInput{Bucket: aws.String(opts.Bucket), Key: aws.String(key),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}

var _ blob.Store = (*local.Store)(nil)

func printTable(results []result, mem []memResult) {
	fmt.Println()
	fmt.Printf("| %-8s | %-18s | %8s | %12s | %12s | %7s | %-10s |\n", "backend", "op", "size", "hull MB/s", "raw MB/s", "ratio", "floor 70%")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|%s|\n", benchutil.Dashes(10), benchutil.Dashes(20), benchutil.Dashes(10), benchutil.Dashes(14), benchutil.Dashes(14), benchutil.Dashes(9), benchutil.Dashes(12))
	for _, r := range results {
		ratio := r.hull / r.raw
		verdict := "met"
		switch {
		case r.info:
			verdict = "(info)"
		case ratio < floor:
			verdict = "NOT MET"
		}
		fmt.Printf("| %-8s | %-18s | %8s | %12.1f | %12.1f | %6.0f%% | %-10s |\n", r.backend, r.op, sizeName(r.size), r.hull, r.raw, 100*ratio, verdict)
	}
	if len(mem) == 0 {
		return
	}
	fmt.Println()
	fmt.Printf("| %-8s | %-8s | %8s | %16s | %10s | %-10s |\n", "backend", "op", "size", "peak RSS growth", "limit", "verdict")
	fmt.Printf("|%s|%s|%s|%s|%s|%s|\n", benchutil.Dashes(10), benchutil.Dashes(10), benchutil.Dashes(10), benchutil.Dashes(18), benchutil.Dashes(12), benchutil.Dashes(12))
	for _, m := range mem {
		for _, x := range []struct {
			op     string
			growth int64
		}{{"upload", m.upload}, {"download", m.download}} {
			verdict := "met"
			if x.growth > memLimit {
				verdict = "NOT MET"
			}
			fmt.Printf("| %-8s | %-8s | %8s | %12.1f MiB | %6d MiB | %-10s |\n", m.backend, x.op, sizeName(m.size), float64(x.growth)/(1<<20), memLimit>>20, verdict)
		}
	}
}

func sizeName(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d B", n)
}
