package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"hull/app"
	"hull/blob"
	"hull/blob/local"
)

// timeSteps times, one 1 MiB upload at a time and interleaved, the steps
// a local upload is made of, from the raw write to hull's whole POST, and
// prints the median and the 10th and 90th percentiles of each: where the
// time of a small upload goes.
func timeSteps(ctx context.Context, reps int) error {
	dir, err := os.MkdirTemp("", "hull-bench-steps-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	store, err := local.Open(filepath.Join(dir, "files"))
	if err != nil {
		return err
	}
	h, err := startHull(ctx, filepath.Join(dir, "hull"), store)
	if err != nil {
		return err
	}
	defer h.stop()
	// A hull whose store hashes and drops the bytes: what the token
	// check and the metadata commit cost alone.
	meta, err := startHull(ctx, filepath.Join(dir, "meta"), discardStore{store})
	if err != nil {
		return err
	}
	defer meta.stop()
	rawDir := filepath.Join(dir, "raw", "ab")
	if err := os.MkdirAll(rawDir, 0o700); err != nil {
		return err
	}
	data := benchData(1 << 20)
	st := &stepTimes{}
	for i := 0; i < reps; i++ {
		if err := rawSteps(st, rawDir, i, data); err != nil {
			return err
		}
		st.time("sha256 of 1 MiB", func() error { sha256.Sum256(data); return nil })
		st.time("local.Store.Put", func() error {
			_, err := store.Put(ctx, fmt.Sprintf("cd/k%d", i), bytes.NewReader(data))
			return err
		})
		for _, x := range []struct {
			name string
			h    *hullServer
		}{{"Files.Upload, bytes dropped", meta}, {"Files.Upload", h}} {
			u, err := x.h.app.Files().UploadURL(x.h.url)
			if err != nil {
				return err
			}
			_, tok, _ := strings.Cut(u, "token=")
			st.time(x.name, func() error {
				_, err := x.h.app.Files().Upload(ctx, app.Upload{Token: tok, Length: int64(len(data)), Body: bytes.NewReader(data)})
				return err
			})
		}
		st.time("HTTP POST (the bench's upload)", func() error {
			_, _, err := h.timedUpload(ctx, data)
			return err
		})
	}
	st.print()
	return nil
}

// rawSteps times the file system steps without hull: a write, a write
// and fsync, and the rename and folder sync hull adds.
func rawSteps(st *stepTimes, dir string, i int, data []byte) error {
	write := func(name string, sync bool) error {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := io.Copy(f, bytes.NewReader(data)); err != nil {
			return err
		}
		if sync {
			return f.Sync()
		}
		return nil
	}
	if err := st.time("raw: io.Copy to a file", func() error { return write(fmt.Sprint("w", i), false) }); err != nil {
		return err
	}
	if err := st.time("raw: io.Copy + fsync", func() error { return write(fmt.Sprint("s", i), true) }); err != nil {
		return err
	}
	tmp := fmt.Sprint(".t", i)
	if err := write(tmp, true); err != nil {
		return err
	}
	return st.time("raw: rename + folder fsync", func() error {
		if err := os.Rename(filepath.Join(dir, tmp), filepath.Join(dir, fmt.Sprint("r", i))); err != nil {
			return err
		}
		d, err := os.Open(dir)
		if err != nil {
			return err
		}
		defer d.Close()
		return d.Sync()
	})
}

// stepTimes collects the durations of named steps, in first-seen order.
type stepTimes struct {
	names []string
	times map[string][]time.Duration
}

func (s *stepTimes) time(name string, fn func() error) error {
	start := time.Now()
	if err := fn(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	s.add(name, time.Since(start))
	return nil
}

func (s *stepTimes) add(name string, d time.Duration) {
	if s.times == nil {
		s.times = map[string][]time.Duration{}
	}
	if _, ok := s.times[name]; !ok {
		s.names = append(s.names, name)
	}
	s.times[name] = append(s.times[name], d)
}

func (s *stepTimes) print() {
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	fmt.Printf("| %-32s | %9s | %9s | %9s |\n", "step (1 MiB)", "p10 ms", "median ms", "p90 ms")
	fmt.Println("|----------------------------------|-----------|-----------|-----------|")
	for _, name := range s.names {
		v := slices.Clone(s.times[name])
		slices.Sort(v)
		fmt.Printf("| %-32s | %9.2f | %9.2f | %9.2f |\n", name, ms(v[len(v)/10]), ms(v[len(v)/2]), ms(v[len(v)*9/10]))
	}
}

// discardStore is the local store whose Put hashes the bytes and drops
// them.
type discardStore struct{ *local.Store }

func (discardStore) Put(ctx context.Context, key string, r io.Reader) (blob.PutResult, error) {
	return blob.CopyHashed(ctx, io.Discard, r)
}
