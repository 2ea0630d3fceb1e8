package node

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/metrics"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Config sets up a Node. Etcd, Name, Listen and Spec are required; the
// zero value of every other field means its default.
type Config struct {
	Etcd   []string // etcd client URLs
	Prefix string   // key prefix of the deployment; default "/ipfixweb"
	Name   string   // the node's name, unique in the cluster
	// Listen is the host:port of the remote endpoint; Advertise is the
	// address other nodes use to reach it, when it differs.
	Listen, Advertise string
	// HTTP is the address of the node's API, shown to other nodes.
	HTTP string
	// TTL is the session lease time; default 10 s.
	TTL         time.Duration
	Workers     int           // tasks running at once; default 2
	Queue       int           // tasks waiting, per member; default 64
	TaskTimeout time.Duration // per attempt; default 1 h
	// Spec turns a task into the spec of its run.
	Spec func(t *task.Task) (actors.Spec, error)
	// CheckpointEvery is how often a running task writes its progress
	// to etcd; default 1 s.
	CheckpointEvery time.Duration
	// SweepEvery is how often the node looks for tasks without an
	// owner, besides when an owner key is deleted or a member comes or
	// goes; default 1 s.
	SweepEvery time.Duration
	// AskTimeout bounds every message to another node; default 1 s.
	AskTimeout time.Duration
	// MaxAttempts fails a task whose node died (or lost it) this many
	// times; attempts handed back by a draining node do not count.
	// Default 10.
	MaxAttempts int
	Log         *zap.Logger
	Metrics     *metrics.Set
}

func (c *Config) defaults() error {
	if len(c.Etcd) == 0 || c.Name == "" || c.Listen == "" || c.Spec == nil {
		return fmt.Errorf("cluster: etcd endpoints, node name, listen address and spec are required")
	}
	if c.Workers <= 0 {
		c.Workers = 2
	}
	if c.Queue <= 0 {
		c.Queue = 64
	}
	if c.TaskTimeout <= 0 {
		c.TaskTimeout = time.Hour
	}
	c.CheckpointEvery = orDefault(c.CheckpointEvery, time.Second)
	c.SweepEvery = orDefault(c.SweepEvery, time.Second)
	c.AskTimeout = orDefault(c.AskTimeout, time.Second)
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 10
	}
	if c.Log == nil {
		c.Log = zap.NewNop()
	}
	return nil
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// splitHostPort parses a host:port with a numeric port.
func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, fmt.Errorf("cluster listen address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("cluster listen address %q: bad port", addr)
	}
	return host, port, nil
}
