package taskview

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// id returns the i-th task id, in submission order.
func id(i int) string { return fmt.Sprintf("t%05d", i) }

func mk(i int, st task.Status) *task.Task {
	return &task.Task{ID: id(i), Status: st, SubmittedAt: time.Unix(int64(i), 0).UTC(),
		Errors: []task.FileError{}}
}

// ids decodes the task ids of a page.
func ids(tb testing.TB, tasks [][]byte) []string {
	tb.Helper()
	out := []string{}
	for _, b := range tasks {
		var t task.Task
		if err := json.Unmarshal(b, &t); err != nil {
			tb.Fatal(err)
		}
		out = append(out, t.ID)
	}
	return out
}

// loaded returns a board loaded with no task, as at a first start.
func loaded(tb testing.TB, recent int) *Board {
	tb.Helper()
	b := New(recent)
	if err := b.Load(nil, true); err != nil {
		tb.Fatal(err)
	}
	return b
}

func put(tb testing.TB, b *Board, t *task.Task) {
	tb.Helper()
	if err := b.Put(t); err != nil {
		tb.Fatal(err)
	}
}

func TestGetAndList(t *testing.T) {
	b := loaded(t, 100)
	for i := 1; i <= 5; i++ {
		put(t, b, mk(i, task.Queued))
	}
	put(t, b, mk(2, task.Completed))
	put(t, b, mk(4, task.Failed))
	tests := []struct {
		name   string
		status task.Status
		after  string
		limit  int
		want   string
		next   string
		bad    bool
	}{
		{name: "all", limit: 10, want: "[t00005 t00004 t00003 t00002 t00001]"},
		{name: "first page", limit: 2, want: "[t00005 t00004]", next: id(4)},
		{name: "second page", after: id(4), limit: 2, want: "[t00003 t00002]", next: id(2)},
		{name: "last page", after: id(2), limit: 2, want: "[t00001]"},
		{name: "page that ends the list", after: id(3), limit: 2, want: "[t00002 t00001]"},
		{name: "by status", status: task.Queued, limit: 10, want: "[t00005 t00003 t00001]"},
		{name: "by status paged", status: task.Queued, limit: 1, after: id(5), want: "[t00003]",
			next: id(3)},
		{name: "none of the status", status: task.Cancelled, limit: 10, want: "[]"},
		{name: "cursor naming no task", after: "t00009", limit: 10, want: "[]", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := b.List(tc.status, tc.after, tc.limit)
			if got := fmt.Sprint(ids(t, p.Tasks)); got != tc.want || p.Next != tc.next ||
				p.BadCursor != tc.bad || p.Journal {
				t.Errorf("got %s next %q bad %v resume %q; want %s next %q bad %v", got, p.Next,
					p.BadCursor, p.Resume, tc.want, tc.next, tc.bad)
			}
		})
	}
	if data, l := b.Get(id(2)); l != Found || !json.Valid(data) {
		t.Errorf("Get: %v %s", l, data)
	}
	if _, l := b.Get("t00009"); l != Unknown {
		t.Errorf("Get of an unknown id: %v", l)
	}
}

// Past the finished tasks a board keeps, the oldest go, live ones stay,
// and the board says where the journal must take over.
func TestCompaction(t *testing.T) {
	b := loaded(t, 4)
	put(t, b, mk(1, task.Queued)) // stays queued: live tasks are never let go
	for i := 2; i <= 20; i++ {
		put(t, b, mk(i, task.Queued))
		put(t, b, mk(i, task.Completed))
	}
	if n := b.Len(); n > 1+4+4/2 {
		t.Fatalf("%d tasks on a board that keeps 4 finished", n)
	}
	ix := b.cur.Load()
	if ix.floor == "" {
		t.Fatal("no floor after compaction")
	}
	if _, l := b.Get(id(20)); l != Found {
		t.Errorf("newest: %v", l)
	}
	if _, l := b.Get(id(1)); l != Found {
		t.Errorf("live task let go: %v", l)
	}
	if _, l := b.Get(id(2)); l != Elsewhere {
		t.Errorf("let-go task: %v", l)
	}
	if _, l := b.Get("t99999"); l != Unknown {
		t.Errorf("future id: %v", l)
	}
	// A full list stops at the floor and sends the rest to the journal.
	p := b.List("", "", 100)
	got := ids(t, p.Tasks)
	if len(got) < 4 || got[0] != id(20) || p.Resume != ix.floor || p.Next != "" {
		t.Errorf("list %v resume %q next %q (floor %s)", got, p.Resume, p.Next, ix.floor)
	}
	// A cursor below the floor is for the journal to judge.
	if p := b.List("", id(3), 10); !p.Journal || p.Resume != id(3) || len(p.Tasks) != 0 || p.BadCursor {
		t.Errorf("cursor below the floor: %+v", p)
	}
	// The live task below the floor is a cursor the journal continues.
	if p := b.List("", id(1), 10); !p.Journal || p.Resume != id(1) || len(p.Tasks) != 0 {
		t.Errorf("cursor of an old live task: %+v", p)
	}
	// A page that fills before the floor needs nothing of the journal.
	if p := b.List("", "", 2); len(p.Tasks) != 2 || p.Next != id(19) || p.Journal {
		t.Errorf("page above the floor: next %q resume %q", p.Next, p.Resume)
	}
	put(t, b, mk(1, task.Completed))
	if _, l := b.Get(id(1)); l != Found {
		t.Errorf("finished old task: %v", l)
	}
}

