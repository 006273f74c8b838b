package quickjs

import (
	"fmt"
	"unsafe"

	"modernc.org/libc"
	lib "modernc.org/libquickjs"
)

// An arena is the one memory region that holds everything an engine
// allocates: the runtime, its context, every object, atom and shape, the
// compiled code and the allocator's own bookkeeping. Because nothing of the
// engine lives outside it, copying the region's used prefix captures the
// complete engine state, and copying it back restores that state exactly,
// at the same addresses. That is how a VM evaluates a module graph once and
// then serves each call from that point with nothing of the previous call
// left (see VM.Snapshot).
//
// The allocator is a segregated-fit one: requests are rounded up to a size
// class, each class has a free list, and new blocks come from a bump
// pointer. QuickJS already packs small objects into 4 KiB slabs of its own,
// so most requests this allocator sees are slab-sized or large. Blocks are
// never split or merged; the region is reset wholesale by a restore.
//
// Memory the engine writes once and never again (function sources and
// the bytecode of functions read back from a blob, requested with
// lib.HullReadOnlyAlloc) comes from the other end of the
// region, growing down, without headers: a snapshot leaves it out, since
// nothing a call does can change it, and a restore need not copy it back.
// Its low end is part of the state, so a restore also forgets what a call
// allocated there; a free of it does nothing.
type arena struct {
	mem  []byte
	base uintptr
	// snap holds the bytes of ranges (see snapshot); snapUsed is the
	// used prefix at the time.
	snap     []byte
	ranges   []snapRange
	snapUsed int
	// failed is set when an allocation was refused: the engine ran out of
	// memory, whatever the thrown value says.
	failed bool
}

// blockHeader precedes every block's payload.
type blockHeader struct {
	class uint32
	magic uint32
	_     uint64
}

const (
	headerSize = int(unsafe.Sizeof(blockHeader{}))
	blockMagic = 0x6a73686c
	// Classes 0..smallClasses-1 are multiples of 16 bytes up to 4 KiB; the
	// rest grow by 1/8 each.
	smallClasses   = 256
	smallMax       = smallClasses * 16
	numClasses     = smallClasses + 8*20 // up to 4 KiB · 2^20 = 4 GiB
	mallocOverhead = 8                   // what QuickJS's own accounting adds per block
)

// arenaState is kept at the start of the region, so that snapshots carry
// it.
type arenaState struct {
	bump uint64             // offset of the first byte never handed out
	top  uint64             // offset of the lowest read-only byte handed out
	free [numClasses]uint64 // offset of the first free block per class
}

var stateSize = (int(unsafe.Sizeof(arenaState{})) + 15) &^ 15

// classCap returns the payload capacity of a class.
func classCap(c int) uint64 {
	if c < smallClasses {
		return uint64(c+1) * 16
	}
	j := c - smallClasses + 1 // 1..
	doublings, step := j/8, j%8
	v := uint64(smallMax) << doublings
	v += v / 8 * uint64(step)
	return (v + 15) &^ 15
}

