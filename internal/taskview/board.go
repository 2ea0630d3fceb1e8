// Package taskview is the read side of a node's tasks: a [Board] on
// which the supervisor publishes every task it has written to the
// journal, for the HTTP layer to read without a round trip to the
// supervisor's mailbox.
//
// A board holds each task's JSON, rendered once per change, and an index
// ordered by task id (the order of submission), so a status request is a
// binary search and a page of the task list a walk down the index. It
// holds every live task and the most recent finished ones; the rest are
// only in the journal, and a reader learns from [Board.Get] and
// [Board.List] when it must ask the supervisor for them.
//
// One goroutine (the supervisor) writes; any number read. Readers never
// wait: the index is replaced by an atomic pointer, a task's own entry by
// another, and an index shares its backing array with the one it grew
// from only past the older one's length, which that one's readers never
// look at.
package taskview

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// DefaultRecent is how many finished tasks a board keeps by default.
const DefaultRecent = 10000

// entry is one published state of a task. It never changes.
type entry struct {
	status task.Status
	json   []byte
}

// cell is the board's place for one task: its id and its latest entry.
type cell struct {
	id  string
	cur atomic.Pointer[entry]
}

func (c *cell) load() *entry { return c.cur.Load() }

// index is the ordered set of cells readers walk. Cells are sorted by id.
// Every task whose id is at least floor is in it; below floor only live
// tasks are (older finished ones were let go). An empty floor means every
// task is. Until the board is loaded it holds nothing it can vouch for.
type index struct {
	cells  []*cell
	floor  string
	loaded bool
}

// Board publishes tasks. The zero value is not usable; make one with
// [New]. Put, Load and their kin are for the one writer; Get and List are
// safe for any number of goroutines at once, alongside the writer. Until
// [Board.Load] has run, Get and List send every reader to the journal.
type Board struct {
	cur    atomic.Pointer[index]
	recent int

	// Only the writer touches these.
	byID     map[string]*cell
	finished int // cells whose latest entry is final
}

// New returns an empty board that keeps recent finished tasks (0 means
// [DefaultRecent]) besides every live one.
func New(recent int) *Board {
	if recent <= 0 {
		recent = DefaultRecent
	}
	b := &Board{recent: recent, byID: map[string]*cell{}}
	b.cur.Store(&index{})
	return b
}

// Render returns the JSON of t as the API shows it.
func Render(t *task.Task) ([]byte, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("render task %s: %w", t.ID, err)
	}
	return b, nil
}

// Put publishes the state of t, which the caller has made durable. A
// task new to the board is added; finished tasks past the most recent
// ones are let go.
func (b *Board) Put(t *task.Task) error {
	data, err := Render(t)
	if err != nil {
		return err
	}
	e := &entry{status: t.Status, json: data}
	if c, ok := b.byID[t.ID]; ok {
		b.finished += finalDelta(c.load().status, e.status)
		c.cur.Store(e)
		b.compact()
		return nil
	}
	c := &cell{id: t.ID}
	c.cur.Store(e)
	b.insert(c)
	b.compact()
	return nil
}

// finalDelta is the change in the count of finished tasks when a task
// goes from state from to state to.
func finalDelta(from, to task.Status) int {
	switch {
	case from.Live() && !to.Live():
		return 1
	case !from.Live() && to.Live():
		return -1
	}
	return 0
}

// Load fills an empty board at start, and from then on it answers: tasks (in any order; of two with
// one id the first counts) are the most recent ones of the journal and
// every live one; complete says whether they are every task of the
// journal. When they are not, the board answers for tasks from the
// oldest finished one it holds on (or the oldest one, if none finished).
func (b *Board) Load(tasks []*task.Task, complete bool) error {
	ix := &index{loaded: true}
	for _, t := range tasks {
		data, err := Render(t)
		if err != nil {
			return err
		}
		if _, dup := b.byID[t.ID]; dup {
			continue
		}
		c := &cell{id: t.ID}
		c.cur.Store(&entry{status: t.Status, json: data})
		b.byID[t.ID] = c
		ix.cells = append(ix.cells, c)
		if !t.Status.Live() {
			b.finished++
		}
	}
	slices.SortFunc(ix.cells, func(x, y *cell) int { return strings.Compare(x.id, y.id) })
	if !complete && len(ix.cells) > 0 {
		ix.floor = ix.cells[0].id // no finished task: the oldest of any
		for _, c := range ix.cells {
			if !c.load().status.Live() {
				ix.floor = c.id
				break
			}
		}
	}
	b.cur.Store(ix)
	b.compact()
	return nil
}

// insert adds a new cell. Ids grow with time, so it usually goes at the
// end, where the backing array can be shared; otherwise (a clock that
// went back) the index is copied.
func (b *Board) insert(c *cell) {
	old := b.cur.Load()
	b.byID[c.id] = c
	n := len(old.cells)
	if n == 0 || old.cells[n-1].id < c.id {
		b.cur.Store(&index{cells: append(old.cells, c), floor: old.floor, loaded: old.loaded})
		return
	}
	i, _ := slices.BinarySearchFunc(old.cells, c.id, byID)
	cells := make([]*cell, 0, n+1+n/4)
	cells = append(append(append(cells, old.cells[:i]...), c), old.cells[i:]...)
	b.cur.Store(&index{cells: cells, floor: old.floor, loaded: old.loaded})
}

func byID(c *cell, id string) int { return strings.Compare(c.id, id) }

// compact lets go of the oldest finished tasks once half again as many
// as the board keeps have piled up, so the work is spread thin. Live
// tasks always stay.
func (b *Board) compact() {
	if b.finished <= b.recent+b.recent/2 {
		return
	}
	old := b.cur.Load()
	keep := make([]*cell, len(old.cells))
	kept, floor := 0, old.floor
	// Walk from the newest, keeping every live task and the newest
	// recent finished ones, filling keep from its end.
	at := len(keep)
	for i := len(old.cells) - 1; i >= 0; i-- {
		c := old.cells[i]
		if !c.load().status.Live() {
			if kept == b.recent {
				delete(b.byID, c.id)
				continue
			}
			kept++
			floor = c.id
		}
		at--
		keep[at] = c
	}
	b.finished = kept
	b.cur.Store(&index{cells: keep[at:], floor: floor, loaded: old.loaded})
}

// Len returns the number of tasks on the board.
func (b *Board) Len() int { return len(b.cur.Load().cells) }

// Recent returns how many finished tasks the board keeps.
func (b *Board) Recent() int { return b.recent }
