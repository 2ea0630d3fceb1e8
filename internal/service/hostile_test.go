package service

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Bodies that two JSON readers could read differently are refused, and
// so are outputs that would land inside an input root.
func TestStrictRequests(t *testing.T) {
	base := t.TempDir()
	in := filepath.Join(base, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	// The output root holds the input root: an output may go anywhere
	// under it except into the input root.
	n := startNode(t, Config{InputRoots: []string{in}, OutputRoot: base})
	good := n.capture("good.pcap", synth.Config{Seed: 4, Packets: 50})
	quoted := `["` + good + `"]`
	out := filepath.Join(base, "x.ipfix")
	tests := []struct {
		name   string
		body   any
		code   int
		field  string
		reason string
	}{
		{name: "field name in other case", code: 400, field: "PCAP_FILES", reason: "unknown field",
			body: `{"PCAP_FILES": ` + quoted + `, "output_path": "` + out + `"}`},
		{name: "dpi in lower case", code: 400, field: "dpi", reason: "unknown field",
			body: `{"pcap_files": ` + quoted + `, "output_path": "` + out + `", "dpi": true}`},
		{name: "field given twice", code: 400, field: "pcap_files", reason: "more than once",
			body: `{"pcap_files": ` + quoted + `, "output_path": "` + out + `", "pcap_files": ["/etc/passwd"]}`},
		{name: "timeout rounding to zero", code: 400, field: "idle_timeout", reason: "at least",
			body: body([]string{good}, out, "idle_timeout", 1e-300)},
		{name: "timeout under a millisecond", code: 400, field: "active_timeout", reason: "at least",
			body: body([]string{good}, out, "active_timeout", "1ns")},
		{name: "output inside the input root", code: 403, field: "output_path",
			reason: "inside the input root", body: body([]string{good}, filepath.Join(in, "x.ipfix"))},
		{name: "output through dot dot into the input root", code: 403, field: "output_path",
			reason: "inside the input root", body: body([]string{good}, base+"/in/../in/x.ipfix")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp, _ := n.do("POST", "/api/export-task", tc.body)
			if code != tc.code || str(resp["field"]) != tc.field ||
				!regexp.MustCompile(tc.reason).MatchString(str(resp["error"])) {
				t.Errorf("%d %v; want %d, field %q, reason %q", code, resp, tc.code, tc.field, tc.reason)
			}
		})
	}
	if code, resp := n.submit(body([]string{good}, out)); code != 202 {
		t.Errorf("output beside the input root: %d %v", code, resp)
	}
}

// Files swapped for links that lead out after a task was accepted: the
// input is refused when the task opens it, and the output directory
// receives nothing, not even a temporary file.
func TestLinksSwappedAfterSubmit(t *testing.T) {
	tune, release := slow(50 * time.Millisecond)
	defer release()
	n := startNode(t, Config{Workers: 1, Tune: tune})
	outside := t.TempDir()
	blocker := n.capture("blocker.pcap", synth.Config{Seed: 5, Packets: 50000})
	victim := n.capture("victim.pcap", synth.Config{Seed: 6, Packets: 100})
	secret := filepath.Join(outside, "secret.pcap")
	if err := os.Rename(n.capture("secret.pcap", synth.Config{Seed: 7, Packets: 100}), secret); err != nil {
		t.Fatal(err)
	}
	sub := n.outPath("sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	_, a := n.submit(body([]string{blocker}, n.outPath("blocker.ipfix")))
	_, b := n.submit(body([]string{victim}, n.outPath("b.ipfix")))
	_, c := n.submit(body([]string{blocker}, filepath.Join(sub, "c.ipfix")))
	for _, r := range []map[string]any{a, b, c} {
		if r["task_id"] == nil {
			t.Fatalf("submit: %v", r)
		}
	}
	swap(t, victim, secret)
	swap(t, sub, outside)
	release()

	tb := n.waitFor(str(b["task_id"]), 30*time.Second, final)
	if tb.Status != task.Failed || len(tb.Errors) != 1 ||
		!strings.Contains(tb.Errors[0].Reason, "no longer under an input root") {
		t.Errorf("swapped input: %s %q %+v", tb.Status, tb.Error, tb.Errors)
	}
	tc := n.waitFor(str(c["task_id"]), 30*time.Second, final)
	if tc.Status != task.Failed || !strings.HasPrefix(tc.Error, "create output") ||
		!strings.Contains(tc.Error, "not under the output root") {
		t.Errorf("swapped output directory: %s %q", tc.Status, tc.Error)
	}
	if left := leftoversIn(t, outside, "secret.pcap"); len(left) > 0 {
		t.Errorf("written outside the output root: %v", left)
	}
	if ta := n.waitFor(str(a["task_id"]), 30*time.Second, final); ta.Status != task.Completed {
		t.Errorf("blocker: %s %s", ta.Status, ta.Error)
	}
}

// swap replaces path with a symbolic link to target.
func swap(tb testing.TB, path, target string) {
	tb.Helper()
	if err := os.RemoveAll(path); err != nil {
		tb.Fatal(err)
	}
	if err := os.Symlink(target, path); err != nil {
		tb.Fatal(err)
	}
}

// leftoversIn lists the names in dir other than keep.
func leftoversIn(tb testing.TB, dir, keep string) []string {
	tb.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if e.Name() != keep {
			out = append(out, e.Name())
		}
	}
	return out
}