// classFor returns the smallest class whose capacity holds size.
func classFor(size uint64) int {
	if size <= smallMax {
		if size == 0 {
			return 0
		}
		return int((size+15)/16) - 1
	}
	lo, hi := smallClasses, numClasses-1
	for lo < hi {
		mid := (lo + hi) / 2
		if classCap(mid) >= size {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

func newArena(size int) (*arena, error) {
	mem, err := mapRegion(size)
	if err != nil {
		return nil, fmt.Errorf("quickjs: reserve %d MiB for an engine: %w", size>>20, err)
	}
	a := &arena{mem: mem, base: uintptr(unsafe.Pointer(&mem[0]))}
	a.state().bump = uint64(stateSize)
	a.state().top = uint64(len(mem))
	return a, nil
}

func (a *arena) state() *arenaState {
	return (*arenaState)(addr(a.base))
}

func (a *arena) header(p uintptr) *blockHeader {
	return (*blockHeader)(addr(p - uintptr(headerSize)))
}

// alloc returns a block of at least size bytes, or 0.
func (a *arena) alloc(size uint64) uintptr {
	c := classFor(size)
	if c >= numClasses {
		a.failed = true
		return 0
	}
	st := a.state()
	if off := st.free[c]; off != 0 {
		p := a.base + uintptr(off)
		st.free[c] = *(*uint64)(addr(p))
		return p
	}
	need := uint64(headerSize) + classCap(c)
	if st.bump+need > st.top {
		a.failed = true
		return 0
	}
	at := a.base + uintptr(st.bump)
	h := (*blockHeader)(addr(at))
	h.class, h.magic = uint32(c), blockMagic
	st.bump += need
	return at + uintptr(headerSize)
}

// allocReadOnly returns size bytes from the read-only end, or 0.
func (a *arena) allocReadOnly(size uint64) uintptr {
	st := a.state()
	n := max((size+15)&^15, 16)
	if n > st.top || st.top-n < st.bump {
		a.failed = true
		return 0
	}
	st.top -= n
	return a.base + uintptr(st.top)
}

// readOnly reports whether p is read-only memory handed out.
func (a *arena) readOnly(p uintptr) bool {
	return p >= a.base+uintptr(a.state().top) && p < a.base+uintptr(len(a.mem))
}

// blockCap returns the capacity of the block at p.
func (a *arena) blockCap(p uintptr) uint64 {
	h := a.header(p)
	if h.magic != blockMagic || p < a.base || p >= a.base+uintptr(len(a.mem)) {
		panic("quickjs: engine freed memory it does not own")
	}
	return classCap(int(h.class))
}

func (a *arena) release(p uintptr) {
	h := a.header(p)
	c := int(h.class)
	a.blockCap(p)
	st := a.state()
	*(*uint64)(addr(p)) = st.free[c]
	st.free[c] = uint64(p - a.base)
}

// The engine's allocation functions. s is the engine's JSMallocState,
// where it keeps its count and limit.

func (a *arena) jsMalloc(_ *libc.TLS, s uintptr, size lib.Tsize_t) uintptr {
	if size&lib.HullReadOnlyAlloc != 0 {
		return a.allocReadOnly(size &^ lib.HullReadOnlyAlloc)
	}
	ms := (*lib.TJSMallocState)(addr(s))
	if ms.Fmalloc_size+size > ms.Fmalloc_limit {
		a.failed = true
		return 0
	}
	p := a.alloc(size)
	if p == 0 {
		return 0
	}
	ms.Fmalloc_count++
	ms.Fmalloc_size += a.blockCap(p) + mallocOverhead
	return p
}

func (a *arena) jsFree(_ *libc.TLS, s uintptr, p uintptr) {
	if p == 0 || a.readOnly(p) {
		return
	}
	ms := (*lib.TJSMallocState)(addr(s))
	ms.Fmalloc_count--
	ms.Fmalloc_size -= a.blockCap(p) + mallocOverhead
	a.release(p)
}

func (a *arena) jsRealloc(tls *libc.TLS, s uintptr, p uintptr, size lib.Tsize_t) uintptr {
	if p == 0 {
		if size == 0 {
			return 0
		}
		return a.jsMalloc(tls, s, size)
	}
	if size == 0 {
		a.jsFree(tls, s, p)
		return 0
	}
	old := a.blockCap(p)
	if size <= old {
		return p
	}
	ms := (*lib.TJSMallocState)(addr(s))
	if ms.Fmalloc_size+size-old > ms.Fmalloc_limit {
		a.failed = true
		return 0
	}
	q := a.jsMalloc(tls, s, size)
	if q == 0 {
		return 0
	}
	copy(unsafe.Slice((*byte)(addr(q)), old), unsafe.Slice((*byte)(addr(p)), old))
	a.jsFree(tls, s, p)
	return q
}

func (a *arena) jsUsableSize(_ *libc.TLS, p uintptr) lib.Tsize_t {
	if p == 0 {
		return 0
	}
	return a.blockCap(p)
}

// used reports the bytes handed out so far (the high-water mark).
func (a *arena) used() int { return int(a.state().bump) }

// A snapshot keeps the bytes a restore needs: the allocator's state, every
// block in use, and of each free block only its free-list link (its
// payload is garbage nobody reads before writing). Free blocks left by
// evaluation are a good part of a prepared engine's region, so this copies
// less on every restore than the whole used prefix would.

// snapRange is one run of bytes of the region a snapshot keeps.
type snapRange struct{ off, n int }

// mergeGap joins kept runs separated by fewer bytes than this: copying a
// small gap costs less than another run.
const mergeGap = 256

// snapshot records the region's state.
func (a *arena) snapshot() {
	st := a.state()
	n := a.used()
	free := map[uint64]bool{}
	for c := range numClasses {
		for off := st.free[c]; off != 0; off = *(*uint64)(addr(a.base + uintptr(off))) {
			free[off] = true
		}
	}
	var ranges []snapRange
	keep := func(off, n int) {
		if k := len(ranges) - 1; k >= 0 && off-(ranges[k].off+ranges[k].n) < mergeGap {
			ranges[k].n = off + n - ranges[k].off
			return
		}
		ranges = append(ranges, snapRange{off, n})
	}
	keep(0, stateSize)
	for off := stateSize; off < n; {
		h := (*blockHeader)(addr(a.base + uintptr(off)))
		size := headerSize + int(classCap(int(h.class)))
		payload := off + headerSize
		if free[uint64(payload)] {
			keep(payload, 8)
		} else {
			keep(off, size)
		}
		off += size
	}
	total := 0
	for _, r := range ranges {
		total += r.n
	}
	if cap(a.snap) < total {
		a.snap = make([]byte, total)
	}
	a.snap = a.snap[:total]
	at := 0
	for _, r := range ranges {
		copy(a.snap[at:], a.mem[r.off:r.off+r.n])
		at += r.n
	}
	a.ranges, a.snapUsed = ranges, n
}

// restore puts the snapshot back. Pages used past it since are handed
// back to the OS when they are many.
func (a *arena) restore() {
	high := a.used()
	at := 0
	for _, r := range a.ranges {
		copy(a.mem[r.off:r.off+r.n], a.snap[at:at+r.n])
		at += r.n
	}
	a.failed = false
	n := a.snapUsed
	const keep = 4 << 20
	if high > n+keep {
		from := (n + keep + pageSize - 1) &^ (pageSize - 1)
		to := (high + pageSize - 1) &^ (pageSize - 1)
		if to > from && to <= len(a.mem) {
			releasePages(a.mem[from:to])
		}
	}
}

func (a *arena) free() {
	if a.mem != nil {
		unmapRegion(a.mem)
		a.mem, a.snap = nil, nil
	}
}

// addr turns an address inside engine memory (the arena or C memory of
// the libc emulation, neither of them Go heap) into a pointer.
func addr(p uintptr) unsafe.Pointer { return unsafe.Add(nil, p) }

// freeBytes sums the capacity of the blocks on the free lists.
func (a *arena) freeBytes() int {
	st := a.state()
	n := 0
	for c := range numClasses {
		for off := st.free[c]; off != 0; off = *(*uint64)(addr(a.base + uintptr(off))) {
			n += int(classCap(c)) + headerSize
		}
	}
	return n
}
