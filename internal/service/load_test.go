//go:build load

package service

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/journal"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// TestLoad sends 10,000 submissions from 50 clients to a real server with
// a small queue. Every answer must be 202, 200 (a duplicate of a live
// task) or 429; every task that got a 202 must complete; and the journal
// must hold exactly the tasks GET /api/tasks shows, in the same states.
//
//	go test -tags load -run TestLoad -v ./internal/service/
func TestLoad(t *testing.T) {
	const (
		submissions = 10000
		clients     = 50
		requests    = 400 // distinct requests; each has its own output
	)
	n := startNode(t, Config{Workers: 2, Queue: 8})
	var inputs []string
	for i := range 10 {
		inputs = append(inputs, n.capture(fmt.Sprintf("in%d.pcap", i), synth.Config{Seed: uint64(i + 1), Packets: 40}))
	}
	bodies := make([][]byte, requests)
	for i := range bodies {
		bodies[i], _ = json.Marshal(body([]string{inputs[i%len(inputs)]},
			n.outPath(fmt.Sprintf("out%d.ipfix", i)), "overwrite", true))
	}

	type answer struct {
		code int
		id   string
		took time.Duration
	}
	answers := make([]answer, submissions)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	var wg sync.WaitGroup
	begin := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			for i := c; i < submissions; i += clients {
				b := bodies[r.IntN(requests)]
				start := time.Now()
				resp, err := client.Post(n.url+"/api/export-task", "application/json", bytes.NewReader(b))
				if err != nil {
					t.Errorf("submission %d: %v", i, err)
					continue
				}
				data, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var out struct {
					ID string `json:"task_id"`
				}
				_ = json.Unmarshal(data, &out)
				answers[i] = answer{code: resp.StatusCode, id: out.ID, took: time.Since(start)}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)

	codes := map[int]int{}
	accepted := map[string]bool{}
	var lat []time.Duration
	for _, a := range answers {
		codes[a.code]++
		lat = append(lat, a.took)
		switch a.code {
		case 202:
			accepted[a.id] = true
		case 200, 429:
		default:
			t.Errorf("answer %d", a.code)
		}
	}
	slices.Sort(lat)
	p := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	t.Logf("%d submissions from %d clients in %s: %.0f submissions/s; latency p50 %s p99 %s max %s; answers %v",
		submissions, clients, elapsed.Round(time.Millisecond), float64(submissions)/elapsed.Seconds(),
		p(0.5), p(0.99), lat[len(lat)-1], codes)
	if codes[202] == 0 || codes[429] == 0 {
		t.Errorf("answers %v: the queue was never full or nothing was accepted", codes)
	}

	for id := range accepted {
		if tk := n.waitFor(id, 120*time.Second, final); tk.Status != task.Completed {
			t.Errorf("task %s: %s %s", id, tk.Status, tk.Error)
		}
	}
	listed := n.allTasks()
	n.stop()
	store, err := journal.Open(n.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	kept, _, err := store.List("", "", submissions+1)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) != len(accepted) || len(listed) != len(kept) {
		t.Errorf("%d tasks accepted, %d in the journal, %d listed", len(accepted), len(kept), len(listed))
	}
	for _, k := range kept {
		if !accepted[k.ID] || listed[k.ID] != k.Status {
			t.Errorf("task %s: accepted %v, journal %s, listed %s", k.ID, accepted[k.ID], k.Status, listed[k.ID])
		}
	}
	if left := tempFiles(t, n.out); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// allTasks pages through GET /api/tasks and returns each task's status.
func (n *node) allTasks() map[string]task.Status {
	n.t.Helper()
	out := map[string]task.Status{}
	cursor := ""
	for {
		_, page, _ := n.do("GET", "/api/tasks?limit=1000&cursor="+cursor, nil)
		tasks, _ := page["tasks"].([]any)
		for _, v := range tasks {
			m := v.(map[string]any)
			out[str(m["task_id"])] = task.Status(str(m["status"]))
		}
		cursor = str(page["next_cursor"])
		if cursor == "" || len(tasks) == 0 {
			return out
		}
	}
}
