package taskview

import (
	"slices"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Lookup is the answer of [Board.Get].
type Lookup int

// Answers of [Board.Get].
const (
	// Found means the board holds the task.
	Found Lookup = iota
	// Unknown means no task has the id: the board would hold it.
	Unknown
	// Elsewhere means the board cannot tell: the task, if there is one,
	// is older than the board's memory and only in the journal.
	Elsewhere
)

// Get returns the JSON of the task with the id. The bytes are shared and
// must not be changed.
func (b *Board) Get(id string) ([]byte, Lookup) {
	ix := b.cur.Load()
	if !ix.loaded {
		return nil, Elsewhere
	}
	if i, ok := slices.BinarySearchFunc(ix.cells, id, byID); ok {
		return ix.cells[i].load().json, Found
	}
	if ix.floor != "" && id < ix.floor {
		return nil, Elsewhere
	}
	return nil, Unknown
}

// Page is the answer of [Board.List]: a page of tasks, newest first, as
// far as the board can tell it.
type Page struct {
	// Tasks holds the JSON of each task; the bytes are shared and must
	// not be changed.
	Tasks [][]byte
	// Next is the cursor of the following page, empty on the last page.
	Next string
	// Journal means the board could not settle the page: the tasks older
	// than Resume (from the newest when it is empty) must come from the
	// journal. If Tasks is already full, they only decide Next.
	Journal bool
	Resume  string
	// BadCursor means the cursor names no task.
	BadCursor bool
}

// List returns up to limit tasks, newest first, whose status is status
// (any when empty), older than the task with id after (from the newest
// when empty).
func (b *Board) List(status task.Status, after string, limit int) Page {
	ix := b.cur.Load()
	if !ix.loaded {
		return Page{Journal: true, Resume: after}
	}
	start := len(ix.cells)
	if after != "" {
		i, ok := slices.BinarySearchFunc(ix.cells, after, byID)
		switch {
		case ok:
			start = i
		case ix.floor != "" && after < ix.floor:
			return Page{Journal: true, Resume: after}
		default:
			return Page{BadCursor: true}
		}
	}
	var p Page
	last := ""
	for i := start - 1; i >= 0; i-- {
		c := ix.cells[i]
		if ix.floor != "" && c.id < ix.floor {
			break // below the floor the board holds only live tasks
		}
		e := c.load()
		if status != "" && e.status != status {
			continue
		}
		if len(p.Tasks) == limit {
			p.Next = last
			return p
		}
		p.Tasks = append(p.Tasks, e.json)
		last = c.id
	}
	if ix.floor != "" {
		// The journal continues below the floor, or below the cursor when
		// that is a live task older than the floor.
		p.Journal, p.Resume = true, ix.floor
		if after != "" && after < ix.floor {
			p.Resume = after
		}
	}
	return p
}
