package cluster

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"
	"go.uber.org/zap"
)

// View is a node's picture of the member list: it lists the members,
// then watches for changes from the revision of that list, so no change
// falls between the two; on any watch error it lists again. Safe for
// concurrent use.
type View struct {
	cli *clientv3.Client
	k   keys
	log *zap.Logger

	mu      sync.RWMutex
	members []Member // sorted by name
	rev     int64
	changed chan struct{}
}

// NewView returns a view of the members under prefix. It is empty until
// Run has listed them.
func NewView(cli *clientv3.Client, prefix string, log *zap.Logger) *View {
	if log == nil {
		log = zap.NewNop()
	}
	return &View{cli: cli, k: newKeys(prefix), log: log.Named("view"),
		changed: make(chan struct{}, 1)}
}

// Members returns the members in the view, sorted by name. The slice is
// the caller's.
func (v *View) Members() []Member {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return slices.Clone(v.members)
}

// Revision returns the etcd revision the view reflects.
func (v *View) Revision() int64 {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.rev
}

// Changed receives a value after the member list changes. Only one
// change is buffered: a slow reader sees the latest state, not each step.
func (v *View) Changed() <-chan struct{} { return v.changed }

// Run keeps the view current until ctx ends.
func (v *View) Run(ctx context.Context) {
	delay := backoff{min: 100 * time.Millisecond, max: 2 * time.Second}
	for ctx.Err() == nil {
		rev, err := v.list(ctx)
		if err != nil {
			if ctx.Err() == nil {
				v.log.Warn("list members", zap.Error(err))
			}
			delay.wait(ctx)
			continue
		}
		delay.reset()
		if err := v.watch(ctx, rev); err != nil && ctx.Err() == nil {
			v.log.Warn("watch members", zap.Error(err))
			delay.wait(ctx)
		}
	}
}

// list reads every member and returns the revision of the read.
func (v *View) list(ctx context.Context) (int64, error) {
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	resp, err := v.cli.Get(lctx, v.k.members(), clientv3.WithPrefix())
	if err != nil {
		return 0, err
	}
	ms := make([]Member, 0, len(resp.Kvs))
	for _, kv := range resp.Kvs {
		if m, ok := v.decode(kv.Key, kv.Value); ok {
			ms = append(ms, m)
		}
	}
	v.set(ms, resp.Header.Revision)
	return resp.Header.Revision, nil
}

// watch applies the changes after rev until the watch fails or ctx ends.
// The watch requires a leader, so a partitioned etcd member ends it
// rather than leaving the view silently stale.
func (v *View) watch(ctx context.Context, rev int64) error {
	wctx, cancel := context.WithCancel(clientv3.WithRequireLeader(ctx))
	defer cancel()
	for resp := range v.cli.Watch(wctx, v.k.members(), clientv3.WithPrefix(),
		clientv3.WithRev(rev+1)) {
		if err := resp.Err(); err != nil {
			return err
		}
		v.apply(resp.Events, resp.Header.Revision)
	}
	return ctx.Err()
}

func (v *View) apply(events []*clientv3.Event, rev int64) {
	v.mu.Lock()
	ms := slices.Clone(v.members)
	v.mu.Unlock()
	for _, ev := range events {
		name := strings.TrimPrefix(string(ev.Kv.Key), v.k.members())
		ms = slices.DeleteFunc(ms, func(m Member) bool { return m.Name == name })
		if ev.Type == clientv3.EventTypePut {
			if m, ok := v.decode(ev.Kv.Key, ev.Kv.Value); ok {
				ms = append(ms, m)
			}
		}
	}
	v.set(ms, rev)
}

func (v *View) decode(key, val []byte) (Member, bool) {
	var m Member
	if err := json.Unmarshal(val, &m); err != nil {
		v.log.Warn("member key with a bad value", zap.ByteString("key", key), zap.Error(err))
		return m, false
	}
	m.Name = strings.TrimPrefix(string(key), v.k.members())
	return m, true
}

func (v *View) set(ms []Member, rev int64) {
	slices.SortFunc(ms, func(a, b Member) int { return strings.Compare(a.Name, b.Name) })
	v.mu.Lock()
	same := slices.EqualFunc(ms, v.members, func(a, b Member) bool { return a == b })
	v.members, v.rev = ms, rev
	v.mu.Unlock()
	if !same {
		select {
		case v.changed <- struct{}{}:
		default:
		}
	}
}
