package node

import (
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/collectortest"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestStreamOnlyTask runs a task that only streams to a TCP collector:
// each input is streamed, on a connection of its own, as it is
// converted; the task claims no output path, and the collector gets
// every record.
func TestStreamOnlyTask(t *testing.T) {
	f := newFixture(t)
	coll := collectortest.ListenTCP(t)
	ins := []string{f.capture(t, "a.pcap", 3000), f.capture(t, "b.pcap", 2000)}
	rec := newRecord(t, ins, "")
	rec.Task.Request.Collector = coll.URL()
	streams := make(chan []byte, len(ins))
	go func() { // one connection, one session, per input
		for range ins {
			b, err := coll.ReadAll()
			if err != nil {
				t.Error(err)
			}
			streams <- b
		}
	}()
	f.admit(t, rec)
	f.start(t, "n1", nil)
	got := f.waitEnded(t, rec.Task.ID)
	if got.Task.Status != task.Completed || got.Task.Output != nil || got.Task.Delivery == nil {
		t.Fatalf("task: %s %q output %+v delivery %+v", got.Task.Status, got.Task.Error,
			got.Task.Output, got.Task.Delivery)
	}
	var flows uint64
	for range ins {
		stream := <-streams
		for _, r := range collectortest.DataRecords(t, collectortest.Complete(stream)) {
			if !r.Options() {
				flows++
			}
		}
	}
	if flows != got.Task.Progress.RecordsWritten || flows == 0 {
		t.Errorf("the collector got %d flow records, the task wrote %d", flows,
			got.Task.Progress.RecordsWritten)
	}
	if d := got.Task.Delivery; d.Connections < 2 {
		t.Errorf("delivery %+v: want a connection per input", d)
	}
}
