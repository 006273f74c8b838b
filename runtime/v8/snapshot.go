//go:build cgo && hull_v8

package v8

// #include "hv8.h"
import "C"

import (
	"errors"
	"fmt"
	goruntime "runtime"
	"strings"
	"sync"
	"unsafe"
)

// Snapshot makes the VM's current state the one every later call starts
// from. It must be taken when no JS is running and no job is pending.
// Nothing is copied yet: the first call runs on the prepared context
// itself, and Restore builds the blob.
func (v *VM) Snapshot() error { return v.snapshot("") }

// SnapshotAs is Snapshot for a VM that may share its blob with every VM
// snapshotted under the same key, whatever their recipes: the first VM's
// recipe makes the blob. The caller vouches that the state is the same
// for them (the runtime's key names the code version, module, kind and
// environment; only the clock and seed at import time differ).
func (v *VM) SnapshotAs(key string) error { return v.snapshot(key) }

func (v *VM) snapshot(key string) error {
	r := v.rec
	if r == nil || r.stopped {
		return errors.New("v8: snapshot taken twice")
	}
	r.stopped = true
	if r.overflow {
		return errors.New("v8: the preparation was too long to record")
	}
	if key == "" {
		v.key = "recipe\x00" + r.key(v.names)
	} else {
		v.key = "key\x00" + key + "\x00" + strings.Join(v.names, "\x00")
	}
	return nil
}

// RestoreMode is how Restore makes a fresh state.
type RestoreMode int

const (
	// RestoreFromSnapshot copies a new context from the VM's blob (the
	// default).
	RestoreFromSnapshot RestoreMode = iota
	// RestoreByReplay makes a new context in the same isolate and runs
	// the preparation again there (scripts from the code cache, modules
	// compiled from the isolate's cache and evaluated again). It exists to
	// measure against.
	RestoreByReplay
)

// Restore gives the VM a fresh copy of the state Snapshot recorded, and
// withdraws any Interrupt.
func (v *VM) Restore() error {
	if v.rec == nil || !v.rec.stopped || v.key == "" {
		return errors.New("v8: restore without a snapshot")
	}
	v.interrupted.Store(false)
	if v.cfg.Restore == RestoreByReplay {
		var e C.hv8_value
		C.hv8_reset_context(v.p, &e)
		return v.replay(v.p)
	}
	if v.blob == nil {
		b, err := blobs.get(v.key, v.buildBlob)
		if err != nil {
			return err
		}
		v.blob = b
		return v.fromBlob()
	}
	if C.hv8_memory_exhausted(v.p) != 0 {
		// The run that hit the ceiling left a heap grown past it.
		return v.fromBlob()
	}
	var e C.hv8_value
	if C.hv8_reset_context(v.p, &e) != 0 {
		return fmt.Errorf("v8: restore: %s", C.GoStringN(e.str, C.int(e.len)))
	}
	return nil
}

// fromBlob replaces the VM's isolate with one made from its blob, with a
// context ready.
func (v *VM) fromBlob() error {
	p := C.hv8_new(C.uintptr_t(v.handle), v.limit, v.stack, v.blob.p, v.blob.n, 0)
	if p == nil {
		return errors.New("v8: cannot create an isolate from the snapshot")
	}
	var e C.hv8_value
	if C.hv8_reset_context(p, &e) != 0 {
		C.hv8_dispose(p)
		return fmt.Errorf("v8: restore: %s", C.GoStringN(e.str, C.int(e.len)))
	}
	v.mu.Lock()
	old := v.p
	v.p = p
	v.mu.Unlock()
	C.hv8_dispose(old)
	return nil
}

// buildBlob replays the recipe in a snapshot creator and serializes the
// result. A snapshot creator's isolate stays on one OS thread.
func (v *VM) buildBlob() (*blob, error) {
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	p := C.hv8_new(C.uintptr_t(v.handle), v.limit, v.stack, nil, 0, 1)
	if p == nil {
		return nil, errors.New("v8: cannot create a snapshot creator")
	}
	for i, name := range v.names {
		register(p, name, i)
	}
	want := v.rec.loads
	v.rec.loads = map[string][32]byte{}
	v.rec.replaying = true
	err := v.replay(p)
	got := v.rec.loads
	v.rec.loads, v.rec.replaying = want, false
	if err == nil && !sameLoads(want, got) {
		err = errors.New("the modules changed while the engine was prepared again")
	}
	if err != nil {
		var e C.hv8_value
		var data *C.char
		var n C.size_t
		// Creating the blob disposes the creator; its result is dropped.
		if C.hv8_create_blob(p, &data, &n, &e) == 0 {
			C.hv8_free(unsafe.Pointer(data))
		}
		return nil, fmt.Errorf("v8: prepare the snapshot: %w", err)
	}
	var e C.hv8_value
	var data *C.char
	var n C.size_t
	if C.hv8_create_blob(p, &data, &n, &e) != 0 {
		return nil, fmt.Errorf("v8: snapshot: %s", C.GoStringN(e.str, C.int(e.len)))
	}
	return &blob{p: data, n: n}, nil
}

func (v *VM) replay(p *C.hv8_vm) error {
	for _, o := range v.rec.ops {
		var err error
		switch o.kind {
		case opEval:
			_, err = v.eval(p, o.src)
		case opCall:
			_, err = v.call(p, o.name, o.args)
		case opJobs:
			err = v.runJobs(p)
		case opCompiled:
			_, err = v.evalCompiled(p, o.code)
		}
		if err != nil {
			return err
		}
	}
	if C.hv8_rejections(p) > 0 {
		C.hv8_clear_rejections(p)
	}
	return nil
}

func sameLoads(a, b map[string][32]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if y, ok := b[k]; !ok || x != y {
			return false
		}
	}
	return true
}

// blob is a V8 startup snapshot in C memory, shared by the VMs whose
// recipes produce it.
type blob struct {
	p    *C.char
	n    C.size_t
	key  string
	refs int
}

func (b *blob) release() { blobs.release(b) }

// blobSet is the process's blobs by recipe key; one is built once however
// many VMs want it at the same time, and freed when the last VM using it
// is closed.
type blobSet struct {
	mu sync.Mutex
	m  map[string]*blobEntry
}

type blobEntry struct {
	ready chan struct{}
	b     *blob
	err   error
}

var blobs = &blobSet{m: map[string]*blobEntry{}}

func (s *blobSet) get(key string, build func() (*blob, error)) (*blob, error) {
	s.mu.Lock()
	for {
		e, ok := s.m[key]
		if !ok {
			break
		}
		s.mu.Unlock()
		<-e.ready
		s.mu.Lock()
		if s.m[key] != e {
			continue // failed or freed meanwhile: look again
		}
		e.b.refs++
		s.mu.Unlock()
		return e.b, nil
	}
	e := &blobEntry{ready: make(chan struct{})}
	s.m[key] = e
	s.mu.Unlock()
	b, err := build()
	s.mu.Lock()
	defer s.mu.Unlock()
	e.b, e.err = b, err
	close(e.ready)
	if err != nil {
		delete(s.m, key)
		return nil, err
	}
	b.key = key
	b.refs++
	return b, nil
}

func (s *blobSet) release(b *blob) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b.refs--
	if b.refs > 0 {
		return
	}
	if e, ok := s.m[b.key]; ok && e.b == b {
		delete(s.m, b.key)
	}
	C.hv8_free(unsafe.Pointer(b.p))
}
