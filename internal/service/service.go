// Package service runs one ipfixweb node: the journal, the actor system
// with its supervisor, and the HTTP API, started and stopped in order.
package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/httpapi"
	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/logging"
	"github.com/ipfixweb/ipfixweb/internal/metrics"
	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/internal/taskview"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// Config is a node's configuration. Its zero value means the defaults:
// a single node on 127.0.0.1:8000 with its state in ./ipfixweb-data,
// reading inputs and writing outputs under the working directory.
type Config struct {
	Listen      string        // default 127.0.0.1:8000
	Workers     int           // tasks running at once; default 2
	Queue       int           // tasks waiting; default 64
	TaskTimeout time.Duration // default 1 h
	DataDir     string        // journal and state; default ./ipfixweb-data
	InputRoots  []string      // default: the working directory
	OutputRoot  string        // default: the working directory
	Token       string        // bearer token for /api; empty: none
	Node        string        // the node's name; default: the host name
	// Shards is the flow-table shards per task; 0 means Procs.Idle when
	// set, else GOMAXPROCS, so the shards do not follow the processors
	// the API's load adds. Negative is refused.
	Shards     int
	FlowMemory int64 // memory cap of each task's flow tables; default 1 GiB
	// MaxConns caps the HTTP connections served at once; default 4096.
	MaxConns int
	// ReadTimeout and WriteTimeout bound how long a client may take to
	// send a request and to take its answer; default 10 s each.
	ReadTimeout, WriteTimeout time.Duration
	// CollectorRetry is how long a TCP collector may stay unreachable
	// before its task fails; 0 means export.DefaultRetryFor.
	CollectorRetry time.Duration
	// RecentTasks is how many finished tasks are served from memory,
	// besides the live ones; older ones are read from the journal.
	// Default taskview.DefaultRecent.
	RecentTasks int
	// StopWithin bounds the shutdown once ctx ends; default 250 ms.
	StopWithin time.Duration
	// Tune, when set, adjusts each task's spec before it runs. Tests use
	// it to slow a task down or inject a fault; it is nil in production.
	Tune func(*actors.Spec)
	// Cluster, when it names etcd endpoints, makes the node a member of
	// a cluster; DataDir is then not used.
	Cluster ClusterConfig
	// Procs sets the Go processors while the server runs; its zero value
	// leaves GOMAXPROCS alone.
	Procs Procs
}

func (c *Config) defaults() {
	if c.Shards == 0 && c.Procs.Idle > 0 {
		c.Shards = c.Procs.Idle
	}
	if c.Listen == "" {
		c.Listen = "127.0.0.1:8000"
	}
	if c.DataDir == "" {
		c.DataDir = "ipfixweb-data"
	}
	if len(c.InputRoots) == 0 {
		c.InputRoots = []string{"."}
	}
	if c.OutputRoot == "" {
		c.OutputRoot = "."
	}
	if c.Node == "" {
		c.Node, _ = os.Hostname()
	}
	if c.StopWithin <= 0 {
		c.StopWithin = 250 * time.Millisecond
	}
}

// Run serves until ctx ends, then drains: running tasks go back to the
// queue in the journal, and the next start runs them again. ready, when
// not nil, is called with the listening address once requests are
// served.
func Run(ctx context.Context, cfg Config, log *zap.Logger, ready func(addr string)) error {
	cfg.defaults()
	if log == nil {
		log = zap.NewNop()
	}
	if cfg.Shards < 0 {
		return fmt.Errorf("shards must be 0 (one per CPU) or more, not %d", cfg.Shards)
	}
	if cfg.Cluster.Enabled() {
		return runCluster(ctx, cfg, log, ready)
	}
	store, err := journal.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	defer store.Close()
	// The data directory is reserved: no request may read the journal or
	// write into it, even when a root holds it (as by default).
	policy, err := pathpolicy.New(cfg.InputRoots, cfg.OutputRoot, cfg.DataDir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}

	sys := actor.NewActorSystem(logging.ActorLogger(log))
	defer sys.Shutdown()
	m := metrics.New()
	board := taskview.New(cfg.RecentTasks)
	sup, err := sys.Root.SpawnNamed(actors.SupervisorProps(actors.SupervisorConfig{
		Store: store, Workers: cfg.Workers, Queue: cfg.Queue, TaskTimeout: cfg.TaskTimeout,
		Node: cfg.Node, Log: log, Metrics: m, Board: board, Spec: specFor(policy, cfg, cfg.Tune),
	}), "supervisor")
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("start supervisor: %w", err)
	}
	// The supervisor reads the journal when it starts: wait for that, so
	// the first request finds every task.
	if _, err := sys.Root.RequestFuture(sup, &actors.GetLoad{}, 30*time.Second).Result(); err != nil {
		_ = ln.Close()
		return fmt.Errorf("start supervisor: %w", err)
	}
	api := httpapi.New(httpapi.Config{System: sys, Supervisor: sup, Board: board, Policy: policy,
		Metrics: m, Log: log, Token: cfg.Token, Concurrency: cfg.MaxConns,
		ReadTimeout: cfg.ReadTimeout, WriteTimeout: cfg.WriteTimeout})
	served := make(chan error, 1)
	go func() { served <- api.Serve(ln) }()
	defer startGovernor(cfg.Procs, api.Requests)()
	log.Info("serving", zap.String("listen", ln.Addr().String()), zap.String("node", cfg.Node),
		zap.String("data_dir", cfg.DataDir), zap.Strings("input_roots", policy.InputRoots()),
		zap.String("output_root", policy.OutputRoot()), zap.Int("workers", cfg.Workers),
		zap.Bool("token", cfg.Token != ""))
	if ready != nil {
		ready(ln.Addr().String())
	}

	select {
	case <-ctx.Done():
	case err := <-served:
		return fmt.Errorf("serve: %w", err)
	}
	return stop(sys, sup, api, cfg.StopWithin, log)
}

