package service

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/httpapi"
	clusternode "github.com/ipfixweb/ipfixweb/internal/cluster/node"
	"github.com/ipfixweb/ipfixweb/internal/logging"
	"github.com/ipfixweb/ipfixweb/internal/metrics"
	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
)

// ClusterConfig makes a node a member of a cluster. Its zero value (no
// etcd endpoints) runs the node alone.
type ClusterConfig struct {
	Etcd []string // etcd client URLs
	// Listen is the host:port of the endpoint other nodes send messages
	// to; Advertise is the address they use, when it differs.
	Listen, Advertise string
	// TTL is the session lease time; default 10 s.
	TTL time.Duration
	// Prefix is the etcd key prefix of the deployment; default
	// "/ipfixweb".
	Prefix string
	// CheckpointEvery and SweepEvery are the node's rhythms; default 1 s
	// each.
	CheckpointEvery, SweepEvery time.Duration
}

// Enabled reports whether the node runs in a cluster.
func (c ClusterConfig) Enabled() bool { return len(c.Etcd) > 0 }

// clusterDrainWithin bounds a cluster node's drain at least: the node
// hands its tasks back with a write to etcd before it stops them.
const clusterDrainWithin = 5 * time.Second

// runCluster is Run for a member of a cluster: etcd keeps the tasks, so
// there is no journal, and the node's supervisor is a cluster member's.
func runCluster(ctx context.Context, cfg Config, log *zap.Logger, ready func(addr string)) error {
	policy, err := pathpolicy.New(cfg.InputRoots, cfg.OutputRoot)
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
	c := cfg.Cluster
	n, err := clusternode.Start(sys, clusternode.Config{Etcd: c.Etcd, Prefix: c.Prefix, Name: cfg.Node,
		Listen: c.Listen, Advertise: c.Advertise, HTTP: ln.Addr().String(), TTL: c.TTL,
		Workers: cfg.Workers, Queue: cfg.Queue, TaskTimeout: cfg.TaskTimeout,
		Spec: specFor(policy, cfg, cfg.Tune), CheckpointEvery: c.CheckpointEvery,
		SweepEvery: c.SweepEvery, Log: log, Metrics: m})
	if err != nil {
		_ = ln.Close()
		return err
	}
	api := httpapi.New(httpapi.Config{System: sys, Supervisor: n.PID(), Policy: policy, Metrics: m,
		Log: log, Token: cfg.Token, Concurrency: cfg.MaxConns, ReadTimeout: cfg.ReadTimeout,
		WriteTimeout: cfg.WriteTimeout,
		Cluster:      func(ctx context.Context) (any, error) { return n.Info(ctx) }})
	served := make(chan error, 1)
	go func() { served <- api.Serve(ln) }()
	defer startGovernor(cfg.Procs, api.Requests)()
	log.Info("serving", zap.String("listen", ln.Addr().String()), zap.String("node", cfg.Node),
		zap.Strings("etcd", c.Etcd), zap.String("cluster_address", n.Address()),
		zap.Strings("input_roots", policy.InputRoots()), zap.String("output_root", policy.OutputRoot()),
		zap.Int("workers", cfg.Workers), zap.Bool("token", cfg.Token != ""))
	if ready != nil {
		ready(ln.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		n.Close()
		return fmt.Errorf("serve: %w", err)
	}
	return stopCluster(n, api, max(cfg.StopWithin, clusterDrainWithin), log)
}

// stopCluster closes the listener and drains the node at the same time:
// the node leaves the member list and hands its running tasks to the
// others.
func stopCluster(n *clusternode.Node, api *httpapi.Server, limit time.Duration,
	log *zap.Logger) error {
	begin := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	shut := make(chan error, 1)
	go func() { shut <- api.Shutdown(ctx) }()
	handed := n.Drain(ctx)
	if err := <-shut; err != nil && !errors.Is(err, context.DeadlineExceeded) {
		log.Warn("http shutdown", zap.Error(err))
	}
	log.Info("stopped", zap.Int("tasks_handed_back", handed), zap.Duration("took", time.Since(begin)))
	return nil
}
