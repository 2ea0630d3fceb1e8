package actors

import (
	"net/netip"
	"slices"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
)

// Flows announced by other flows.
//
// An FTP control connection announces its data connections; its DPI
// actor passes each [dpi.Expectation] back to the shard with the batch it
// read it in (dpiBatch.Expect), and the shard keeps them in its own
// [dpi.ExpectTable]. A new connection looks itself up there before its
// actor starts, and the actor's session is told ([dpi.FlowInfo.Expected]).
//
// No expectation crosses shards: an announced flow joins the same two
// addresses as its announcer, with the same IP protocol, and
// [flow.ShardOf] places a connection by exactly those fields (not its
// ports), so both are metered by the same shard.
//
// Actors run concurrently with their shard, so an announcement may come
// back after the announced connection's first payload was metered: in a
// capture read at full speed the PASV reply, the new connection and its
// first data are often in one batch. For the label not to depend on which
// actor runs first, a connection is held (connHeld) when its first
// payload comes while, between the same two addresses, another connection
// whose session may still announce flows ([dpi.Session.Announcing]) has
// segments its actor has not given back. It waits, with its segments,
// until each of those actors has given back every segment it was handed
// before the held connection began, or has concluded, or has said it can
// announce no more; then it looks itself up and is queued as usual. So a
// connection is labelled as announced exactly when a connection of its
// pair announced it in a packet metered before its first payload,
// whatever the timing. The cost: a connection that begins while another
// between the same addresses has not been read yet waits about one actor
// round trip, since until then that one might be FTP.
//
// Bounds: the table keeps expectTableSize entries per shard (the oldest
// go first, so a flood of announcements on other pairs could push out an
// entry before its flow begins); a held connection waits only for
// connections that began before it, each of which concludes within its
// budget, when told to make room, or at the end of input.

// expectTableSize is the number of announced flows a shard remembers.
const expectTableSize = 512

// pairKey names the two addresses and the IP protocol of a connection,
// whichever way round it is seen.
type pairKey struct {
	lo, hi netip.Addr
	proto  uint8
}

func pairOf(info *dpi.FlowInfo) pairKey {
	a, b := info.Initiator.Addr(), info.Responder.Addr()
	if b.Less(a) {
		a, b = b, a
	}
	return pairKey{lo: a, hi: b, proto: info.IPProto}
}

// pairWait is what a shard tracks of one address pair while it has
// connections whose sessions may announce flows.
type pairWait struct {
	runs []ticket // connections whose session may announce, in the order they began
	held []ticket // connections held for them, in the order they began
}

// blocker is a connection a held connection waits for, and the number of
// segments it must have given back.
type blocker struct {
	t    ticket
	mark uint64
}

// admit queues connection i, at its first payload, for an actor, or holds
// it while connections of its pair may still announce it.
func (d *shardDPI) admit(i uint32) {
	k := &d.conns[i]
	run := k.run
	if !d.cfg.Registry.Announces(run.info.IPProto) {
		d.enqueue(i)
		return
	}
	run.key = pairOf(&run.info)
	w := d.pairs[run.key]
	if w == nil {
		w = d.newPair()
		d.pairs[run.key] = w
	}
	for _, t := range w.runs {
		if o := d.conns[t.conn].run; o.read < o.added {
			run.blockers = append(run.blockers, blocker{t: t, mark: o.added})
		}
	}
	t := ticket{i, k.gen}
	w.runs = append(w.runs, t)
	run.announcing = true
	if len(run.blockers) == 0 {
		d.enqueue(i)
		return
	}
	k.state = connHeld
	w.held = append(w.held, t)
	d.held++
}

// enqueue looks connection i up among the announced flows and queues it
// for an actor.
func (d *shardDPI) enqueue(i uint32) {
	k := &d.conns[i]
	run := k.run
	if d.expect.Len() > 0 {
		run.info.Expected = d.expect.Take(&run.info, run.begin)
	}
	k.state = connQueued
	d.queue.push(ticket{i, k.gen})
	d.queued++
}

// announced takes what batch m, back from its actor, says of announced
// flows, and releases the connections that no longer need to wait.
func (d *shardDPI) announced(m *dpiBatch) {
	run := d.conns[m.conn].run
	run.read += uint64(len(m.Segs))
	d.expect.Add(m.Expect...)
	switch {
	case !run.announcing:
	case !m.Announcing:
		d.leavePair(run)
	default:
		d.settle(run.key)
	}
}

// leavePair takes run, which may announce no more, out of its pair.
func (d *shardDPI) leavePair(run *dpiRun) {
	if !run.announcing {
		return
	}
	run.announcing = false
	w := d.pairs[run.key]
	w.runs = slices.DeleteFunc(w.runs, func(t ticket) bool { return d.conns[t.conn].run == run })
	d.settle(run.key)
}

// settle queues the held connections of a pair that wait for nothing
// more, oldest first, and forgets the pair once nothing is left in it.
func (d *shardDPI) settle(key pairKey) {
	w := d.pairs[key]
	keep := w.held[:0]
	for _, t := range w.held {
		k := &d.conns[t.conn]
		if k.gen != t.gen || k.state != connHeld {
			continue
		}
		if d.waits(k.run) {
			keep = append(keep, t)
			continue
		}
		d.held--
		k.run.blockers = k.run.blockers[:0]
		d.enqueue(t.conn)
	}
	clear(w.held[len(keep):])
	w.held = keep
	if len(w.runs) == 0 && len(w.held) == 0 {
		delete(d.pairs, key)
		d.freePairs = append(d.freePairs, w)
	}
}

// waits reports whether a held run still waits for one of its blockers.
func (d *shardDPI) waits(run *dpiRun) bool {
	for _, b := range run.blockers {
		k := &d.conns[b.t.conn]
		if k.gen == b.t.gen && k.run != nil && k.run.announcing && k.run.read < b.mark {
			return true
		}
	}
	return false
}

func (d *shardDPI) newPair() *pairWait {
	if n := len(d.freePairs); n > 0 {
		w := d.freePairs[n-1]
		d.freePairs = d.freePairs[:n-1]
		return w
	}
	return &pairWait{}
}
