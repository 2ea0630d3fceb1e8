//go:build !unix

package flow

// mapAnon is not available here: pages live on the heap.
func mapAnon(int) []byte { return nil }

func unmapAnon([]byte) {}
