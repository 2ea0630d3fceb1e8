package node

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/google/uuid"
	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/cluster/etcdtest"
	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/logging"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// fixture is a real etcd, a store on it and a directory for captures and
// outputs.
type fixture struct {
	etcd  *etcdtest.Server
	store *cluster.Store
	dir   string
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	srv := etcdtest.Start(tb)
	cli := srv.Client()
	tb.Cleanup(func() { _ = cli.Close() })
	return &fixture{etcd: srv, store: cluster.NewStore(cli, "", 0), dir: tb.TempDir()}
}

// capture writes a synthetic capture of packets packets.
func (f *fixture) capture(tb testing.TB, name string, packets int64) string {
	tb.Helper()
	p := filepath.Join(f.dir, name)
	w, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := synth.Write(w, synth.Config{Seed: 7, Packets: packets}); err != nil {
		tb.Fatal(err)
	}
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return p
}

// spec is the recipe of the test nodes: the request as it is, with
// tune applied.
func spec(tune func(*actors.Spec)) func(t *task.Task) (actors.Spec, error) {
	return func(t *task.Task) (actors.Spec, error) {
		s := actors.Spec{Inputs: t.Request.PcapFiles, Output: t.Request.OutputPath,
			Overwrite: t.Request.Overwrite, Shards: 1}
		if t.Request.Collector != "" {
			u, err := export.ParseURL(t.Request.Collector)
			if err != nil {
				return s, err
			}
			s.Collector = &export.Config{URL: u}
		}
		if tune != nil {
			tune(&s)
		}
		return s, nil
	}
}

// start runs a node named name in this process.
func (f *fixture) start(tb testing.TB, name string, tune func(*actors.Spec)) *Node {
	tb.Helper()
	sys := actor.NewActorSystem(logging.ActorLogger(zap.NewNop()))
	n, err := Start(sys, Config{Etcd: []string{f.etcd.Endpoint}, Name: name, Listen: "127.0.0.1:0",
		TTL: 2 * time.Second, SweepEvery: 200 * time.Millisecond, Spec: spec(tune)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(n.Close)
	return n
}

// admit puts a queued task of inputs into etcd as it is given.
func (f *fixture) admit(tb testing.TB, rec *cluster.Record) {
	tb.Helper()
	a, err := f.store.Admit(context.Background(), rec)
	if err != nil || !a.Created {
		tb.Fatalf("admit: %+v %v", a, err)
	}
}

// newRecord returns the record of a queued task of inputs into output.
func newRecord(tb testing.TB, inputs []string, output string) *cluster.Record {
	tb.Helper()
	id, err := uuid.NewV7()
	if err != nil {
		tb.Fatal(err)
	}
	req := task.Request{PcapFiles: inputs, OutputPath: output}
	return &cluster.Record{Task: &task.Task{ID: id.String(), Status: task.Queued, Request: req,
		Fingerprint: actors.Fingerprint(req), SubmittedAt: time.Now().UTC(), Errors: []task.FileError{}}}
}

// waitEnded polls etcd until task id has a final status.
func (f *fixture) waitEnded(tb testing.TB, id string) *cluster.Record {
	tb.Helper()
	end := time.Now().Add(30 * time.Second)
	for {
		rec, _, err := f.store.Record(context.Background(), id)
		if err == nil && !rec.Task.Status.Live() {
			return rec
		}
		if time.Now().After(end) {
			tb.Fatalf("task %s did not end: %+v %v", id, rec, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
