package e2e

import (
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// memberNames returns the member names m's view lists, or nil when m does
// not answer.
func (c *rig) memberNames(m *member) []string {
	info, err := c.info(m)
	if err != nil {
		return nil
	}
	var out []string
	for _, x := range info.Members {
		out = append(out, x.Name)
	}
	return out
}

// viewsAgree reports whether every member in ms lists exactly want.
func (c *rig) viewsAgree(ms []*member, want ...string) bool {
	for _, m := range ms {
		if !slices.Equal(c.memberNames(m), want) {
			return false
		}
	}
	return true
}

// waitViews waits until every member in ms lists exactly want; on
// timeout it fails the test with what each member listed.
func (c *rig) waitViews(ms []*member, limit time.Duration, want ...string) {
	c.t.Helper()
	end := time.Now().Add(limit)
	for !c.viewsAgree(ms, want...) {
		if time.Now().After(end) {
			var seen []string
			for _, m := range ms {
				seen = append(seen, fmt.Sprintf("%s: %v", m.name, c.memberNames(m)))
			}
			c.t.Fatalf("views do not all list %v within %s: %v", want, limit, seen)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// TestStartupViewsAgree launches three members at once: every view lists
// the three of them.
func TestStartupViewsAgree(t *testing.T) {
	c := newRig(t, 0)
	begin := time.Now()
	ms := []*member{c.launch("n1", 1), c.launch("n2", 2), c.launch("n3", 3)}
	c.waitViews(ms, 20*time.Second, "n1", "n2", "n3")
	t.Logf("all three views list n1,n2,n3 %s after the launch", time.Since(begin).Round(time.Millisecond))
}

// TestRoundRobinSameStatus submits 12 tasks to the members in turn: every
// task completes with a decodable output, the members share the work, and
// every member reports the same status for each task.
func TestRoundRobinSameStatus(t *testing.T) {
	c := newRig(t, 20*time.Millisecond)
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	ins := c.captures("rr", 3, 6000)
	var ids []string
	for i := range 12 {
		code, tk := c.submit(ms[i%3], ins[i%3:i%3+1], fmt.Sprintf("rr-%02d.ipfix", i), "")
		if code != 202 {
			t.Fatalf("submit %d: %d %+v", i, code, tk)
		}
		ids = append(ids, tk.ID)
	}
	ran := map[string]int{}
	for _, id := range ids {
		done := c.waitEnded(ms[0], id, 90*time.Second)
		if done.Status != task.Completed || done.Attempt != 1 || done.Node == "" {
			t.Fatalf("task %s: %s attempt %d on %q: %s", id, done.Status, done.Attempt, done.Node, done.Error)
		}
		ran[done.Node]++
		for _, m := range ms[1:] {
			if got, ok := c.status(m, id); !ok || !reflect.DeepEqual(got, done) {
				t.Errorf("%s reports task %s as\n%+v\n%s reports\n%+v", m.name, id, got, ms[0].name, done)
			}
		}
		ipfixcheck.Decode(t, done.Output.Path)
	}
	if len(ran) < 2 {
		t.Errorf("tasks ran on %v: one member did all the work", ran)
	}
	t.Logf("tasks per member: %v", ran)
	c.waitNoStrays(5 * time.Second)
}

// TestSameRequestThreeNodes sends each request to the three members at the
// same moment, with and without an Idempotency-Key: each gives one task,
// one 202 and two 200 answers naming it. A key sent again, to another
// member, with another request gets 422.
func TestSameRequestThreeNodes(t *testing.T) {
	c := newRig(t, 20*time.Millisecond)
	ms := []*member{c.start("n1", 1), c.start("n2", 2), c.start("n3", 3)}
	ins := c.captures("dup", 1, 4000)
	const requests = 10
	for i := range 2 * requests {
		out, key := fmt.Sprintf("dup-%02d.ipfix", i), ""
		if i >= requests {
			key = fmt.Sprintf("key-%02d", i)
		}
		codes, ids := make([]int, 3), make([]string, 3)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for j, m := range ms {
			wg.Go(func() {
				<-start
				code, tk := c.submit(m, ins, out, key)
				codes[j], ids[j] = code, tk.ID
			})
		}
		close(start)
		wg.Wait()
		slices.Sort(codes)
		if !slices.Equal(codes, []int{200, 200, 202}) || ids[0] != ids[1] || ids[1] != ids[2] {
			t.Errorf("request %d (key %q): answers %v, tasks %v", i, key, codes, ids)
		}
	}
	if code, tk := c.submit(ms[1], ins, "other.ipfix", fmt.Sprintf("key-%02d", requests)); code != 422 {
		t.Errorf("a key sent again with another request: %d %+v, want 422", code, tk)
	}
	var page struct {
		Tasks []task.Task `json:"tasks"`
	}
	if code, err := call(ms[2], "GET", "/api/tasks?limit=100", nil, nil, &page); err != nil || code != 200 {
		t.Fatalf("list: %d %v", code, err)
	}
	if len(page.Tasks) != 2*requests {
		t.Errorf("%d tasks, want %d", len(page.Tasks), 2*requests)
	}
}
