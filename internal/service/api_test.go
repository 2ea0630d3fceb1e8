package service

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// slow makes every task's reader pause at each slice of input, so tests
// can watch a task run; the pause ends when the returned func is called.
func slow(pause time.Duration) (func(*actors.Spec), func()) {
	var stop atomic.Bool
	return func(s *actors.Spec) {
			s.Fault = func(stage string, _ uint64) {
				if stage == "reader" && !stop.Load() {
					time.Sleep(pause)
				}
			}
		}, func() {
			stop.Store(true)
		}
}

// The original request, followed to the end, gives an output that
// decodes and matches the status the task reports.
func TestEndToEnd(t *testing.T) {
	var budget atomic.Int64
	n := startNode(t, Config{Tune: func(s *actors.Spec) { budget.Store(int64(s.DPIBudget)) }})
	in := n.capture("office.pcap", synth.Config{Seed: 1, Packets: 20000})
	inputs := []string{in}
	if corpus, err := filepath.Abs("../../../shared/corpus/pcap/ndpi_1kxun.pcap"); err == nil {
		if data, err := os.ReadFile(corpus); err == nil {
			copyTo := filepath.Join(n.in, "1kxun.pcap")
			if err := os.WriteFile(copyTo, data, 0o644); err != nil {
				t.Fatal(err)
			}
			inputs = append(inputs, copyTo)
		}
	}
	out := n.outPath("office.ipfix")
	code, resp := n.submit(body(inputs, out, "DPI", true, "dpi_budget", 16))
	if code != 202 || resp["status"] != "queued" || resp["task_id"] == "" {
		t.Fatalf("submit: %d %v", code, resp)
	}
	id := str(resp["task_id"])
	tk := n.waitFor(id, 30*time.Second, final)
	if tk.Status != task.Completed {
		t.Fatalf("task ended %s: %s %v", tk.Status, tk.Error, tk.Errors)
	}
	if tk.StartedAt == nil || tk.FinishedAt == nil || tk.FinishedAt.Before(*tk.StartedAt) ||
		tk.StartedAt.Before(tk.SubmittedAt) {
		t.Errorf("times: submitted %v started %v finished %v", tk.SubmittedAt, tk.StartedAt, tk.FinishedAt)
	}
	p := tk.Progress
	if p.FilesDone != len(inputs) || p.FilesTotal != len(inputs) || p.Percent != 100 ||
		p.BytesRead != p.BytesTotal || p.Packets < 20000 {
		t.Errorf("progress %+v", p)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(data)
	if tk.Output == nil || tk.Output.Path != out || tk.Output.Bytes != int64(len(data)) ||
		tk.Output.SHA256 != hex.EncodeToString(digest[:]) {
		t.Errorf("output %+v, file of %d bytes", tk.Output, len(data))
	}
	msgs := ipfixcheck.All(t, out)
	recs := ipfixcheck.FlowRecords(msgs)
	sum := tk.Summary
	if uint64(len(recs)) != tk.Output.Records || sum == nil || sum.Records != tk.Output.Records ||
		sum.Packets != p.Packets || sum.PacketsMetered != p.Packets-p.SkippedPackets ||
		sum.FilesRead != len(inputs) || sum.FilesWithErrors != 0 {
		t.Errorf("%d records in the file; output %+v summary %+v", len(recs), tk.Output, sum)
	}
	// Flows are connections: uniflow gives a record per direction.
	if sum.Flows != p.Flows || sum.Flows == 0 || sum.Flows >= sum.Records {
		t.Errorf("summary: %d flows, %d records", sum.Flows, sum.Records)
	}
	checkApplications(t, tk, recs)
	if budget.Load() != 16 {
		t.Errorf("dpi_budget 16 reached the task as %d", budget.Load())
	}
	var packets uint64
	for _, r := range recs {
		f, _ := r.Field("packetDeltaCount")
		packets += f.Value.(uint64)
		if proto, _ := r.Field("protocolIdentifier"); proto.Value != uint64(6) && proto.Value != uint64(17) {
			t.Fatalf("analysis_list tcp,udp let through protocol %v", proto.Value)
		}
	}
	if packets != sum.PacketsMetered {
		t.Errorf("records hold %d packets; %d metered, %d skipped", packets, p.Packets, p.SkippedPackets)
	}
	if left := tempFiles(t, n.out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// checkApplications checks what "DPI": true gives: every record has an
// application, the summary's top applications count them, most flows
// first, and no inspection failed.
func checkApplications(t *testing.T, tk *task.Task, recs []*ipfix.Record) {
	t.Helper()
	flows := map[string]uint64{}
	for _, r := range recs {
		f, ok := r.Field("applicationName")
		if !ok {
			t.Fatalf("a record without applicationName: %v", r.Fields)
		}
		flows[f.Value.(string)]++
	}
	top := tk.Summary.TopApplications
	if len(top) < 3 || tk.Progress.DPIFailures != 0 {
		t.Fatalf("top applications %+v, %d DPI failures", top, tk.Progress.DPIFailures)
	}
	for i, a := range top {
		if a.Flows != flows[a.Name] || a.Records != a.Flows || i > 0 && a.Flows > top[i-1].Flows {
			t.Errorf("top applications %+v; the file has %v", top, flows)
			break
		}
	}
	for _, name := range []string{"TLS", "DNS", "HTTP"} {
		if flows[name] == 0 {
			t.Errorf("no %s flow among %v", name, flows)
		}
	}
}

func TestDuplicates(t *testing.T) {
	tune, release := slow(20 * time.Millisecond)
	n := startNode(t, Config{Workers: 1, Tune: tune})
	in := n.capture("a.pcap", synth.Config{Seed: 2, Packets: 100000})
	b := body([]string{in}, n.outPath("a.ipfix"))
	code, first := n.submit(b)
	if code != 202 {
		t.Fatalf("first: %d %v", code, first)
	}
	id := str(first["task_id"])
	// The same request while the first is live is the first.
	code, again := n.submit(b)
	if code != 200 || again["task_id"] != id {
		t.Errorf("duplicate: %d %v, want 200 and %s", code, again, id)
	}
	// The same request in another form (path with ".." and a different
	// case in the analysis list) normalises to the same.
	alt := body([]string{filepath.Join(n.in, "x", "..", "a.pcap")}, n.outPath("a.ipfix"))
	alt["analysis_list"] = []string{"TCP", " udp"}
	if code, r := n.submit(alt); code != 200 || r["task_id"] != id {
		t.Errorf("normalised duplicate: %d %v", code, r)
	}
	// Another request for the same output is a conflict.
	other := body([]string{in}, n.outPath("a.ipfix"), "biflow", true)
	code, conflict := n.submit(other)
	if code != 409 || conflict["task_id"] != id || conflict["field"] != "output_path" {
		t.Errorf("same output: %d %v", code, conflict)
	}
	// An idempotency key returns its task, also after the task has
	// ended and its output exists; the key with another body is refused.
	keyed := body([]string{in}, n.outPath("k.ipfix"))
	code, k1 := n.submit(keyed, "Idempotency-Key", "batch-7")
	if code != 202 {
		t.Fatalf("keyed: %d %v", code, k1)
	}
	if code, r := n.submit(keyed, "Idempotency-Key", "batch-7"); code != 200 || r["task_id"] != k1["task_id"] {
		t.Errorf("key while queued: %d %v", code, r)
	}
	release()
	n.waitFor(id, 30*time.Second, final)
	done := n.waitFor(str(k1["task_id"]), 30*time.Second, final)
	if done.Status != task.Completed {
		t.Fatalf("keyed task %s", done.Status)
	}
	code, k2 := n.submit(keyed, "Idempotency-Key", "batch-7")
	if code != 200 || k2["task_id"] != k1["task_id"] || k2["status"] != "completed" {
		t.Errorf("key after completion: %d %v", code, k2)
	}
	for _, other := range []map[string]any{body([]string{in}, n.outPath("k2.ipfix")),
		body([]string{in}, n.outPath("k.ipfix"), "biflow", true)} {
		code, r := n.submit(other, "Idempotency-Key", "batch-7")
		if code != 422 || r["field"] != "Idempotency-Key" || r["task_id"] != k1["task_id"] ||
			!strings.Contains(str(r["error"]), "different request") {
			t.Errorf("key with another body: %d %v", code, r)
		}
	}
	if _, err := os.Stat(n.outPath("k2.ipfix")); !os.IsNotExist(err) {
		t.Errorf("a reused key made a task: %v", err)
	}
	// Once the first task has ended, the same body is new work.
	if _, err := os.Stat(n.outPath("a.ipfix")); err != nil {
		t.Fatal(err)
	}
	code, r := n.submit(body([]string{in}, n.outPath("a2.ipfix")))
	if code != 202 || r["task_id"] == id {
		t.Errorf("new task after the end: %d %v", code, r)
	}
}

func TestQueueFull(t *testing.T) {
	tune, release := slow(50 * time.Millisecond)
	defer release()
	n := startNode(t, Config{Workers: 1, Queue: 1, Tune: tune})
	in := n.capture("a.pcap", synth.Config{Seed: 3, Packets: 50000})
	codes := []int{}
	for i := range 3 {
		code, _ := n.submit(body([]string{in}, n.outPath(str(i)+".ipfix")))
		codes = append(codes, code)
	}
	if str(codes) != "[202 202 429]" {
		t.Fatalf("codes %v, want one running, one queued, one refused", codes)
	}
	code, resp, h := n.do("POST", "/api/export-task", body([]string{in}, n.outPath("x.ipfix")))
	if code != 429 || h.Get("Retry-After") == "" || !strings.Contains(str(resp["error"]), "queue") {
		t.Errorf("429: %v %v", resp, h)
	}
}

func TestCancel(t *testing.T) {
	tune, release := slow(20 * time.Millisecond)
	defer release()
	n := startNode(t, Config{Workers: 1, Tune: tune})
	in := n.capture("a.pcap", synth.Config{Seed: 4, Packets: 200000})
	_, running := n.submit(body([]string{in}, n.outPath("run.ipfix")))
	_, queued := n.submit(body([]string{in}, n.outPath("queued.ipfix")))
	rid, qid := str(running["task_id"]), str(queued["task_id"])
	n.waitFor(rid, 5*time.Second, func(tk *task.Task) bool {
		return tk.Status == task.Running && tk.Progress.Packets > 0
	})

	code, resp, _ := n.do("DELETE", "/api/tasks/"+qid, nil)
	if code != 200 || resp["status"] != "cancelled" || resp["started_at"] != nil {
		t.Errorf("cancel queued: %d %v", code, resp)
	}
	begin := time.Now()
	code, resp, _ = n.do("DELETE", "/api/tasks/"+rid, nil)
	if code != 200 || resp["status"] != "cancelled" {
		t.Errorf("cancel running: %d %v", code, resp)
	}
	if d := time.Since(begin); d > time.Second {
		t.Errorf("cancel took %s", d)
	}
	for _, name := range []string{"run.ipfix", "queued.ipfix"} {
		if _, err := os.Stat(n.outPath(name)); !os.IsNotExist(err) {
			t.Errorf("%s exists after cancel: %v", name, err)
		}
	}
	if left := tempFiles(t, n.out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if code, resp, _ := n.do("DELETE", "/api/tasks/"+rid, nil); code != 409 {
		t.Errorf("cancel twice: %d %v", code, resp)
	}
	if code, resp, _ := n.do("DELETE", "/api/tasks/0000", nil); code != 404 || resp["field"] != "task_id" {
		t.Errorf("cancel unknown: %d %v", code, resp)
	}
}

func TestTaskTimeout(t *testing.T) {
	tune, release := slow(20 * time.Millisecond)
	defer release()
	n := startNode(t, Config{TaskTimeout: 300 * time.Millisecond, Tune: tune})
	in := n.capture("a.pcap", synth.Config{Seed: 5, Packets: 200000})
	_, resp := n.submit(body([]string{in}, n.outPath("late.ipfix")))
	tk := n.waitFor(str(resp["task_id"]), 5*time.Second, final)
	if tk.Status != task.TimedOut || !strings.Contains(tk.Error, "timeout") {
		t.Errorf("task %s: %s", tk.Status, tk.Error)
	}
	if _, err := os.Stat(n.outPath("late.ipfix")); !os.IsNotExist(err) {
		t.Errorf("output of a timed-out task: %v", err)
	}
	if left := tempFiles(t, n.out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestList(t *testing.T) {
	n := startNode(t, Config{Workers: 2})
	in := n.capture("a.pcap", synth.Config{Seed: 6, Packets: 500})
	var ids []string
	for i := range 5 {
		_, r := n.submit(body([]string{in}, n.outPath(str(i)+".ipfix")))
		ids = append(ids, str(r["task_id"]))
	}
	for _, id := range ids {
		n.waitFor(id, 10*time.Second, final)
	}
	n.do("DELETE", "/api/tasks/"+ids[0], nil) // already completed: stays so
	code, page, _ := n.do("GET", "/api/tasks?limit=2", nil)
	got := func(page map[string]any) []string {
		var out []string
		for _, t := range page["tasks"].([]any) {
			out = append(out, str(t.(map[string]any)["task_id"]))
		}
		return out
	}
	if code != 200 || str(got(page)) != str([]string{ids[4], ids[3]}) || page["next_cursor"] != ids[3] {
		t.Fatalf("first page: %d %v", code, page)
	}
	_, page, _ = n.do("GET", "/api/tasks?limit=2&cursor="+ids[3], nil)
	if str(got(page)) != str([]string{ids[2], ids[1]}) {
		t.Errorf("second page: %v", page)
	}
	_, page, _ = n.do("GET", "/api/tasks?limit=2&cursor="+ids[1], nil)
	if str(got(page)) != str([]string{ids[0]}) || page["next_cursor"] != "" {
		t.Errorf("last page: %v", page)
	}
	_, page, _ = n.do("GET", "/api/tasks?status=completed", nil)
	if len(got(page)) != 5 {
		t.Errorf("completed: %v", page)
	}
	_, page, _ = n.do("GET", "/api/tasks?status=failed", nil)
	if len(got(page)) != 0 {
		t.Errorf("failed: %v", page)
	}
}

func TestToken(t *testing.T) {
	n := startNode(t, Config{Token: "s3cret-token"})
	n.token = ""
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "s3cret-token"}} {
		code, resp, hdr := n.do("GET", "/api/tasks", nil, h...)
		if code != 401 || hdr.Get("WWW-Authenticate") == "" || resp["error"] == nil {
			t.Errorf("header %v: %d %v", h, code, resp)
		}
	}
	if code, _, _ := n.do("GET", "/api/tasks", nil, "Authorization", "Bearer s3cret-token"); code != 200 {
		t.Errorf("right token: %d", code)
	}
	if code, _, _ := n.do("GET", "/healthz", nil); code != 200 {
		t.Errorf("healthz needs no token: %d", code)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	n := startNode(t, Config{})
	if code, resp, _ := n.do("GET", "/readyz", nil); code != 200 || resp["status"] != "ready" {
		t.Errorf("readyz: %d %v", code, resp)
	}
	in := n.capture("a.pcap", synth.Config{Seed: 7, Packets: 300})
	_, r := n.submit(body([]string{in}, n.outPath("m.ipfix")))
	n.waitFor(str(r["task_id"]), 10*time.Second, final)
	_, resp, _ := n.do("GET", "/metrics", nil)
	text := str(resp["raw"])
	for _, want := range []string{`ipfixweb_tasks_finished_total{state="completed"} 1`,
		`ipfixweb_submissions_total{outcome="accepted"} 1`, "ipfixweb_packets_total 300",
		"ipfixweb_queue_depth 0", "ipfixweb_task_duration_seconds_count{state=\"completed\"} 1",
		"ipfixweb_dpi_failures_total 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}
