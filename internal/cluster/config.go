package cluster

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"google.golang.org/grpc"
	grpcbackoff "google.golang.org/grpc/backoff"
)

// DefaultPrefix is the key prefix of a deployment when none is set.
const DefaultPrefix = "/ipfixweb"

// DefaultTTL is the lease time of a node's session when none is set: a
// dead node's tasks are taken over about this long after it died, and an
// etcd stall or a process pause shorter than it changes nothing.
const DefaultTTL = 10 * time.Second

// Errors of the cluster store.
var (
	// ErrFenced means the write was refused because the caller no longer
	// owns the task: its lease lapsed or another node claimed the task.
	ErrFenced = errors.New("task ownership lost")
	// ErrTaken means another node claimed the task first, or its record
	// changed since it was read.
	ErrTaken = errors.New("task claimed by another node")
	// ErrNotLive means the task already reached a final state.
	ErrNotLive = errors.New("task already finished")
	// ErrNameTaken means a live member already uses the node's name.
	ErrNameTaken = errors.New("node name in use by a live member")
)

// Connect opens an etcd client for endpoints. Its log goes to log at Warn
// and above; nil means none.
func Connect(endpoints []string, log *zap.Logger) (*clientv3.Client, error) {
	if log == nil {
		log = zap.NewNop()
	}
	core, err := zapcore.NewIncreaseLevelCore(log.Core(), zapcore.WarnLevel)
	if err != nil {
		core = log.Core()
	}
	// After an outage the client must be back within the lease time, to
	// keep the leases it still has on the server: gRPC's default redial
	// backoff grows past that (1 s, 1.6 s, 2.6 s, ... up to 2 min).
	redial := grpc.WithConnectParams(grpc.ConnectParams{MinConnectTimeout: time.Second,
		Backoff: grpcbackoff.Config{BaseDelay: 100 * time.Millisecond, Multiplier: 1.6, Jitter: 0.2,
			MaxDelay: time.Second}})
	c, err := clientv3.New(clientv3.Config{Endpoints: endpoints, DialTimeout: 3 * time.Second,
		DialKeepAliveTime: 5 * time.Second, DialKeepAliveTimeout: 3 * time.Second,
		DialOptions: []grpc.DialOption{redial}, Logger: zap.New(core).Named("etcd")})
	if err != nil {
		return nil, fmt.Errorf("etcd client: %w", err)
	}
	return c, nil
}

// keys builds the etcd keys of one deployment.
type keys struct{ prefix string }

func newKeys(prefix string) keys {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return keys{prefix: prefix}
}

func (k keys) members() string           { return k.prefix + "/members/" }
func (k keys) member(name string) string { return k.members() + name }
func (k keys) tasks() string             { return k.prefix + "/tasks/" }
func (k keys) task(id string) string     { return k.tasks() + id }
func (k keys) lives() string             { return k.prefix + "/live/" }
func (k keys) live(id string) string     { return k.lives() + id }
func (k keys) owners() string            { return k.prefix + "/owners/" }
func (k keys) owner(id string) string    { return k.owners() + id }
func (k keys) cancel(id string) string   { return k.prefix + "/cancel/" + id }

// print, output and idem hash what they index, so any value makes a
// short key without separators.
func (k keys) print(fp string) string    { return k.prefix + "/prints/" + digest(fp) }
func (k keys) output(path string) string { return k.prefix + "/outputs/" + digest(path) }
func (k keys) idem(key string) string    { return k.prefix + "/idem/" + digest(key) }

func digest(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:16])
}

// prefixEnd returns the end of the range of keys that start with p.
func prefixEnd(p string) string { return clientv3.GetPrefixRangeEnd(p) }
