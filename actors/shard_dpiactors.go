package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// flush sends the batches filled during a shard batch, gives queued
// connections an actor while the limit allows, and makes room for the
// rest.
func (d *shardDPI) flush(c actor.Context) {
	for _, i := range d.touched {
		k := d.conn(i)
		if k.run != nil && k.run.cur != nil && (k.state == connLive || k.state == connEnding) {
			d.send(c, i)
		}
	}
	d.touched = d.touched[:0]
	d.spawnQueued(c)
	d.evict(c)
}

// send hands connection i's filled batch to its actor.
func (d *shardDPI) send(c actor.Context, i uint32) {
	run := d.conn(i).run
	m := run.cur
	run.cur = nil
	m.First = run.first
	if run.first {
		m.Info, run.first = run.info, false
		if n := len(d.sessions); n > 0 {
			m.Sess, d.sessions = d.sessions[n-1], d.sessions[:n-1]
		}
	}
	run.inflight = append(run.inflight, m)
	c.Send(run.pid, m)
}

// spawnQueued gives the oldest queued connections an actor each while
// fewer than the limit are live.
func (d *shardDPI) spawnQueued(c actor.Context) {
	for d.live < d.limit {
		t, ok := d.queue.pop()
		if !ok {
			return
		}
		k := d.conn(t.conn)
		if k.gen != t.gen || k.state != connQueued {
			continue
		}
		d.queued--
		run := k.run
		run.pid = c.SpawnPrefix(d.props, "dpi")
		d.byPID[run.pid] = t.conn
		d.live++
		d.spawned++
		d.peak = max(d.peak, d.live)
		d.remember(t)
		k.state = connLive
		if run.endAsked {
			d.conclude(t.conn)
		}
		d.batch(t.conn)
		d.send(c, t.conn)
	}
}

// remember adds t, just given an actor, to the order of eviction. Tickets
// of actors that have concluded are dropped from time to time, so the
// list stays a few times the number of live actors.
func (d *shardDPI) remember(t ticket) {
	d.order.push(t)
	if d.order.len() > 4*d.live+64 {
		d.order.keep(d.isLive)
	}
}

// isLive reports whether t names a connection whose actor reads it and
// was not told to conclude.
func (d *shardDPI) isLive(t ticket) bool {
	k := d.conn(t.conn)
	return k.gen == t.gen && k.state == connLive
}

// evict tells the actors that have run longest to conclude, one for each
// queued connection that no concluding actor makes room for.
func (d *shardDPI) evict(c actor.Context) {
	for d.queued > d.ending {
		t, ok := d.order.pop()
		if !ok {
			return
		}
		if !d.isLive(t) {
			continue
		}
		d.conclude(t.conn)
		d.send(c, t.conn)
	}
}

// returned takes back a batch from an actor. When the actor concluded,
// the connection has its verdict: its waiting records go to ready, and
// the actor is stopped.
func (d *shardDPI) returned(c actor.Context, m *dpiBatch) {
	d.release(m)
	k := d.conn(m.conn)
	if k.gen != m.gen || k.run == nil || k.run.pid == nil {
		d.recycle(m) // came back unread after the verdict
		return
	}
	run := k.run
	for j, b := range run.inflight {
		if b == m {
			run.inflight = append(run.inflight[:j], run.inflight[j+1:]...)
			break
		}
	}
	d.announced(m)
	if m.Done {
		pid := run.pid
		d.finish(m.conn, d.appOf(m.Verdict))
		c.Stop(pid)
	}
	if m.Sess != nil && len(d.sessions) < maxSpareSessions {
		d.sessions = append(d.sessions, m.Sess)
	}
	d.recycle(m)
}

// failed handles the panic of a DPI actor: its flow is Unknown.
func (d *shardDPI) failed(m *dpiFailed) {
	i, ok := d.byPID[m.who]
	if !ok {
		return
	}
	d.failures++
	d.finish(i, d.unknown)
}

