package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"time"

	clientv3 "go.etcd.io/etcd/client/v3"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/cluster/node"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

var httpc = &http.Client{Timeout: 6 * time.Second}

// call makes an API request to m and decodes the JSON answer into out.
func call(m *member, method, path string, body any, header map[string]string, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, "http://"+m.http+path, rd)
	if err != nil {
		return 0, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := httpc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	return resp.StatusCode, nil
}

func (c *rig) info(m *member) (*node.Info, error) {
	var info node.Info
	code, err := call(m, "GET", "/api/cluster", nil, nil, &info)
	if err == nil && code != 200 {
		err = fmt.Errorf("GET /api/cluster: %d", code)
	}
	return &info, err
}

// submit posts an export request of inputs into out to m.
func (c *rig) submit(m *member, inputs []string, out, key string) (int, task.Task) {
	c.t.Helper()
	var t task.Task
	h := map[string]string{}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	code, err := call(m, "POST", "/api/export-task",
		map[string]any{"pcap_files": inputs, "output_path": filepath.Join(c.out, out)}, h, &t)
	if err != nil {
		c.t.Fatalf("submit to %s: %v", m.name, err)
	}
	return code, t
}

// status reads task id from m; ok is false when m did not answer.
func (c *rig) status(m *member, id string) (task.Task, bool) {
	var t task.Task
	code, err := call(m, "GET", "/api/task-status/"+id, nil, nil, &t)
	return t, err == nil && code == 200
}

// waitEnded polls m until task id has a final status.
func (c *rig) waitEnded(m *member, id string, limit time.Duration) task.Task {
	c.t.Helper()
	var t task.Task
	c.poll(limit, "task "+id+" ends", func() bool {
		var ok bool
		t, ok = c.status(m, id)
		return ok && !t.Status.Live()
	})
	return t
}

// record reads task id's record straight from etcd.
func (c *rig) record(id string) *cluster.Record {
	c.t.Helper()
	r, _, err := cluster.NewStore(c.cli, "", 0).Record(c.ctx(), id)
	if err != nil {
		c.t.Fatalf("record %s: %v", id, err)
	}
	return r
}

// owner returns the node owning task id and its owner key's create
// revision, or "" when nobody owns it.
func (c *rig) owner(id string) (string, int64) {
	c.t.Helper()
	resp, err := c.cli.Get(c.ctx(), cluster.DefaultPrefix+"/owners/"+id)
	if err != nil {
		c.t.Fatal(err)
	}
	if len(resp.Kvs) == 0 {
		return "", 0
	}
	return string(resp.Kvs[0].Value), resp.Kvs[0].CreateRevision
}

// ownerEvent is a change of a task's owner key, seen by the test's watch.
type ownerEvent struct {
	At    time.Time
	Owner string // "" for a delete
}

// watchOwner watches task id's owner key from now on.
func (c *rig) watchOwner(id string) <-chan ownerEvent {
	out := make(chan ownerEvent, 64)
	ch := c.cli.Watch(c.ctx(), cluster.DefaultPrefix+"/owners/"+id)
	go func() {
		for resp := range ch {
			for _, ev := range resp.Events {
				e := ownerEvent{At: time.Now()}
				if ev.Type == clientv3.EventTypePut {
					e.Owner = string(ev.Kv.Value)
				}
				out <- e
			}
		}
	}()
	return out
}

// captures writes n synthetic captures of packets packets each into the
// shared input directory and returns their paths.
func (c *rig) captures(prefix string, n int, packets int64) []string {
	c.t.Helper()
	var paths []string
	for i := range n {
		p := filepath.Join(c.in, fmt.Sprintf("%s-%d.pcap", prefix, i))
		f, err := os.Create(p)
		if err != nil {
			c.t.Fatal(err)
		}
		if _, err := synth.Write(f, synth.Config{Seed: uint64(100 + i), Packets: packets}); err != nil {
			c.t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			c.t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// strays lists the files under the output directory other than outputs.
func (c *rig) strays() []string {
	ents, _ := os.ReadDir(c.out)
	var out []string
	for _, e := range ents {
		if filepath.Ext(e.Name()) != ".ipfix" || e.Name()[0] == '.' {
			out = append(out, e.Name())
		}
	}
	return out
}

// waitNoStrays waits until the output directory holds only outputs, or
// fails the test naming the files left.
func (c *rig) waitNoStrays(limit time.Duration) {
	c.t.Helper()
	end := time.Now().Add(limit)
	for len(c.strays()) > 0 {
		if time.Now().After(end) {
			c.t.Fatalf("files left in the output directory after %s: %v", limit, c.strays())
		}
		time.Sleep(25 * time.Millisecond)
	}
}
