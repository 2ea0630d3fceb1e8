package node

import (
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/cluster/clusterpb"
)

// TestRemoteMessages sends the protobuf messages from one node to
// another through protoactor-go's remote layer, as separate processes
// would: a placed task is claimed by the node told, and a cancel request
// for a task the node does not run is answered as such.
func TestRemoteMessages(t *testing.T) {
	f := newFixture(t)
	in := f.capture(t, "in.pcap", 2000)
	n1 := f.start(t, "n1", nil)
	n2 := f.start(t, "n2", nil)
	rec := newRecord(t, []string{in}, f.dir+"/placed.ipfix")
	// Both nodes sweep: stop n1's claims so that only the message can
	// give the task to n2 first.
	n1.mu.Lock()
	n1.draining = true
	n1.mu.Unlock()
	f.admit(t, rec)
	ack, err := n1.ask(n2.Address(), &clusterpb.TaskPlaced{TaskId: rec.Task.ID, FromNode: "n1"})
	if err != nil {
		t.Fatal(err)
	}
	if ack.Node != "n2" || (!ack.Done && ack.Reason == "") {
		t.Errorf("placed: %+v", ack)
	}
	if got := f.waitEnded(t, rec.Task.ID); got.Task.Node != "n2" {
		t.Errorf("task ran on %q", got.Task.Node)
	}
	ack, err = n2.ask(n1.Address(), &clusterpb.CancelRequested{TaskId: "none", FromNode: "n2"})
	if err != nil || ack.Node != "n1" || ack.Done {
		t.Errorf("cancel of a task n1 does not run: %+v %v", ack, err)
	}
}
