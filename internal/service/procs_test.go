package service

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// The governor goes busy at the first tick at the rate, stays busy through
// short lulls, and goes back once the rate has stayed low for Calm.
func TestGovernorSteps(t *testing.T) {
	g := newGovernor(Procs{Idle: 2, Busy: 8, BusyRate: 500, Calm: 50 * time.Millisecond},
		10*time.Millisecond) // 5 requests a tick are busy; 5 quiet ticks are calm
	var count uint64
	steps := []struct {
		requests uint64 // in the tick
		procs    int
		change   bool
	}{
		{requests: 0, procs: 2},
		{requests: 4, procs: 2},
		{requests: 5, procs: 8, change: true},
		{requests: 100, procs: 8},
		{requests: 0, procs: 8},
		{requests: 1, procs: 8},
		{requests: 0, procs: 8},
		{requests: 0, procs: 8},
		{requests: 9, procs: 8}, // the lull ends before it was calm
		{requests: 0, procs: 8},
		{requests: 0, procs: 8},
		{requests: 0, procs: 8},
		{requests: 0, procs: 8},
		{requests: 0, procs: 2, change: true},
		{requests: 0, procs: 2},
		{requests: 50, procs: 8, change: true},
	}
	for i, s := range steps {
		count += s.requests
		procs, change := g.step(count)
		if procs != s.procs || change != s.change {
			t.Fatalf("tick %d (%d requests): %d processors, change %v; want %d, %v",
				i, s.requests, procs, change, s.procs, s.change)
		}
	}
}

// govern runs with Idle processors, and puts GOMAXPROCS back as it found
// it when it ends.
func TestGovernRestores(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		govern(ctx, Procs{Idle: before + 1, Busy: before + 3}, func() uint64 { return 0 })
		close(done)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.GOMAXPROCS(0) != before+1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if got := runtime.GOMAXPROCS(0); got != before+1 {
		t.Errorf("GOMAXPROCS %d while governed, want %d", got, before+1)
	}
	cancel()
	<-done
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS %d after, want %d as before", got, before)
	}
}

// A real server under a burst of requests runs with its Busy processors,
// goes back to Idle once the burst is over, and leaves GOMAXPROCS as it
// found it when it stops.
func TestServerProcsFollowLoad(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	idle, busy := before+1, before+3
	n := startNode(t, Config{Procs: Procs{Idle: idle, Busy: busy, BusyRate: 200,
		Calm: 200 * time.Millisecond}})
	waitProcs := func(want int, load bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
			if runtime.GOMAXPROCS(0) == want {
				return
			}
			if load {
				for range 20 {
					if code, _, _ := n.do("GET", "/healthz", nil); code != 200 {
						t.Fatalf("healthz %d", code)
					}
				}
			} else {
				time.Sleep(5 * time.Millisecond)
			}
		}
		t.Fatalf("GOMAXPROCS %d, want %d", runtime.GOMAXPROCS(0), want)
	}
	waitProcs(idle, false)
	waitProcs(busy, true)
	waitProcs(idle, false)
	n.stop()
	if got := runtime.GOMAXPROCS(0); got != before {
		t.Errorf("GOMAXPROCS %d after the server stopped, want %d", got, before)
	}
}

// Shards left at 0 follow the processors of an idle API, not those its
// load adds.
func TestShardsFollowIdleProcs(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want int
	}{
		{cfg: Config{Procs: Procs{Idle: 3, Busy: 12}}, want: 3},
		{cfg: Config{Shards: 5, Procs: Procs{Idle: 3, Busy: 12}}, want: 5},
		{cfg: Config{}, want: 0},
	} {
		c := tc.cfg
		c.defaults()
		if c.Shards != tc.want {
			t.Errorf("%+v: %d shards, want %d", tc.cfg.Procs, c.Shards, tc.want)
		}
	}
}
