// Package httpapi serves the REST API on fasthttp. It only wires: every
// request is checked here, then handed as a message to the node's
// supervisor actor, whose answer becomes the response. Reads of task
// state are served from the board the supervisor publishes (see
// package taskview), without a message, as long as it holds the task.
package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/fasthttp/router"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttpadaptor"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/internal/metrics"
	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
	"github.com/ipfixweb/ipfixweb/internal/taskview"
)

// MaxBodySize is the largest request body accepted; larger ones get 413.
const MaxBodySize = 1 << 20

// Config sets up a Server. System, Supervisor and Policy are required.
type Config struct {
	System     *actor.ActorSystem
	Supervisor *actor.PID
	// Board, when set, is the supervisor's board: task states are read
	// there without waiting on its mailbox. Without it every read asks
	// the supervisor.
	Board   *taskview.Board
	Policy  *pathpolicy.Policy
	Metrics *metrics.Set // nil: /metrics answers 404
	Log     *zap.Logger  // nil: no logging
	// Token, when not empty, is the bearer token every /api request must
	// carry.
	Token string
	// AskTimeout bounds each wait for the supervisor; 0 means 5 s.
	AskTimeout time.Duration
	// RetryAfter is the Retry-After advice of a 429, in seconds; 0 means 5.
	RetryAfter int
	// ReadTimeout and WriteTimeout bound a slow client; 0 means 10 s.
	ReadTimeout, WriteTimeout time.Duration
	// Concurrency caps the connections served at once; 0 means 4096.
	Concurrency int
	// Cluster, when set, returns what GET /api/cluster shows: the
	// members this node sees. Nil on a node that runs alone.
	Cluster func(ctx context.Context) (any, error)
}

// Server is the HTTP front end of a node.
type Server struct {
	cfg      Config
	log      *zap.Logger
	srv      *fasthttp.Server
	requests atomic.Uint64 // requests read, answered or not
}

// Requests returns how many requests the server has read so far.
func (s *Server) Requests() uint64 { return s.requests.Load() }

// New builds a Server.
func New(cfg Config) *Server {
	if cfg.AskTimeout <= 0 {
		cfg.AskTimeout = 5 * time.Second
	}
	if cfg.RetryAfter <= 0 {
		cfg.RetryAfter = 5
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 10 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 10 * time.Second
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4096
	}
	if cfg.Log == nil {
		cfg.Log = zap.NewNop()
	}
	s := &Server{cfg: cfg, log: cfg.Log.Named("http")}
	r := router.New()
	r.PanicHandler = s.panicked
	r.NotFound = func(ctx *fasthttp.RequestCtx) {
		writeError(ctx, &FieldError{Status: 404, Reason: "no such endpoint: " + string(ctx.Path())})
	}
	r.MethodNotAllowed = func(ctx *fasthttp.RequestCtx) {
		writeError(ctx, &FieldError{Status: 405, Reason: "method " + string(ctx.Method()) +
			" not allowed here"})
	}
	r.POST("/api/export-task", s.auth(s.export))
	r.GET("/api/task-status/{task_id}", s.auth(s.status))
	r.GET("/api/tasks/{task_id}", s.auth(s.status))
	r.DELETE("/api/tasks/{task_id}", s.auth(s.cancel))
	r.GET("/api/tasks", s.auth(s.list))
	r.GET("/api/cluster", s.auth(s.clusterView))
	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	if cfg.Metrics != nil {
		r.GET("/metrics", fasthttpadaptor.NewFastHTTPHandler(
			promhttp.HandlerFor(cfg.Metrics.Registry, promhttp.HandlerOpts{})))
	}
	s.srv = &fasthttp.Server{
		Handler: func(ctx *fasthttp.RequestCtx) {
			s.requests.Add(1)
			r.Handler(ctx)
		},
		Name:               "ipfixweb",
		ReadTimeout:        cfg.ReadTimeout,
		WriteTimeout:       cfg.WriteTimeout,
		IdleTimeout:        60 * time.Second,
		MaxRequestBodySize: MaxBodySize,
		Concurrency:        cfg.Concurrency,
		CloseOnShutdown:    true,
		Logger:             fasthttpLogger{log: s.log, token: cfg.Token},
		ErrorHandler:       s.transportError,
	}
	return s
}

// Serve answers requests on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	return s.srv.Serve(&retryListener{Listener: ln, log: s.log})
}

// Shutdown stops accepting connections and waits, until ctx ends, for the
// open ones to finish.
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.ShutdownWithContext(ctx) }

// auth demands the bearer token on the handler's requests when one is set.
// The comparison takes the same time whatever the token sent: both sides
// are hashed first, so not even the token's length shows in the timing.
func (s *Server) auth(h fasthttp.RequestHandler) fasthttp.RequestHandler {
	if s.cfg.Token == "" {
		return h
	}
	want := sha256.Sum256([]byte(s.cfg.Token))
	return func(ctx *fasthttp.RequestCtx) {
		got, ok := bearer(ctx.Request.Header.Peek("Authorization"))
		sum := sha256.Sum256(got)
		if subtle.ConstantTimeCompare(sum[:], want[:]) != 1 || !ok {
			ctx.Response.Header.Set("WWW-Authenticate", `Bearer realm="ipfixweb"`)
			writeError(ctx, &FieldError{Status: 401, Reason: "missing or wrong bearer token"})
			return
		}
		h(ctx)
	}
}

// bearer returns the credentials of an Authorization header of the
// Bearer scheme. The scheme's name is case-insensitive (RFC 7235 §2.1);
// the token is not.
func bearer(h []byte) ([]byte, bool) {
	scheme, token, ok := bytes.Cut(bytes.TrimSpace(h), []byte(" "))
	if !ok || !bytes.EqualFold(scheme, []byte("Bearer")) {
		return nil, false
	}
	return bytes.TrimSpace(token), true
}

// ask sends msg to the supervisor and waits for the answer.
func (s *Server) ask(msg any) (any, error) {
	return s.cfg.System.Root.RequestFuture(s.cfg.Supervisor, msg, s.cfg.AskTimeout).Result()
}

func (s *Server) healthz(ctx *fasthttp.RequestCtx) {
	writeJSON(ctx, 200, map[string]string{"status": "ok"})
}

func (s *Server) panicked(ctx *fasthttp.RequestCtx, v any) {
	s.log.Error("handler panic", zap.Any("panic", v), zap.ByteString("path", ctx.Path()))
	writeError(ctx, &FieldError{Status: 500, Reason: "internal error"})
}

// transportError answers requests fasthttp could not read: too large,
// too slow or malformed.
func (s *Server) transportError(ctx *fasthttp.RequestCtx, err error) {
	var tooLarge bool
	if errors.Is(err, fasthttp.ErrBodyTooLarge) {
		tooLarge = true
	}
	switch {
	case tooLarge:
		writeError(ctx, &FieldError{Status: 413, Reason: "request body over 1 MiB"})
	case isTimeout(err):
		writeError(ctx, &FieldError{Status: 408, Reason: "request not received in time"})
	default:
		writeError(ctx, &FieldError{Status: 400, Reason: "malformed request"})
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
