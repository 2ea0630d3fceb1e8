package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
)

// dpiBatch carries the segments of one flow that one shard batch brought
// to the flow's DPI actor, and comes back to the shard as a [dpiReturned]
// once the actor has read them. The payloads alias the reader's batches
// (refs), which the shard acknowledges only when every dpiBatch that
// points into them has come back or can no longer be read.
type dpiBatch struct {
	conn, gen uint32 // the shard's connection slot

	// Set by the shard.
	First bool         // the flow's first batch: Info describes it
	Info  dpi.FlowInfo // valid when First
	// Sess, on the first batch, is a session of an earlier flow for the
	// actor to reset and use (nil: make one); on the batch the actor
	// concluded with, the actor hands it back for the next flow.
	Sess *dpi.Session
	Segs []dpi.Segment
	End  bool // the flow ended or must give way: conclude now

	// Set by the actor.
	Done    bool        // the actor concluded and stops
	Verdict dpi.Verdict // valid when Done
	// Expect holds the flows the session announced while reading Segs
	// (the session's own elements, never written again), and Announcing
	// whether it may still announce more ([dpi.Session.Announcing]).
	Expect     []dpi.Expectation
	Announcing bool

	// Owned by the shard: the reader batches Segs points into, whether
	// they were already released for this dpiBatch, and the shard's
	// number of the first segment (shard_expect.go).
	refs     []*packetBatch
	released bool
	seq      uint64
}

// dpiReturned is a dpiBatch on its way back to the shard.
type dpiReturned dpiBatch

// dpiFailed tells a shard that the DPI actor of a connection panicked.
type dpiFailed struct{ who *actor.PID }

// dpiActor classifies one flow with a [dpi.Session]: it reads the
// segments the shard sends, in order, and reports to the shard when the
// session is done or the shard asks it to conclude; batches that come
// after it concluded go back unread, until the shard, having read the
// verdict, stops it. A panic in a dissector stops only this actor: its
// shard supervises it and exports the flow as Unknown.
type dpiActor struct {
	shard *actor.PID
	cfg   dpi.Config
	sess  *dpi.Session
	done  bool
	told  int // expectations of sess reported to the shard
}

func (a *dpiActor) Receive(c actor.Context) {
	m, ok := c.Message().(*dpiBatch)
	if !ok {
		return
	}
	if a.done {
		// Sent before the shard read the verdict: back unread.
		c.Send(a.shard, (*dpiReturned)(m))
		return
	}
	if m.First {
		a.sess, m.Sess = m.Sess, nil
		if a.sess == nil {
			a.sess = new(dpi.Session)
		}
		a.sess.Reset(a.cfg, m.Info)
	}
	done := false
	for i := range m.Segs {
		if a.sess.Add(&m.Segs[i]) {
			done = true
			break
		}
	}
	if exp := a.sess.Expectations(); len(exp) > a.told {
		m.Expect, a.told = exp[a.told:], len(exp)
	}
	if done || m.End {
		m.Done, m.Verdict = true, a.sess.Verdict()
		m.Sess, a.sess, a.done = a.sess, nil, true
	} else {
		m.Announcing = a.sess.Announcing()
	}
	c.Send(a.shard, (*dpiReturned)(m)) // m is the shard's from here on
}
