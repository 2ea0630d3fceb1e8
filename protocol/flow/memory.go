package flow

import "unsafe"

// The memory of a Table, for callers that give it a budget in bytes
// rather than a number of connections.
//
// A connection costs its entry, its share of the index (which stays at
// most half full, so up to four slots of 8 bytes), and the records it
// ends as: when the input ends, or the capture clock jumps past every
// timeout, every connection ends at once, and its records (two per
// connection in uniflow, one in biflow) are held by the caller while they
// are sent on, counted here twice for the copy a caller makes into its
// batches. Entries grow to at most MaxFlows; while the slice grows, the
// old and new arrays both live, hence the factor 3/2.
var (
	entrySize  = int64(unsafe.Sizeof(entry{}))
	recordSize = int64(unsafe.Sizeof(Record{}))
	fragSize   = int64(unsafe.Sizeof(fragState{}))
)

// ConnBytes returns the most memory one connection can account for in a
// Table with the given record mode, as described above.
func ConnBytes(biflow bool) int64 {
	records := int64(2)
	if biflow {
		records = 1
	}
	return entrySize*3/2 + 4*8*3/2 + 2*records*recordSize
}

// FragmentBytes returns the most memory the fragment tracking of a Table
// made with maxFragments (0 for the default) can use.
func FragmentBytes(maxFragments int) int64 {
	if maxFragments <= 0 {
		maxFragments = DefaultMaxFragments
	}
	// The ring, and the map's key, value and overhead, about twice that.
	return int64(min(maxFragments, maxMaxFragments)) * (fragSize + 2*int64(unsafe.Sizeof(fkey{})+8))
}

// MaxFlowsFor returns the MaxFlows that keeps a Table with the given
// record mode and fragment limit within budget bytes, and at least min.
func MaxFlowsFor(budget int64, biflow bool, maxFragments, least int) int {
	n := (budget - FragmentBytes(maxFragments)) / ConnBytes(biflow)
	return int(max(int64(least), min(n, maxMaxFlows)))
}

// growEntries makes room for one more entry. The capacity doubles as
// append's would, but never past the most entries the table can use
// (MaxFlows, plus the unused entry 0), so a full table holds no slack.
func (t *Table) growEntries() {
	if len(t.entries) < cap(t.entries) {
		return
	}
	n := min(2*cap(t.entries), t.cfg.maxFlows+1)
	grown := make([]entry, len(t.entries), max(n, len(t.entries)+1))
	copy(grown, t.entries)
	t.entries = grown
}
