package flow

import "unsafe"

// offHeap holds the full pages of a Table's entries outside the Go heap.
// Entries hold no pointer, so the garbage collector need not see them;
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

// free gives the pages back. No entry in them may be used after.
func (m *offHeap) free() {
	for _, b := range m.maps {
		unmapAnon(b)
	}
	m.maps = nil
}
