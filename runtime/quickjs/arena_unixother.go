//go:build unix && !linux

package quickjs

const mapNoReserve = 0

// releasePages zeroes pages: elsewhere the standard library has no
// madvise, and MADV_FREE would not promise zeroes when touched again.
func releasePages(b []byte) { clear(b) }
