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

func (s *Server) export(ctx *fasthttp.RequestCtx) {
	// The body and headers belong to ctx and are reused after the
	// handler returns: everything sent on is copied first.
	key := string(ctx.Request.Header.Peek("Idempotency-Key"))
	if len(key) > maxKeyLength {
		writeError(ctx, bad("Idempotency-Key", "at most %d characters", maxKeyLength))
		return
	}
	req, err := parseExport(ctx.PostBody())
	if err == nil {
		err = checkPaths(&req, s.cfg.Policy)
		if err != nil && key != "" && s.answerKey(ctx, key, req) {
			// A retry of a keyed request gets its task even once the
			// files are no longer as they were (the output now exists).
			return
		}
	}
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
	s.submitted(ctx, v.(*actors.SubmitReply))
}

// answerKey answers a keyed request whose key was seen before, and
// reports whether it did.
func (s *Server) answerKey(ctx *fasthttp.RequestCtx, key string, req task.Request) bool {
	v, err := s.ask(&actors.FindKey{Key: key, Fingerprint: actors.Fingerprint(req)})
	if err != nil {
		s.unavailable(ctx, err)
		return true
	}
	r := v.(*actors.SubmitReply)
	if r.Task == nil && r.Err == nil {
		return false
	}
	s.submitted(ctx, r)
	return true
}

// submitted answers an export request with the supervisor's reply.
func (s *Server) submitted(ctx *fasthttp.RequestCtx, reply *actors.SubmitReply) {
	var conflict *actors.ConflictError
	var reused *actors.KeyReusedError
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
	case errors.As(reply.Err, &reused):
		writeJSON(ctx, 422, map[string]string{"error": reused.Error(), "field": "Idempotency-Key",
			"task_id": reused.TaskID})
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
