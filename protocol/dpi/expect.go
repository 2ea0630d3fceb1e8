package dpi

import "net/netip"

// MaxExpectations bounds the expectations one session announces; later
// ones are dropped.
const MaxExpectations = 16

// Expectation announces a flow that has not begun yet: a session read, in
// its own flow's payload, that another flow will connect. An FTP control
// connection does so for each data connection, in the server's reply to
// PASV or EPSV and in the client's PORT or EPRT command.
//
// Addresses are those of the announcing flow as the capture shows them,
// not the ones written in the payload, so that a server behind NAT that
// announces its private address is still matched; only the port comes
// from the payload.
type Expectation struct {
	// Proto is what the announced flow carries (ProtoFTPData).
	Proto Proto
	// IPProto is the announced flow's IP protocol (6 TCP, 17 UDP).
	IPProto uint8
	// Initiator is the address the announced flow will come from (any
	// port), Responder the address and port it will go to.
	Initiator netip.Addr
	Responder netip.AddrPort
	// Time is the capture time of the packet that announced the flow, ns
	// since the Unix epoch.
	Time int64
}

// Matches reports whether a flow is the one e announced: its IP protocol,
// the announced responder's address and port, and the initiator's
// address. A flow seen the other way round (its first packet from the
// announced responder) matches too.
//
// The announced flow joins the same two addresses as the flow that
// announced it, with the same IP protocol: a caller that spreads flows
// over workers by those fields alone finds both in one worker.
func (e *Expectation) Matches(info *FlowInfo) bool {
	if info.IPProto != e.IPProto {
		return false
	}
	return info.Responder == e.Responder && info.Initiator.Addr() == e.Initiator ||
		info.Initiator == e.Responder && info.Responder.Addr() == e.Initiator
}

// Expect records that the flow announced another one. It keeps at most
// MaxExpectations per session and drops repeats.
func (r *Result) Expect(e Expectation) {
	if len(r.expect) >= MaxExpectations {
		return
	}
	for i := range r.expect {
		if r.expect[i].Responder == e.Responder && r.expect[i].Initiator == e.Initiator {
			return
		}
	}
	r.expect = append(r.expect, e)
}

// Expectations returns the flows the session's flow announced so far, in
// the order it announced them: the hook by which a caller learns of flows
// before they begin (see the package documentation). The caller may keep
// the slice; its elements never change, and later announcements are
// appended to the session's own copy, not to it.
func (s *Session) Expectations() []Expectation {
	return s.res.expect[:len(s.res.expect):len(s.res.expect)]
}

// Announcing reports whether the session may still announce flows: it
// is not done and a dissector with [Dissector.Announces] is still in the
// running for its flow. Once it reports false it never reports true
// again, unless a TCP stream turns out to start earlier than first seen
// and every dissector gets another look.
func (s *Session) Announcing() bool {
	if s.done {
		return false
	}
	for i := 0; i < len(s.cands); {
		c := s.cands[i]
		if !s.reg.all[c.idx].Announces {
			i++
			continue
		}
		if c.state != nil || s.begin(i) {
			return true
		}
	}
	return false
}

// ExpectTable holds announced flows until they begin or expire, for a
// caller that follows many sessions: it [ExpectTable.Add]s what each
// session's [Session.Expectations] gives, and asks
// [ExpectTable.Take] for each new flow before starting its session. It
// holds at most the number of entries it was made with, dropping the
// oldest when full, so a flood of announcements cannot grow it.
//
// An ExpectTable is not safe for concurrent use.
type ExpectTable struct {
	ttl  int64
	ring []Expectation // oldest at next once full; Proto 0 once taken or expired
	next int
	live int // entries of ring not taken and not seen expired
}

// DefaultExpectTTL is how long an announced flow is waited for, in
// capture time: an FTP client connects within a second or two; servers
// time a passive port out after about a minute.
const DefaultExpectTTL = 120 * 1e9

// NewExpectTable returns a table of at most size entries (at least 1)
// that keeps each for ttl ns of capture time (DefaultExpectTTL if ttl <= 0).
func NewExpectTable(size int, ttl int64) *ExpectTable {
	if ttl <= 0 {
		ttl = DefaultExpectTTL
	}
	return &ExpectTable{ttl: ttl, ring: make([]Expectation, 0, max(size, 1))}
}

// Add records announced flows, replacing the oldest entries when full.
func (t *ExpectTable) Add(es ...Expectation) {
	for _, e := range es {
		if e.Proto == ProtoUnknown {
			continue
		}
		t.live++
		if len(t.ring) < cap(t.ring) {
			t.ring = append(t.ring, e)
			continue
		}
		if t.ring[t.next].Proto != ProtoUnknown {
			t.live--
		}
		t.ring[t.next] = e
		t.next = (t.next + 1) % len(t.ring)
	}
}

// Len returns the number of entries that may still be taken. Entries
// that expired leave it when a Take sees them. A caller may skip Take
// while Len is 0.
func (t *ExpectTable) Len() int { return t.live }

// Take returns the protocol announced for a flow that begins at time now,
// and forgets the announcement: one announcement, one flow. It returns
// ProtoUnknown when no live entry matches. Entries older than the
// table's time to live at now are dropped on the way. Its cost grows with
// the table's size.
func (t *ExpectTable) Take(info *FlowInfo, now int64) Proto {
	if t.live == 0 {
		return ProtoUnknown
	}
	for i := range t.ring {
		e := &t.ring[i]
		switch {
		case e.Proto == ProtoUnknown || now < e.Time:
			continue
		case now-e.Time > t.ttl:
			e.Proto = ProtoUnknown // expired
			t.live--
			continue
		case !e.Matches(info):
			continue
		}
		p := e.Proto
		e.Proto = ProtoUnknown // taken; the slot is reused in turn
		t.live--
		return p
	}
	return ProtoUnknown
}
