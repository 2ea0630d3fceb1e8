package service

import (
	"context"
	"runtime"
	"time"
)

// Procs tells a server how many Go processors (GOMAXPROCS) to run with.
//
// A conversion keeps a processor busy for each of its goroutines (the
// reader, one shard per CPU, the writer). While every processor is busy,
// Go looks at the network only from its monitor, every 10 ms, and that
// becomes the latency of the API. Spare processors answer at once, but
// they cost the conversions a quarter of their speed: they spin looking
// for work and move the pipeline's goroutines between threads. So the
// server runs with Idle processors, and with Busy ones while the API is
// asked at least BusyRate times a second; it goes back to Idle once the
// rate has stayed below that for Calm.
type Procs struct {
	Idle, Busy int // 0 leaves GOMAXPROCS alone
	// BusyRate is the requests per second that make the API busy;
	// default 500.
	BusyRate int
	// Calm is how long the rate stays below BusyRate before the server
	// goes back to Idle; default 1 s.
	Calm time.Duration
}

// procsTick is how often the governor counts the requests: the API runs
// with too few processors for at most about this long.
const procsTick = 10 * time.Millisecond

// governor is the state of [Procs] at work.
type governor struct {
	Procs
	busy    bool
	quiet   int    // ticks in a row below the rate, while busy
	perTick uint64 // requests in a tick that make the API busy
	calm    int    // quiet ticks that end a busy spell
	last    uint64 // request count at the previous tick
}

func newGovernor(p Procs, tick time.Duration) *governor {
	if p.BusyRate <= 0 {
		p.BusyRate = 500
	}
	if p.Calm <= 0 {
		p.Calm = time.Second
	}
	return &governor{Procs: p,
		perTick: max(1, uint64(float64(p.BusyRate)*tick.Seconds())),
		calm:    max(1, int(p.Calm/tick))}
}

// step takes the request count at a tick and returns the processors to
// run with, and whether that is a change.
func (g *governor) step(requests uint64) (int, bool) {
	n := requests - g.last
	g.last = requests
	switch {
	case n >= g.perTick:
		g.quiet = 0
		if !g.busy {
			g.busy = true
			return g.Busy, true
		}
	case g.busy:
		if g.quiet++; g.quiet >= g.calm {
			g.busy, g.quiet = false, 0
			return g.Idle, true
		}
	}
	if g.busy {
		return g.Busy, false
	}
	return g.Idle, false
}

// startGovernor runs govern until the function it returns is called,
// which returns once GOMAXPROCS is back as it was.
func startGovernor(p Procs, requests func() uint64) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		govern(ctx, p, requests)
	}()
	return func() {
		cancel()
		<-done
	}
}

// govern sets GOMAXPROCS to p.Idle and then follows the API's request
// rate, read from requests, until ctx ends; then it puts GOMAXPROCS back
// as it found it.
func govern(ctx context.Context, p Procs, requests func() uint64) {
	if p.Idle <= 0 || p.Busy <= 0 {
		return
	}
	prev := runtime.GOMAXPROCS(p.Idle)
	defer runtime.GOMAXPROCS(prev)
	if p.Busy == p.Idle {
		<-ctx.Done()
		return
	}
	g := newGovernor(p, procsTick)
	g.last = requests()
	t := time.NewTicker(procsTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, change := g.step(requests()); change {
				runtime.GOMAXPROCS(n)
			}
		}
	}
}
