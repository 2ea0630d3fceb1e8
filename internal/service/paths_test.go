package service

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// With the defaults the data directory lies inside the roots (all three
// are the working directory). No request may read the journal, replace
// it or write beside it, however the path is spelled; the journal
// survives every attempt.
func TestDataDirReserved(t *testing.T) {
	base := t.TempDir()
	data := filepath.Join(base, "ipfixweb-data")
	tune, release := slow(30 * time.Millisecond)
	defer release()
	n := startNode(t, Config{InputRoots: []string{base}, OutputRoot: base, DataDir: data, Workers: 1,
		Tune: tune})
	good := n.capture("good.pcap", synth.Config{Seed: 21, Packets: 200})
	db := filepath.Join(data, journal.FileName)
	alias := filepath.Join(base, "alias")
	if err := os.Symlink(data, alias); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{name: "replace the journal", field: "output_path",
			body: body([]string{good}, db, "overwrite", true)},
		{name: "write into the data directory", field: "output_path",
			body: body([]string{good}, filepath.Join(data, "x.ipfix"))},
		{name: "the data directory itself", field: "output_path",
			body: body([]string{good}, data, "overwrite", true)},
		{name: "through a link", field: "output_path",
			body: body([]string{good}, filepath.Join(alias, journal.FileName), "overwrite", true)},
		{name: "through dot dot", field: "output_path",
			body: body([]string{good}, base+"/x/../ipfixweb-data/journal.db", "overwrite", true)},
		{name: "read the journal", field: "pcap_files[0]",
			body: body([]string{db}, filepath.Join(base, "j.ipfix"))},
		{name: "read it through a link", field: "pcap_files[0]",
			body: body([]string{filepath.Join(alias, journal.FileName)}, filepath.Join(base, "j.ipfix"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp := n.submit(tc.body)
			if code != 403 || resp["field"] != tc.field ||
				!strings.Contains(str(resp["error"]), "data directory") {
				t.Errorf("%d %v; want 403 naming the data directory in %s", code, resp, tc.field)
			}
		})
	}
	// At open: an input swapped for a link to the journal after the
	// task was accepted is refused when the task reads it.
	blocker := n.capture("blocker.pcap", synth.Config{Seed: 22, Packets: 30000})
	victim := n.capture("victim.pcap", synth.Config{Seed: 23, Packets: 100})
	_, a := n.submit(body([]string{blocker}, filepath.Join(base, "blocker.ipfix")))
	_, b := n.submit(body([]string{victim}, filepath.Join(base, "victim.ipfix")))
	swap(t, victim, db)
	release()
	tb := n.waitFor(str(b["task_id"]), 30*time.Second, final)
	if tb.Status != task.Failed || len(tb.Errors) != 1 || !strings.Contains(tb.Errors[0].Reason, "data directory") {
		t.Errorf("input swapped for the journal: %s %q %+v", tb.Status, tb.Error, tb.Errors)
	}
	n.waitFor(str(a["task_id"]), 30*time.Second, final)
	n.stop()
	after, err := os.ReadFile(db)
	if err != nil || len(after) < len(before) {
		t.Fatalf("journal after the attempts: %d bytes, %v", len(after), err)
	}
	if left := leftoversIn(t, data, journal.FileName); len(left) > 0 {
		t.Errorf("written into the data directory: %v", left)
	}
	j, err := journal.Open(data)
	if err != nil {
		t.Fatalf("journal after the attempts: %v", err)
	}
	defer j.Close()
	if tk, err := j.Get(str(a["task_id"])); err != nil || tk.Status != task.Completed {
		t.Errorf("task in the journal: %v %v", tk, err)
	}
}

// Named pipes and directories are refused with a clear 400, at once:
// opening a pipe to read it would wait for a writer forever.
func TestNamedPipes(t *testing.T) {
	n := startNode(t, Config{})
	good := n.capture("good.pcap", synth.Config{Seed: 24, Packets: 100})
	pipeIn := filepath.Join(n.in, "pipe.pcap")
	pipeOut := n.outPath("pipe.ipfix")
	dirOut := n.outPath("adir")
	for _, p := range []string{pipeIn, pipeOut} {
		if err := syscall.Mkfifo(p, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(dirOut, 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		body   map[string]any
		field  string
		reason string
	}{
		{name: "input pipe", body: body([]string{good, pipeIn}, n.outPath("x.ipfix")),
			field: "pcap_files[1]", reason: "not a regular file: a named pipe"},
		{name: "output pipe", body: body([]string{good}, pipeOut, "overwrite", true),
			field: "output_path", reason: "named pipe"},
		{name: "output directory", body: body([]string{good}, dirOut, "overwrite", true),
			field: "output_path", reason: "is a directory"},
		{name: "the output root", body: body([]string{good}, n.out),
			field: "output_path", reason: "is a directory"},
		{name: "the output root with a slash", body: body([]string{good}, n.out+"/"),
			field: "output_path", reason: "is a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp := n.submit(tc.body)
			if code != 400 || resp["field"] != tc.field || !strings.Contains(str(resp["error"]), tc.reason) {
				t.Errorf("%d %v; want 400, %s, %q", code, resp, tc.field, tc.reason)
			}
		})
	}
}

// An input that becomes a named pipe after the task was accepted fails
// the task cleanly when it is opened; nothing waits on the pipe.
func TestInputBecomesPipe(t *testing.T) {
	tune, release := slow(30 * time.Millisecond)
	defer release()
	n := startNode(t, Config{Workers: 1, Tune: tune})
	blocker := n.capture("blocker.pcap", synth.Config{Seed: 25, Packets: 30000})
	victim := n.capture("victim.pcap", synth.Config{Seed: 26, Packets: 100})
	_, a := n.submit(body([]string{blocker}, n.outPath("a.ipfix")))
	_, b := n.submit(body([]string{victim}, n.outPath("b.ipfix")))
	if err := os.Remove(victim); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(victim, 0o644); err != nil {
		t.Fatal(err)
	}
	release()
	tb := n.waitFor(str(b["task_id"]), 30*time.Second, final)
	if tb.Status != task.Failed || len(tb.Errors) != 1 ||
		!strings.Contains(tb.Errors[0].Reason, "not a regular file: a named pipe") {
		t.Errorf("input turned into a pipe: %s %q %+v", tb.Status, tb.Error, tb.Errors)
	}
	if ta := n.waitFor(str(a["task_id"]), 30*time.Second, final); ta.Status != task.Completed {
		t.Errorf("task before it: %s %s", ta.Status, ta.Error)
	}
}