// Ids that arrive out of order (a clock set back) still list in order.
func TestOutOfOrder(t *testing.T) {
	b := loaded(t, 10)
	for _, i := range []int{5, 7, 6, 1, 9} {
		put(t, b, mk(i, task.Queued))
	}
	if got := fmt.Sprint(ids(t, b.List("", "", 10).Tasks)); got != "[t00009 t00007 t00006 t00005 t00001]" {
		t.Errorf("order %s", got)
	}
}

// Until it is loaded a board sends every reader to the journal: the
// supervisor has not read it yet.
func TestNotLoaded(t *testing.T) {
	b := New(10)
	if _, l := b.Get(id(1)); l != Elsewhere {
		t.Errorf("Get: %v", l)
	}
	if p := b.List("", id(4), 10); !p.Journal || p.Resume != id(4) || len(p.Tasks) != 0 {
		t.Errorf("List: %+v", p)
	}
	put(t, b, mk(3, task.Queued))
	if _, l := b.Get(id(3)); l != Elsewhere {
		t.Errorf("Get before Load: %v", l)
	}
}

// Load at start: a partial journal sets the floor at its oldest finished
// task; live tasks older than it are still served.
func TestLoad(t *testing.T) {
	b := New(10)
	tasks := []*task.Task{mk(9, task.Completed), mk(8, task.Failed), mk(2, task.Queued), mk(7, task.Running)}
	if err := b.Load(tasks, false); err != nil {
		t.Fatal(err)
	}
	if ix := b.cur.Load(); ix.floor != id(8) || !ix.loaded {
		t.Errorf("floor %q", ix.floor)
	}
	if _, l := b.Get(id(2)); l != Found {
		t.Errorf("old live task: %v", l)
	}
	if _, l := b.Get(id(5)); l != Elsewhere {
		t.Errorf("task older than the board: %v", l)
	}
	full := New(10)
	if err := full.Load(tasks, true); err != nil {
		t.Fatal(err)
	}
	if _, l := full.Get(id(5)); l != Unknown {
		t.Errorf("complete board: %v", l)
	}
}

// Readers and the writer at once; run with -race.
func TestConcurrentReaders(t *testing.T) {
	b := loaded(t, 50)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				p := b.List("", "", 20)
				for _, data := range p.Tasks {
					if !json.Valid(data) {
						t.Error("invalid JSON on the board")
						return
					}
				}
				b.Get(id(3))
			}
		}()
	}
	for i := 1; i <= 2000; i++ {
		put(t, b, mk(i, task.Queued))
		put(t, b, mk(i, task.Running))
		if i%3 == 0 {
			put(t, b, mk(i-1, task.Completed))
		}
	}
	close(stop)
	wg.Wait()
}

func BenchmarkGet(b *testing.B) {
	board := loaded(b, 0)
	for i := 1; i <= DefaultRecent; i++ {
		put(b, board, mk(i, task.Completed))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, l := board.Get(id(1 + i%DefaultRecent)); l != Found {
			b.Fatal("not found")
		}
	}
}

func BenchmarkList(b *testing.B) {
	board := loaded(b, 0)
	for i := 1; i <= DefaultRecent; i++ {
		put(b, board, mk(i, task.Completed))
	}
	b.ReportAllocs()
	for b.Loop() {
		if p := board.List(task.Completed, "", 100); len(p.Tasks) != 100 {
			b.Fatal("short page")
		}
	}
}
