//go:build cgo && hull_v8

package v8

// #include "hv8.h"
import "C"

import (
	"crypto/sha256"
	"fmt"
	"runtime/cgo"
	"sync"
	"time"
	"unsafe"
)

// The functions V8 calls back into Go, by the VM's handle.

func vmOf(h C.uintptr_t) *VM { return cgo.Handle(h).Value().(*VM) }

//export hv8GoHost
func hv8GoHost(h C.uintptr_t, index C.int, args *C.hv8_value, argc C.int, ret unsafe.Pointer) {
	v := vmOf(h)
	if int(index) >= len(v.hosts) {
		setError(ret, "host function missing")
		return
	}
	in := make([]any, int(argc))
	for i, a := range unsafe.Slice(args, int(argc)) {
		in[i] = goValue(&a)
	}
	var (
		out any
		err error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("host function panicked: %v", p)
			}
		}()
		out, err = v.hosts[index](in)
	}()
	if err != nil {
		setError(ret, err.Error())
		return
	}
	switch t := out.(type) {
	case nil:
		C.hv8_ret_null(ret)
	case string:
		C.hv8_ret_string(ret, cstr(t), C.size_t(len(t)))
	case bool:
		b := 0
		if t {
			b = 1
		}
		C.hv8_ret_bool(ret, C.int(b))
	case float64:
		C.hv8_ret_number(ret, C.double(t))
	case int:
		C.hv8_ret_number(ret, C.double(t))
	case int64:
		C.hv8_ret_number(ret, C.double(t))
	case []byte:
		p := (*C.char)(unsafe.Pointer(&emptyByte))
		if len(t) > 0 {
			p = (*C.char)(unsafe.Pointer(unsafe.SliceData(t)))
		}
		C.hv8_ret_bytes(ret, p, C.size_t(len(t)))
	}
}

func setError(ret unsafe.Pointer, msg string) {
	C.hv8_ret_error(ret, cstr(msg), C.size_t(len(msg)))
}

func goValue(a *C.hv8_value) any {
	switch a.kind {
	case C.HV8_BOOL:
		return a.num != 0
	case C.HV8_INT:
		return int(a.num)
	case C.HV8_FLOAT:
		return float64(a.num)
	case C.HV8_STRING:
		return C.GoStringN(a.str, C.int(a.len))
	case C.HV8_BYTES:
		b := make([]byte, int(a.len))
		if len(b) > 0 {
			copy(b, unsafe.Slice((*byte)(unsafe.Pointer(a.str)), len(b)))
		}
		return b
	}
	return nil
}

//export hv8GoResolve
func hv8GoResolve(h C.uintptr_t, base *C.char, blen C.size_t, spec *C.char, slen C.size_t, buf unsafe.Pointer) C.int {
	v := vmOf(h)
	b, s := C.GoStringN(base, C.int(blen)), C.GoStringN(spec, C.int(slen))
	p := s
	if v.cfg.Resolve != nil {
		var err error
		if p, err = v.cfg.Resolve(b, s); err != nil {
			setBuf(buf, err.Error())
			return 1
		}
	}
	setBuf(buf, p)
	return 0
}

//export hv8GoLoad
func hv8GoLoad(h C.uintptr_t, path *C.char, plen C.size_t, buf unsafe.Pointer) C.int {
	v := vmOf(h)
	p := C.GoStringN(path, C.int(plen))
	if v.cfg.Load == nil {
		setBuf(buf, fmt.Sprintf("no module %q", p))
		return 1
	}
	src, err := v.cfg.Load(p)
	if err != nil {
		setBuf(buf, err.Error())
		return 1
	}
	if r := v.rec; r != nil && (!r.stopped || r.replaying) {
		r.loads[p] = sha256.Sum256([]byte(src))
	}
	setBuf(buf, src)
	return 0
}

//export hv8GoCheck
func hv8GoCheck(h C.uintptr_t) C.int {
	v := vmOf(h)
	if v.check != nil && v.check() {
		v.interrupted.Store(true)
		return 1
	}
	return 0
}

func setBuf(buf unsafe.Pointer, s string) { C.hv8_buf_set(buf, cstr(s), C.size_t(len(s))) }

// watchdog asks the VMs with an interrupt check to run it, every
// checkEvery while any has one. V8 runs the check on the thread running
// JS at its next safe point.
type watchdog struct {
	mu      sync.Mutex
	vms     map[*VM]struct{}
	running bool
}

const checkEvery = 5 * time.Millisecond

var watch = &watchdog{vms: map[*VM]struct{}{}}

func (w *watchdog) add(v *VM) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.vms[v] = struct{}{}
	if !w.running {
		w.running = true
		go w.loop()
	}
}

func (w *watchdog) remove(v *VM) {
	w.mu.Lock()
	delete(w.vms, v)
	w.mu.Unlock()
}

func (w *watchdog) loop() {
	t := time.NewTicker(checkEvery)
	defer t.Stop()
	for range t.C {
		w.mu.Lock()
		if len(w.vms) == 0 {
			w.running = false
			w.mu.Unlock()
			return
		}
		for v := range w.vms {
			v.mu.Lock()
			if v.p != nil {
				C.hv8_request_check(v.p)
			}
			v.mu.Unlock()
		}
		w.mu.Unlock()
	}
}
