package service

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// pageIDs returns the task ids of a page of GET /api/tasks.
func pageIDs(page map[string]any) []string {
	var out []string
	tasks, _ := page["tasks"].([]any)
	for _, t := range tasks {
		out = append(out, str(t.(map[string]any)["task_id"]))
	}
	return out
}

// walk pages through GET /api/tasks with the query and limit, and
// returns every id in order.
func (n *node) walk(query string, limit int) []string {
	n.t.Helper()
	var all []string
	cursor := ""
	for range 100 {
		code, page, _ := n.do("GET", "/api/tasks?limit="+strconv.Itoa(limit)+query+"&cursor="+cursor, nil)
		if code != 200 {
			n.t.Fatalf("list: %d %v", code, page)
		}
		ids := pageIDs(page)
		all = append(all, ids...)
		cursor = str(page["next_cursor"])
		if cursor == "" {
			return all
		}
		if len(ids) == 0 {
			n.t.Fatalf("an empty page with next_cursor %q", cursor)
		}
	}
	n.t.Fatal("the list does not end")
	return nil
}

// Tasks past those the board keeps in memory are read from the journal:
// status and list answer the same, across the boundary, and after a
// restart that loads only the recent ones.
func TestTasksBeyondMemory(t *testing.T) {
	n := startNode(t, Config{Workers: 2, RecentTasks: 3})
	in := n.capture("a.pcap", synth.Config{Seed: 41, Packets: 100})
	var ids []string
	for i := range 9 {
		_, r := n.submit(body([]string{in}, n.outPath(strconv.Itoa(i)+".ipfix")))
		ids = append(ids, str(r["task_id"]))
	}
	for _, id := range ids {
		n.waitFor(id, 30*time.Second, final)
	}
	n.do("DELETE", "/api/tasks/"+ids[8], nil) // already completed: stays so
	newestFirst := make([]string, len(ids))
	for i, id := range ids {
		newestFirst[len(ids)-1-i] = id
	}
	check := func(n *node) {
		t.Helper()
		if got := n.task(ids[0]); got.Status != task.Completed || got.ID != ids[0] {
			t.Errorf("oldest task: %+v", got)
		}
		for _, limit := range []int{1, 2, 4, 100} {
			if got := n.walk("", limit); strings.Join(got, " ") != strings.Join(newestFirst, " ") {
				t.Errorf("limit %d: %v, want %v", limit, got, newestFirst)
			}
		}
		if got := n.walk("&status=completed", 2); len(got) != 9 {
			t.Errorf("completed: %v", got)
		}
		if got := n.walk("&status=failed", 2); len(got) != 0 {
			t.Errorf("failed: %v", got)
		}
		if code, resp, _ := n.do("GET", "/api/tasks/00000000-0000-7000-8000-000000000000", nil); code != 404 {
			t.Errorf("unknown old id: %d %v", code, resp)
		}
		if code, resp, _ := n.do("GET", "/api/tasks?cursor=00000000-0000-7000-8000-000000000000", nil); code != 400 ||
			resp["field"] != "cursor" {
			t.Errorf("unknown old cursor: %d %v", code, resp)
		}
	}
	check(n)
	n.stop()
	check(startNode(t, Config{DataDir: n.dataDir, InputRoots: []string{n.in}, OutputRoot: n.out,
		RecentTasks: 3}))
}

// A cursor must name a task: anything else is a 400 that says so.
func TestBadCursor(t *testing.T) {
	n := startNode(t, Config{})
	in := n.capture("a.pcap", synth.Config{Seed: 42, Packets: 100})
	_, r := n.submit(body([]string{in}, n.outPath("a.ipfix")))
	n.waitFor(str(r["task_id"]), 30*time.Second, final)
	for _, c := range []string{"nope", "ffffffff-ffff-7fff-bfff-ffffffffffff", "0"} {
		code, resp, _ := n.do("GET", "/api/tasks?cursor="+c, nil)
		if code != 400 || resp["field"] != "cursor" || !strings.Contains(str(resp["error"]), "next_cursor") {
			t.Errorf("cursor %q: %d %v", c, code, resp)
		}
	}
	if code, page, _ := n.do("GET", "/api/tasks?cursor="+str(r["task_id"]), nil); code != 200 ||
		len(pageIDs(page)) != 0 || page["next_cursor"] != "" {
		t.Errorf("cursor of the oldest task: %d %v", code, page)
	}
}

var packetsTotal = regexp.MustCompile(`(?m)^ipfixweb_packets_total (\S+)$`)

// metric reads ipfixweb_packets_total.
func (n *node) packetsMetric() float64 {
	n.t.Helper()
	_, resp, _ := n.do("GET", "/metrics", nil)
	m := packetsTotal.FindStringSubmatch(str(resp["raw"]))
	if m == nil {
		n.t.Fatal("no ipfixweb_packets_total")
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		n.t.Fatal(err)
	}
	return v
}

// The packet counter moves while a task runs, not only when it ends,
// and ends at what the task metered.
func TestMetricsWhileRunning(t *testing.T) {
	tune, release := slow(20 * time.Millisecond)
	defer release()
	n := startNode(t, Config{Tune: tune})
	in := n.capture("a.pcap", synth.Config{Seed: 43, Packets: 100000})
	_, r := n.submit(body([]string{in}, n.outPath("a.ipfix")))
	id := str(r["task_id"])
	moved := false
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end) && !moved; {
		v := n.packetsMetric()
		tk := n.task(id)
		if tk.Status != task.Running {
			t.Fatalf("task %s before the counter moved", tk.Status)
		}
		moved = v > 0
		time.Sleep(20 * time.Millisecond)
	}
	if !moved {
		t.Fatal("ipfixweb_packets_total did not move while the task ran")
	}
	release()
	tk := n.waitFor(id, 30*time.Second, final)
	if v := n.packetsMetric(); v != float64(tk.Progress.Packets) {
		t.Errorf("ipfixweb_packets_total %v, the task metered %d", v, tk.Progress.Packets)
	}
}
