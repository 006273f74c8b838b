package quickjs

import "syscall"

const mapNoReserve = syscall.MAP_NORESERVE

// releasePages hands pages back to the OS; they read as zero when touched
// again.
func releasePages(b []byte) { _ = syscall.Madvise(b, syscall.MADV_DONTNEED) }
