//go:build unix

package quickjs

import "syscall"

const pageSize = 4096

// mapRegion reserves size bytes of address space; pages take memory only
// once touched.
func mapRegion(size int) ([]byte, error) {
	return syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON|mapNoReserve)
}

func unmapRegion(b []byte) { _ = syscall.Munmap(b) }
