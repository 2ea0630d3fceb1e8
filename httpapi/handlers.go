package httpapi

import (
	"encoding/json"
	"errors"
	"strconv"

	"github.com/valyala/fasthttp"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Limits of GET /api/tasks.
const (
	defaultLimit = 100
	maxLimit     = 1000
)

func (s *Server) export(ctx *fasthttp.RequestCtx) {
	// The body and headers belong to ctx and are reused after the
	// handler returns: everything sent on is copied first.
	key := string(ctx.Request.Header.Peek("Idempotency-Key"))
	if len(key) > maxKeyLength {
		writeError(ctx, bad("Idempotency-Key", "at most %d characters", maxKeyLength))
		return
	}
	req, err := parseExport(ctx.PostBody(), s.cfg.Policy)
	if err != nil {
		s.cfg.Metrics.Submission("invalid")
		writeError(ctx, err)
		return
	}
	v, err := s.ask(&actors.Submit{Request: req, IdempotencyKey: key})
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	reply := v.(*actors.SubmitReply)
	var conflict *actors.ConflictError
	switch {
	case errors.Is(reply.Err, actors.ErrQueueFull):
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
		writeError(ctx, &FieldError{Status: 429, Reason: "every worker is busy and the queue is full; retry later"})
	case errors.Is(reply.Err, actors.ErrDraining):
		ctx.Response.Header.Set("Retry-After", strconv.Itoa(s.cfg.RetryAfter))
		writeError(ctx, &FieldError{Status: 503, Reason: "the server is shutting down"})
	case errors.As(reply.Err, &conflict):
		writeJSON(ctx, 409, map[string]string{"error": conflict.Error(), "field": "output_path",
			"task_id": conflict.TaskID})
	case reply.Err != nil:
		s.log.Error("submit", zap.Error(reply.Err))
		writeError(ctx, &FieldError{Status: 500, Reason: reply.Err.Error()})
	case reply.Created:
		ctx.Response.Header.Set("Location", "/api/task-status/"+reply.Task.ID)
		writeJSON(ctx, 202, reply.Task)
	default:
		ctx.Response.Header.Set("Location", "/api/task-status/"+reply.Task.ID)
		writeJSON(ctx, 200, reply.Task)
	}
}

func (s *Server) status(ctx *fasthttp.RequestCtx) {
	id, _ := ctx.UserValue("task_id").(string)
	v, err := s.ask(&actors.GetTask{ID: id})
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	s.taskReply(ctx, v.(*actors.TaskReply), id)
}

func (s *Server) cancel(ctx *fasthttp.RequestCtx) {
	id, _ := ctx.UserValue("task_id").(string)
	v, err := s.ask(&actors.CancelTask{ID: id})
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	r := v.(*actors.TaskReply)
	if errors.Is(r.Err, actors.ErrFinished) {
		writeJSON(ctx, 409, map[string]any{"error": "task already " + string(r.Task.Status),
			"task_id": id, "status": r.Task.Status})
		return
	}
	s.taskReply(ctx, r, id)
}

func (s *Server) taskReply(ctx *fasthttp.RequestCtx, r *actors.TaskReply, id string) {
	switch {
	case errors.Is(r.Err, actors.ErrNotFound):
		writeError(ctx, &FieldError{Status: 404, Field: "task_id", Reason: "no task " + strconv.Quote(id)})
	case r.Err != nil:
		s.log.Error("task lookup", zap.String("task_id", id), zap.Error(r.Err))
		writeError(ctx, &FieldError{Status: 500, Reason: r.Err.Error()})
	default:
		writeJSON(ctx, 200, r.Task)
	}
}

func (s *Server) list(ctx *fasthttp.RequestCtx) {
	q := ctx.QueryArgs()
	m := &actors.ListTasks{Limit: defaultLimit, After: string(q.Peek("cursor"))}
	if st := string(q.Peek("status")); st != "" {
		m.Status = task.Status(st)
		if !m.Status.Valid() {
			writeError(ctx, bad("status", "%q is not one of %v", st, task.Statuses))
			return
		}
	}
	if l := q.Peek("limit"); l != nil {
		n, err := strconv.Atoi(string(l))
		if err != nil || n < 1 || n > maxLimit {
			writeError(ctx, bad("limit", "must be a number from 1 to %d", maxLimit))
			return
		}
		m.Limit = n
	}
	v, err := s.ask(m)
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	r := v.(*actors.ListReply)
	if r.Err != nil {
		writeError(ctx, &FieldError{Status: 500, Reason: r.Err.Error()})
		return
	}
	if r.Tasks == nil {
		r.Tasks = []*task.Task{}
	}
	writeJSON(ctx, 200, map[string]any{"tasks": r.Tasks, "next_cursor": r.Next})
}

func (s *Server) readyz(ctx *fasthttp.RequestCtx) {
	v, err := s.ask(&actors.GetLoad{})
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	l := v.(*actors.Load)
	body := map[string]any{"queued": l.Queued, "running": l.Running, "workers": l.Workers,
		"queue": l.Queue, "status": "ready"}
	if l.Draining {
		body["status"] = "draining"
		writeJSON(ctx, 503, body)
		return
	}
	writeJSON(ctx, 200, body)
}

func (s *Server) unavailable(ctx *fasthttp.RequestCtx, err error) {
	s.log.Warn("supervisor did not answer", zap.Error(err))
	ctx.Response.Header.Set("Retry-After", "1")
	writeError(ctx, &FieldError{Status: 503, Reason: "the task supervisor did not answer in time"})
}

func writeError(ctx *fasthttp.RequestCtx, err error) {
	var fe *FieldError
	if !errors.As(err, &fe) {
		fe = &FieldError{Status: 500, Reason: err.Error()}
	}
	body := map[string]string{"error": fe.Reason}
	if fe.Field != "" {
		body["field"] = fe.Field
	}
	writeJSON(ctx, fe.Status, body)
}

func writeJSON(ctx *fasthttp.RequestCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = 500, []byte(`{"error":"encode response"}`)
	}
	ctx.SetStatusCode(status)
	ctx.SetContentType("application/json")
	ctx.SetBody(append(b, '\n'))
}
