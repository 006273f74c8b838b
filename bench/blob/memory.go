package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// memLimit is the most the process's resident memory may grow while one
// large file goes through hull.
const memLimit = 64 << 20

type memResult struct {
	backend          string
	size             int64
	upload, download int64 // peak RSS growth, bytes
}

// measureMemory uploads and downloads one file of size through hull and
// reports how far the peak resident set rose above where it stood before
// each (server and client both run in this process; the client streams
// its body from a 1 MiB pattern and discards what it downloads).
func measureMemory(ctx context.Context, t *target, size int64, dst string) (memResult, error) {
	r := memResult{backend: t.name, size: size}
	var url string
	var err error
	r.upload, err = peakGrowth(func() error {
		url, err = t.hull.upload(ctx, &pattern{left: size}, size)
		return err
	})
	if err != nil {
		return r, err
	}
	r.download, err = peakGrowth(func() error {
		n, err := t.hull.download(ctx, url, io.Discard)
		if err == nil && n != size {
			err = fmt.Errorf("downloaded %d bytes of %d", n, size)
		}
		return err
	})
	return r, err
}

// pattern yields left bytes of a repeating 1 MiB pattern.
type pattern struct {
	left int64
	buf  []byte
	off  int
}

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if p.buf == nil {
		p.buf = benchData(1 << 20)
	}
	n := copy(b, p.buf[p.off:])
	if int64(n) > p.left {
		n = int(p.left)
	}
	p.off = (p.off + n) % len(p.buf)
	p.left -= int64(n)
	return n, nil
}

// peakGrowth runs fn and returns the growth of the peak resident set
// (VmHWM, reset first through /proc/self/clear_refs) over the resident
// set before it.
func peakGrowth(fn func() error) (int64, error) {
	runtime.GC()
	debug.FreeOSMemory()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		return 0, fmt.Errorf("reset the peak RSS (Linux only): %w", err)
	}
	before, err := procStatus("VmRSS")
	if err != nil {
		return 0, err
	}
	if err := fn(); err != nil {
		return 0, err
	}
	peak, err := procStatus("VmHWM")
	if err != nil {
		return 0, err
	}
	return peak - before, nil
}

// procStatus reads one "kB" field of /proc/self/status, in bytes.
func procStatus(field string) (int64, error) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", field)
}
