//go:build unix

package flow

import "syscall"

// mapAnon returns n bytes of zeroed memory outside the Go heap, or nil.
func mapAnon(n int) []byte {
	b, err := syscall.Mmap(-1, 0, n, syscall.PROT_READ|syscall.PROT_WRITE,
		syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil
	}
	return b
}

func unmapAnon(b []byte) { _ = syscall.Munmap(b) }
