package flow

import (
	"fmt"
	"testing"
)

// BenchmarkFlush ends every connection of a full table at the end of the
// input, into the small slice a shard passes. B/op is what the records
// cost beyond their own size.
func BenchmarkFlush(b *testing.B) {
	for _, n := range benchFlows {
		b.Run(fmt.Sprintf("flows=%d", n), func(b *testing.B) {
			s := newBenchStream(n)
			tbl := NewTable(Config{MaxFlows: n})
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				b.StopTimer()
				out := make([]Record, 0, 512)
				for f := range n {
					out = tbl.Add(s.flow(uint32(f)), out[:0])
				}
				b.StartTimer()
				out = tbl.Flush(EndForced, out[:0])
				if len(out) != n {
					b.Fatalf("%d records for %d flows", len(out), n)
				}
			}
		})
	}
}
