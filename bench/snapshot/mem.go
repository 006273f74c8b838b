package main

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// cpuTime is the user and system CPU time the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// rssWatch measures how far the process's resident set grows during a
// phase: the kernel's peak (VmHWM, reset at the start through
// /proc/self/clear_refs) and, where that reset is not allowed, the
// highest VmRSS sampled every 5 ms.
type rssWatch struct {
	start   int64
	hwmOK   bool
	stop    chan struct{}
	done    sync.WaitGroup
	mu      sync.Mutex
	sampled int64
}

// watchRSS starts a watch after collecting garbage, so the phase starts
// from the live heap of what came before.
func watchRSS() *rssWatch {
	runtime.GC()
	debug.FreeOSMemory()
	w := &rssWatch{stop: make(chan struct{})}
	w.hwmOK = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	w.start = procStatus("VmRSS")
	w.sampled = w.start
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
				v := procStatus("VmRSS")
				w.mu.Lock()
				w.sampled = max(w.sampled, v)
				w.mu.Unlock()
			}
		}
	}()
	return w
}

// growth ends the watch and returns the peak growth in bytes over the
// resident set at its start.
func (w *rssWatch) growth() int64 {
	close(w.stop)
	w.done.Wait()
	peak := w.sampled
	if w.hwmOK {
		peak = max(peak, procStatus("VmHWM"))
	}
	return max(0, peak-w.start)
}

// procStatus reads a kB field of /proc/self/status, in bytes (0 when
// there is none, as off Linux).
func procStatus(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		k, v, ok := bytes.Cut(s.Bytes(), []byte(":"))
		if !ok || string(k) != field {
			continue
		}
		f := bytes.Fields(v)
		if len(f) == 0 {
			return 0
		}
		n, _ := strconv.ParseInt(string(f[0]), 10, 64)
		return n << 10
	}
	return 0
}
