package httpapi

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/valyala/fasthttp"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/internal/taskview"
)

// Limits of GET /api/tasks.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

// status answers GET /api/task-status/{id} from the supervisor's board;
// only a task older than the board holds is asked of the supervisor.
func (s *Server) status(ctx *fasthttp.RequestCtx) {
	id, _ := ctx.UserValue("task_id").(string)
	if b := s.cfg.Board; b != nil {
		data, where := b.Get(id)
		switch where {
		case taskview.Found:
			writeRaw(ctx, 200, data)
			return
		case taskview.Unknown:
			notFound(ctx, id)
			return
		}
	}
	v, err := s.ask(&actors.GetTask{ID: id})
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	s.taskReply(ctx, v.(*actors.TaskReply), id)
}

func notFound(ctx *fasthttp.RequestCtx, id string) {
	writeError(ctx, &FieldError{Status: 404, Field: "task_id", Reason: "no task " + strconv.Quote(id)})
}

func (s *Server) taskReply(ctx *fasthttp.RequestCtx, r *actors.TaskReply, id string) {
	switch {
	case errors.Is(r.Err, actors.ErrNotFound):
		notFound(ctx, id)
	case r.Err != nil:
		s.log.Error("task lookup", zap.String("task_id", id), zap.Error(r.Err))
		writeError(ctx, &FieldError{Status: 500, Reason: r.Err.Error()})
	default:
		writeJSON(ctx, 200, r.Task)
	}
}

// listQuery reads the query of GET /api/tasks.
func listQuery(ctx *fasthttp.RequestCtx) (*actors.ListTasks, error) {
	q := ctx.QueryArgs()
	m := &actors.ListTasks{Limit: defaultLimit, After: string(q.Peek("cursor"))}
	if st := string(q.Peek("status")); st != "" {
		m.Status = task.Status(st)
		if !m.Status.Valid() {
			return nil, bad("status", "%q is not one of %v", st, task.Statuses)
		}
	}
	if l := q.Peek("limit"); l != nil {
		n, err := strconv.Atoi(string(l))
		if err != nil || n < 1 || n > maxLimit {
			return nil, bad("limit", "must be a number from 1 to %d", maxLimit)
		}
		m.Limit = n
	}
	return m, nil
}

func badCursor(cursor string) error {
	return bad("cursor", "no task %q: pass the next_cursor of the previous page", cursor)
}

// list answers GET /api/tasks from the supervisor's board; only the
// part of the list older than the board holds is asked of the
// supervisor, which reads it from the journal.
func (s *Server) list(ctx *fasthttp.RequestCtx) {
	m, err := listQuery(ctx)
	if err != nil {
		writeError(ctx, err)
		return
	}
	p := taskview.Page{Journal: true, Resume: m.After}
	if b := s.cfg.Board; b != nil {
		p = b.List(m.Status, m.After, m.Limit)
	}
	if p.BadCursor {
		writeError(ctx, badCursor(m.After))
		return
	}
	if p.Journal {
		if !s.listJournal(ctx, m, &p) {
			return
		}
	}
	writePage(ctx, &p)
}

// listJournal completes a page from the journal, below p.Resume (from
// the newest task when it is empty). It
// reports false when it has answered the request itself, with an error.
func (s *Server) listJournal(ctx *fasthttp.RequestCtx, m *actors.ListTasks, p *taskview.Page) bool {
	need := m.Limit - len(p.Tasks)
	v, err := s.ask(&actors.ListTasks{Status: m.Status, After: p.Resume, Limit: max(need, 1)})
	if err != nil {
		s.unavailable(ctx, err)
		return false
	}
	r := v.(*actors.ListReply)
	switch {
	case errors.Is(r.Err, actors.ErrBadCursor):
		writeError(ctx, badCursor(m.After))
		return false
	case r.Err != nil:
		writeError(ctx, &FieldError{Status: 500, Reason: r.Err.Error()})
		return false
	}
	if need == 0 {
		// The page is full: the journal only tells whether more follow.
		if len(r.Tasks) > 0 {
			p.Next = lastID(m, p)
		}
		return true
	}
	for _, t := range r.Tasks {
		data, err := taskview.Render(t)
		if err != nil {
			writeError(ctx, err)
			return false
		}
		p.Tasks = append(p.Tasks, data)
	}
	p.Next = r.Next
	return true
}

// lastID returns the id of the last task of a full page.
func lastID(m *actors.ListTasks, p *taskview.Page) string {
	var t struct {
		ID string `json:"task_id"`
	}
	if err := json.Unmarshal(p.Tasks[len(p.Tasks)-1], &t); err != nil {
		return m.After
	}
	return t.ID
}

// writePage writes {"tasks": [...], "next_cursor": "..."}, in one
// buffer of the right size.
func writePage(ctx *fasthttp.RequestCtx, p *taskview.Page) {
	size := 40 + len(p.Next)
	for _, t := range p.Tasks {
		size += len(t) + 1
	}
	b := make([]byte, 0, size)
	b = append(b, `{"tasks":[`...)
	for i, t := range p.Tasks {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, t...)
	}
	b = append(b, `],"next_cursor":`...)
	b = strconv.AppendQuote(b, p.Next)
	b = append(b, "}\n"...)
	ctx.SetStatusCode(200)
	ctx.SetContentType("application/json")
	ctx.Response.SetBodyRaw(b) // b is this response's own
}

// writeRaw writes JSON that is already rendered.
func writeRaw(ctx *fasthttp.RequestCtx, status int, data []byte) {
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(data) // copied: data is shared
	ctx.Response.AppendBodyString("\n")
}
