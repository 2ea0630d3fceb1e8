package flow

import "unsafe"

// The memory of a Table, for callers that give it a budget in bytes
// rather than a number of connections.
//
// A connection costs its entry (entries live in pages that never move, so
// growing the table never holds two copies of them), its share of the
// index (which stays at most half full, so up to four slots of 8 bytes,
// and half as many again while it doubles), and the records it ends as:
// when the capture clock jumps past every timeout, every connection ends
// in one call, and its records (two per connection in uniflow, one in
// biflow) are held by the caller while they are sent on, counted here
// twice for the copy a caller makes into its batches. At the end of the
// input a caller that flushes with [Table.FlushSome] holds only a piece
// at a time.
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
	return entrySize + 4*8*3/2 + 2*records*recordSize
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