// finish records the verdict of connection i, whose actor has stopped or
// is stopping: the batches still on their way to it will not be read.
func (d *shardDPI) finish(i uint32, app *flow.App) {
	k := d.conn(i)
	run := k.run
	d.leavePair(run)
	if k.state == connEnding {
		d.ending--
	}
	d.live--
	delete(d.byPID, run.pid)
	for _, m := range run.inflight {
		d.release(m) // dropped by the stopped actor; left to the collector
	}
	for j := range run.waiting {
		run.waiting[j].App = app
	}
	d.ready = append(d.ready, run.waiting...)
	d.waiting -= len(run.waiting)
	k.app, k.state, k.run = app, connDone, nil
	d.done.set(i)
	*run = dpiRun{inflight: run.inflight[:0], waiting: run.waiting[:0]}
	clear(run.waiting[:cap(run.waiting)])
	d.runs = append(d.runs, run)
	if k.ended {
		d.freeConn(i)
	}
}

// release gives back the reader batches m points into, once.
func (d *shardDPI) release(m *dpiBatch) {
	if m.released {
		return
	}
	m.released = true
	for _, b := range m.refs {
		b.dpiRefs--
	}
	m.refs = m.refs[:0]
}

// maxSpareSessions bounds the finished sessions a shard keeps for its
// next DPI actors: enough for the actors a batch starts, few enough that
// their stream buffers (up to 8 KiB each) stay small.
const maxSpareSessions = 256

// recycle keeps a batch that came back for reuse.
func (d *shardDPI) recycle(m *dpiBatch) {
	clear(m.Segs)
	*m = dpiBatch{Segs: m.Segs[:0], refs: m.refs[:0]}
	d.batches = append(d.batches, m)
}

// tickets is a FIFO of connection tickets.
type tickets struct {
	items []ticket
	head  int
}

func (q *tickets) push(t ticket) { q.items = append(q.items, t) }

func (q *tickets) len() int { return len(q.items) - q.head }

// keep drops the tickets for which ok is false.
func (q *tickets) keep(ok func(ticket) bool) {
	n := 0
	for _, t := range q.items[q.head:] {
		if ok(t) {
			q.items[n] = t
			n++
		}
	}
	q.items, q.head = q.items[:n], 0
}

func (q *tickets) pop() (ticket, bool) {
	if q.head == len(q.items) {
		q.items, q.head = q.items[:0], 0
		return ticket{}, false
	}
	t := q.items[q.head]
	q.head++
	if q.head > 64 && q.head*2 > len(q.items) {
		n := copy(q.items, q.items[q.head:])
		q.items, q.head = q.items[:n], 0
	}
	return t, true
}

// open takes a free connection slot and returns its tag.
func (d *shardDPI) open() uint32 {
	if n := len(d.free); n > 0 {
		i := d.free[n-1]
		d.free = d.free[:n-1]
		return i + 1
	}
	if d.made%connPage == 0 {
		d.conns = append(d.conns, make([]dpiConn, connPage))
	}
	d.made++
	return d.made
}

// connPage is the number of connection slots in a page of shardDPI.conns.
// Pages never move, so the slots of a million connections are never
// copied or held twice while they grow.
const connPage = 1024

// conn returns connection slot i.
func (d *shardDPI) conn(i uint32) *dpiConn {
	return &d.conns[i/connPage][i%connPage]
}

func (d *shardDPI) freeConn(i uint32) {
	d.done.unset(i)
	k := d.conn(i)
	*k = dpiConn{gen: k.gen + 1}
	d.free = append(d.free, i)
}

func (d *shardDPI) newRun() *dpiRun {
	if n := len(d.runs); n > 0 {
		r := d.runs[n-1]
		d.runs = d.runs[:n-1]
		return r
	}
	return &dpiRun{}
}

// appOf returns the App of a verdict: its full name and the id that goes
// with it ([dpi.Verdict.FullID]). A port guess is not a DPI verdict: it
// is exported as Unknown.
func (d *shardDPI) appOf(v dpi.Verdict) *flow.App {
	if v.DPI() == dpi.ProtoUnknown {
		return d.unknown
	}
	id := v.FullID()
	if v.Meta != nil {
		return &flow.App{Name: v.FullName(), ID: id, Meta: v.Meta}
	}
	a := d.apps[id]
	if a == nil {
		a = &flow.App{Name: v.FullName(), ID: id}
		d.apps[id] = a
	}
	return a
}
