//go:build !unix

package quickjs

const pageSize = 4096

// mapRegion allocates the region from the Go heap where there is no mmap.
func mapRegion(size int) ([]byte, error) { return make([]byte, size), nil }

func unmapRegion([]byte) {}

func releasePages([]byte) {}
