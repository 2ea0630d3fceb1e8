package flow

import (
	"fmt"
	"testing"
)

// BenchmarkFlush ends every connection of a full table at the end of the
// input, into the small slice a shard passes: all at once (Flush), or 256
// connections at a time (FlushSome), as a shard sends them on. B/op is
// what the records cost beyond their own size.
func BenchmarkFlush(b *testing.B) {
	for _, n := range benchFlows {
		for _, pieces := range []bool{false, true} {
			b.Run(fmt.Sprintf("flows=%d/pieces=%v", n, pieces), func(b *testing.B) {
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
					if pieces {
						got := 0
						for done := false; !done; got += len(out) {
							out, done = tbl.FlushSome(EndForced, 256, out[:0])
						}
						if got != n {
							b.Fatalf("%d records for %d flows", got, n)
						}
						continue
					}
					out = tbl.Flush(EndForced, out[:0])
					if len(out) != n {
						b.Fatalf("%d records for %d flows", len(out), n)
					}
				}
			})
		}
	}
}
