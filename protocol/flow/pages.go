package flow

// Entries live in pages of pageSize entries. A page never moves once made,
// so the table grows without copying its entries or holding two copies of
// them at once, as a growing slice would at every doubling. Only the first
// page starts small and doubles up to its size, so a small table stays
// small; a page never holds room for more entries than MaxFlows allows.
// The first page is on the heap; the others are off it (see offHeap).
const (
	pageShift = 10
	pageSize  = 1 << pageShift
	pageMask  = pageSize - 1
	firstPage = 64 // entries the first page starts with
)

// page is a run of pageSize entries (fewer for the first and last).
type page = []entry

// ent returns entry i, which must have been made by newEntry.
func (t *Table) ent(i uint32) *entry {
	return &t.pages[i>>pageShift][i&pageMask]
}

// newEntry makes a zero entry past the last one made and returns its
// index. The caller has checked that the table may hold one more.
func (t *Table) newEntry() uint32 {
	i := t.made
	k := int(i >> pageShift)
	if k == len(t.pages) {
		if k == 0 {
			t.pages = append(t.pages, make([]entry, 0, min(t.pageRoom(k), firstPage)))
		} else {
			t.pages = append(t.pages, t.mem.entries(t.pageRoom(k)))
		}
	}
	p := &t.pages[k]
	if len(*p) == cap(*p) {
		// Only a first page that has not reached its size gets here.
		grown := make([]entry, len(*p), min(2*cap(*p), t.pageRoom(k)))
		copy(grown, *p)
		*p = grown
	}
	*p = append(*p, entry{})
	t.made++
	return i
}

// pageRoom is the most entries page k may hold: pageSize, or fewer for
// the page that holds the last entry MaxFlows allows (entry 0 is unused).
func (t *Table) pageRoom(k int) int {
	return min(pageSize, t.cfg.maxFlows+1-k*pageSize)
}

// entryCap returns the entries the pages have room for.
func (t *Table) entryCap() int {
	n := 0
	for _, p := range t.pages {
		n += cap(p)
	}
	return n
}

// forgetEntries drops every entry, keeping the pages for reuse.
func (t *Table) forgetEntries() {
	for k := range t.pages {
		t.pages[k] = t.pages[k][:0] // newEntry zeroes what it makes again
	}
	t.pages[0] = append(t.pages[0], entry{})
	t.made, t.free = 1, 0
}

// Release gives back the memory of t's entries and index at once, rather than when
// t is collected. t must not be used after.
func (t *Table) Release() {
	t.pages, t.slots = nil, nil
	t.mem.free()
}
