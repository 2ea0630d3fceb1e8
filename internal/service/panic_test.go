package service

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// poisoned makes any task that reads a file named poison.pcap panic in
// the stage named, as a decoder bug met by a crafted capture would.
func poisoned(stage string) func(*actors.Spec) {
	return func(s *actors.Spec) {
		if !slices.ContainsFunc(s.Inputs, func(p string) bool { return filepath.Base(p) == "poison.pcap" }) {
			return
		}
		s.Fault = func(st string, n uint64) {
			if st == stage && n == 2 {
				panic("crafted capture: index out of range [7] with length 3")
			}
		}
	}
}

// A capture that makes a stage panic ends its task with a clear error;
// the server stays up and the tasks beside and after it complete.
func TestPanickingCapture(t *testing.T) {
	for _, stage := range []string{"reader", "shard", "writer"} {
		t.Run(stage, func(t *testing.T) {
			n := startNode(t, Config{Workers: 2, Tune: poisoned(stage)})
			poison := n.capture("poison.pcap", synth.Config{Seed: 10, Packets: 20000})
			clean := n.capture("clean.pcap", synth.Config{Seed: 11, Packets: 20000})
			_, p := n.submit(body([]string{poison}, n.outPath("p.ipfix"), "idle_timeout", "1ms"))
			_, c := n.submit(body([]string{clean}, n.outPath("c.ipfix")))
			tp := n.waitFor(str(p["task_id"]), 30*time.Second, final)
			if tp.Status != task.Failed || !strings.Contains(tp.Error, "internal fault in "+stage) ||
				!strings.Contains(tp.Error, "crafted capture") || tp.Output != nil {
				t.Errorf("poisoned task: %s %q", tp.Status, tp.Error)
			}
			if tc := n.waitFor(str(c["task_id"]), 30*time.Second, final); tc.Status != task.Completed {
				t.Errorf("task beside it: %s %q", tc.Status, tc.Error)
			}
			if code, _, _ := n.do("GET", "/healthz", nil); code != 200 {
				t.Errorf("healthz: %d", code)
			}
			_, after := n.submit(body([]string{clean}, n.outPath("after.ipfix")))
			if ta := n.waitFor(str(after["task_id"]), 30*time.Second, final); ta.Status != task.Completed {
				t.Errorf("task after it: %s %q", ta.Status, ta.Error)
			}
			if left := tempFiles(t, n.out); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
}
