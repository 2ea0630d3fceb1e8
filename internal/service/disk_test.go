package service

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// smallFS mounts a tmpfs of size bytes (read-only if ro) at dir, or skips
// the test when this process may not mount one.
func smallFS(t *testing.T, dir, size string, ro bool) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root")
	}
	opts := "size=" + size
	if ro {
		opts += ",ro"
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs: %v %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
}

// An output directory that is full or read-only fails that task with a
// message that says so; the server and the other tasks go on.
func TestOutputFileSystemFaults(t *testing.T) {
	n := startNode(t, Config{Workers: 2})
	// One record per packet makes an output far larger than the tmpfs.
	big := n.capture("big.pcap", synth.Config{Seed: 8, Packets: 30000})
	small := n.capture("small.pcap", synth.Config{Seed: 9, Packets: 200})
	tests := []struct {
		name   string
		ro     bool
		reason string
	}{
		{name: "full", reason: "no space left on device (the output's file system is full)"},
		{name: "read-only", ro: true, reason: "read-only file system (the output's file system is read-only)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := n.outPath(tc.name)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			smallFS(t, dir, "64k", tc.ro)
			_, bad := n.submit(body([]string{big}, filepath.Join(dir, "x.ipfix"), "idle_timeout", "1ms"))
			_, good := n.submit(body([]string{small}, n.outPath(tc.name+"-ok.ipfix")))
			tb := n.waitFor(str(bad["task_id"]), 60*time.Second, final)
			if tb.Status != task.Failed || !strings.Contains(tb.Error, tc.reason) {
				t.Errorf("task on the %s file system: %s %q", tc.name, tb.Status, tb.Error)
			}
			if tb.Progress.BytesRead == tb.Progress.BytesTotal && !tc.ro {
				t.Logf("the whole input was read before the task failed")
			}
			if tg := n.waitFor(str(good["task_id"]), 60*time.Second, final); tg.Status != task.Completed {
				t.Errorf("other task: %s %q", tg.Status, tg.Error)
			}
			if left := leftoversIn(t, dir, ""); len(left) > 0 {
				t.Errorf("files left on the %s file system: %v", tc.name, left)
			}
			if code, _, _ := n.do("GET", "/readyz", nil); code != 200 {
				t.Errorf("readyz after the fault: %d", code)
			}
		})
	}
}
