package actors

import (
	"math"
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
// segments its actor has not given back. The shard numbers the segments
// it hands to actors; the held connection waits, with its segments, until
// each of those actors has given back every segment numbered before the
// connection began, or has concluded, or has said it can announce no
// more; then it looks itself up and is queued as usual. So a connection
// is labelled as announced exactly when a connection of its pair
// announced it in a packet metered before its first payload, whatever
// the timing (unless the actor limit made the announcer conclude early,
// at a point that depends on timing). The cost: a connection that begins while another
// between the same addresses has not been read yet waits about one actor
// round trip, since until then that one might be FTP. A held connection
// costs only its place in its pair's list; each batch an announcing actor
// gives back costs a pass over the announcing connections of its pair.
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

// admit queues connection i, at its first payload, for an actor, or holds
// it while connections of its pair may still announce it: while one of
// them has not had back from its actor a segment the shard handed out
// before i began.
func (d *shardDPI) admit(i uint32) {
	k := d.conn(i)
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
	t := ticket{i, k.gen}
	w.runs = append(w.runs, t)
	run.announcing = true
	if len(w.held) == 0 && d.unread(w) > run.mark {
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
	k := d.conn(i)
	run := k.run
	if d.expect.Len() > 0 {
		run.info.Expected = d.expect.Take(&run.info, run.begin)
	}
	k.state = connQueued
	d.queue.push(ticket{i, k.gen})
	d.queued++
}

// announced takes what batch m, back from its actor and out of its run's
// inflight list, says of announced flows, and releases the connections
// that no longer need to wait.
func (d *shardDPI) announced(m *dpiBatch) {
	run := d.conn(m.conn).run
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
	w.runs = slices.DeleteFunc(w.runs, func(t ticket) bool { return d.conn(t.conn).run == run })
	d.settle(run.key)
}

// settle queues, oldest first, the held connections of a pair that began
// before every segment its announcing connections have not had back, and
// forgets the pair once nothing is left in it.
func (d *shardDPI) settle(key pairKey) {
	w := d.pairs[key]
	first := d.unread(w)
	n := 0
	for _, t := range w.held {
		k := d.conn(t.conn)
		if k.gen == t.gen && k.state == connHeld {
			if k.run.mark >= first {
				break
			}
			d.held--
			d.enqueue(t.conn)
		}
		n++
	}
	rest := copy(w.held, w.held[n:])
	clear(w.held[rest:])
	w.held = w.held[:rest]
	if len(w.runs) == 0 && len(w.held) == 0 {
		delete(d.pairs, key)
		d.freePairs = append(d.freePairs, w)
	}
}

// unread returns the number of the oldest segment that an announcing
// connection of w has not had back from its actor, or the largest number
// when there is none. A run's batches come back in the order they were
// sent, and the batch it is filling is newer than those.
func (d *shardDPI) unread(w *pairWait) uint64 {
	first := uint64(math.MaxUint64)
	for _, t := range w.runs {
		run := d.conn(t.conn).run
		switch {
		case len(run.inflight) > 0:
			first = min(first, run.inflight[0].seq)
		case run.cur != nil && len(run.cur.Segs) > 0:
			first = min(first, run.cur.seq)
		}
	}
	return first
}

func (d *shardDPI) newPair() *pairWait {
	if n := len(d.freePairs); n > 0 {
		w := d.freePairs[n-1]
		d.freePairs = d.freePairs[:n-1]
		return w
	}
	return &pairWait{}
}
