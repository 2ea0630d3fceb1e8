package flow

import "unsafe"

// offHeap holds the full pages of a Table's entries, and its index once it
// is large, outside the Go heap. Neither holds a pointer, so the garbage
// collector need not see them;
// kept out of the heap they neither cost it marking nor count towards the
// heap size at which it next runs, which otherwise lets the heap grow by
// their size again before it does (a table of a million connections is
// about 200 MB). The pages are given back when the Table is collected
// (see NewTable), or by [Table.Release].
type offHeap struct {
	maps [][]byte
}

// entries returns an empty slice with room for n entries, outside the
// heap when the platform allows, else on it.
func (m *offHeap) entries(n int) []entry {
	b := mapAnon(n * int(entrySize))
	if b == nil {
		return make([]entry, 0, n)
	}
	m.maps = append(m.maps, b)
	return unsafe.Slice((*entry)(unsafe.Pointer(unsafe.SliceData(b))), n)[:0]
}

// offHeapWords is the size from which an index lives off the heap.
const offHeapWords = 8 << 10

// words returns n zero words for an index, outside the heap when n is
// large and the platform allows, else on it.
func (m *offHeap) words(n int) []uint64 {
	if n < offHeapWords {
		return make([]uint64, n)
	}
	b := mapAnon(n * 8)
	if b == nil {
		return make([]uint64, n)
	}
	m.maps = append(m.maps, b)
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(b))), n)
}

// dropWords gives back the words of an index made by words. No word of it
// may be used after.
func (m *offHeap) dropWords(w []uint64) {
	p := unsafe.Pointer(unsafe.SliceData(w))
	for i, b := range m.maps {
		if unsafe.Pointer(unsafe.SliceData(b)) == p {
			unmapAnon(b)
			m.maps = append(m.maps[:i], m.maps[i+1:]...)
			return
		}
	}
}

// free gives the pages back. No entry in them may be used after.
func (m *offHeap) free() {
	for _, b := range m.maps {
		unmapAnon(b)
	}
	m.maps = nil
}
