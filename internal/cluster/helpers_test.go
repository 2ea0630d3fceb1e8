package cluster

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/cluster/etcdtest"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// fixture is a store on a real etcd started for one test.
type fixture struct {
	etcd  *etcdtest.Server
	cli   *clientv3.Client
	store *Store
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	srv := etcdtest.Start(tb)
	cli := srv.Client()
	tb.Cleanup(func() { _ = cli.Close() })
	return &fixture{etcd: srv, cli: cli, store: NewStore(cli, "/t", 0)}
}

func testCtx(tb testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	tb.Cleanup(cancel)
	return ctx
}

// lease grants a lease of ttl seconds.
func (f *fixture) lease(tb testing.TB, ttl int64) clientv3.LeaseID {
	tb.Helper()
	g, err := f.cli.Grant(testCtx(tb), ttl)
	if err != nil {
		tb.Fatal(err)
	}
	return g.ID
}

// newRecord returns the record of a new queued task writing output.
func newRecord(tb testing.TB, output string) *Record {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	return &Record{Task: &task.Task{ID: id.String(), Status: task.Queued,
		Request:     task.Request{PcapFiles: []string{"/in/a.pcap"}, OutputPath: output},
		Fingerprint: "fp-" + output, SubmittedAt: time.Now().UTC(), Errors: []task.FileError{}}}
}

// admitN admits n tasks with outputs /out/<i> and returns their ids.
func (f *fixture) admitN(tb testing.TB, n int) []string {
	tb.Helper()
	ids := make([]string, n)
	for i := range n {
		r := newRecord(tb, fmt.Sprintf("/out/%d", i))
		a, err := f.store.Admit(testCtx(tb), r)
		if err != nil || !a.Created {
			tb.Fatalf("admit %d: %+v %v", i, a, err)
		}
		ids[i] = r.Task.ID
	}
	return ids
}

// waitFor polls cond until it holds or fails tb after limit.
func waitFor(tb testing.TB, limit time.Duration, what string, cond func() bool) {
	tb.Helper()
	end := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(end) {
			tb.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func leaseID(v int64) clientv3.LeaseID { return clientv3.LeaseID(v) }