// stop closes the listener and drains the supervisor at the same time,
// both within limit.
func stop(sys *actor.ActorSystem, sup *actor.PID, api *httpapi.Server, limit time.Duration,
	log *zap.Logger) error {
	begin := time.Now()
	sctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- api.Shutdown(sctx) }()
	res, err := sys.Root.RequestFuture(sup, &actors.Drain{}, limit).Result()
	requeued := 0
	if d, ok := res.(*actors.Drained); ok {
		requeued = d.Requeued
	}
	if herr := <-shut; herr != nil && !errors.Is(herr, context.DeadlineExceeded) {
		log.Warn("http shutdown", zap.Error(herr))
	}
	if err != nil {
		log.Error("drain did not finish in time", zap.Error(err))
	}
	log.Info("stopped", zap.Int("tasks_left_queued", requeued), zap.Duration("took", time.Since(begin)))
	return nil
}

// specFor returns the supervisor's recipe from a task to its run.
func specFor(policy *pathpolicy.Policy, cfg Config,
	tune func(*actors.Spec)) func(t *task.Task) (actors.Spec, error) {
	return func(t *task.Task) (actors.Spec, error) {
		r := t.Request
		protos, err := flow.ParseProtocols(r.AnalysisList)
		if err != nil {
			return actors.Spec{}, err
		}
		coll, err := collectorConfig(&r, cfg.CollectorRetry)
		if err != nil {
			return actors.Spec{}, err
		}
		overwrite := r.Overwrite
		spec := actors.Spec{
			Inputs:    r.PcapFiles,
			Output:    r.OutputPath,
			Overwrite: overwrite,
			Open:      policy.OpenInput,
			CheckOutput: func(path string) error {
				_, err := policy.Output(path, overwrite)
				return err
			},
			Meter: flow.Config{IdleTimeout: r.Idle(), ActiveTimeout: r.Active(), Biflow: r.Biflow,
				Protocols: protos},
			DPI:        r.DPI,
			DPIBudget:  r.DPIBudget,
			Shards:     cfg.Shards,
			FlowMemory: cfg.FlowMemory,
			Collector:  coll,
		}
		if tune != nil {
			tune(&spec)
		}
		return spec, nil
	}
}

// collectorConfig turns the collector fields of a request into the
// stream's configuration; nil when the request has no collector.
func collectorConfig(r *task.Request, retryFor time.Duration) (*export.Config, error) {
	if r.Collector == "" {
		return nil, nil
	}
	u, err := export.ParseURL(r.Collector)
	if err != nil {
		return nil, err
	}
	return &export.Config{URL: u, MessageSize: r.UDPMessageSize, Rate: r.UDPRate,
		RefreshInterval: time.Duration(r.TemplateRefresh * float64(time.Second)),
		RefreshMessages: r.TemplateRefreshMessages, RetryFor: retryFor}, nil
}

// ReadToken reads a bearer token from a file: its first line, trimmed.
func ReadToken(path string) (string, error) {
	b, err := os.ReadFile(filepath.Clean(path))
	if err != nil {
		return "", fmt.Errorf("api token file: %w", err)
	}
	tok, _, _ := strings.Cut(string(b), "\n")
	tok = strings.TrimSpace(tok)
	if tok == "" {
		return "", fmt.Errorf("api token file %s is empty", path)
	}
	return tok, nil
}
