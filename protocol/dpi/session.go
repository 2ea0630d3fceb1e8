package dpi

import "net/netip"

// DefaultBudget is the number of packets with payload a Session inspects
// when [Config.Budget] is 0: nDPI's default per-flow limit.
const DefaultBudget = 32

// Config sets up sessions. Its zero value means the defaults.
type Config struct {
	// Budget is how many packets with payload a Session looks at before it
	// gives up. 0 means DefaultBudget.
	Budget int
	// Registry is the set of dissectors tried. nil means DefaultRegistry.
	Registry *Registry
}

// IP protocol numbers of the transports dissectors read.
const (
	IPProtoTCP = 6
	IPProtoUDP = 17
)

// FlowInfo describes the flow a Session classifies.
type FlowInfo struct {
	// IPProto is the IP protocol (6 TCP, 17 UDP, ...). Sessions of other
	// protocols inspect nothing and give the zero Verdict.
	IPProto uint8
	// Initiator is the side the flow table calls forward (for TCP, the
	// side that sent the SYN); Responder is the other side.
	Initiator, Responder netip.AddrPort
	// Expected is the protocol another flow's session announced this flow
	// as ([Expectation]), ProtoUnknown when none did. The caller sets it;
	// dissectors trust it, so it must come from an [Expectation] that
	// [Expectation.Matches] this flow.
	Expected Proto

	// prev is set by the Session for the Start of one dissector: that
	// dissector's state from the session's previous flow, for reuse.
	prev State
}

// Dir is the direction of a segment.
type Dir uint8

// Directions.
const (
	FromInitiator Dir = 0
	FromResponder Dir = 1
)

// TCP flag bits of [Segment.Flags], as in the TCP header.
const (
	FlagFIN = 0x01
	FlagSYN = 0x02
	FlagRST = 0x04
)

// Segment is one packet of the flow, as [Session.Add] takes it.
type Segment struct {
	Dir  Dir
	Time int64 // capture time, ns since the Unix epoch
	// Seq is the TCP sequence number of the segment (of its SYN when Flags
	// has FlagSYN); ignored for other transports.
	Seq uint32
	// Flags holds the TCP flags (FlagSYN, FlagFIN, FlagRST; other bits are
	// ignored).
	Flags uint8
	// Payload is the transport payload. The Session copies what it keeps,
	// so the caller may reuse the buffer once Add returns.
	Payload []byte
}

// candidate is a dissector still in the running for a flow.
type candidate struct {
	idx   uint16 // into Registry.all
	state State  // nil until the candidate is first needed (Session.begin)
}

// Session classifies one flow. It is fed the flow's packets in capture
// order with [Session.Add] and says what it found with [Session.Verdict].
// Its memory is a few hundred bytes plus, for TCP, the reassembled start
// of each direction (at most [MaxStreamBytes] each, grown only as data
// comes); once the session is done it holds nothing of the flow but the
// verdict, and keeps that memory only for [Session.Reset].
//
// A Session is not safe for concurrent use. It never recovers a panic of
// a dissector: the panic reaches the caller of Add.
type Session struct {
	reg       *Registry
	info      FlowInfo
	transport Transport
	budget    int
	seen      int // packets with payload
	done      bool
	matched   bool // cands holds just the dissector that matched
	cands     []candidate
	prev      []State    // by registry index: states no candidate uses, for reuse
	streams   *[2]stream // TCP only, made at the first segment
	spare     *[2]stream // streams of an earlier flow, for reuse
	in        Input
	res       Result
}

// NewSession returns a session for a flow described by info.
func NewSession(cfg Config, info FlowInfo) *Session {
	s := new(Session)
	s.Reset(cfg, info)
	return s
}

// Reset makes s a session for a new flow described by info, as
// NewSession would return it, keeping the memory s had for its candidate
// list and TCP streams. Whatever s handed out before (the Meta of its
// verdict, its expectations) stays as it is. A caller that classifies
// many flows one after the other may so keep a few sessions and reuse
// them; a session whose dissector panicked must not be reused.
func (s *Session) Reset(cfg Config, info FlowInfo) {
	s.drop(0)
	spare := s.streams
	if spare == nil {
		spare = s.spare
	}
	reg := cfg.Registry
	if reg == nil {
		reg = DefaultRegistry()
	}
	prev := s.prev
	if reg != s.reg {
		prev = nil
	}
	info.prev = nil
	*s = Session{reg: reg, info: info, budget: cfg.Budget, cands: s.cands[:0],
		prev: prev, spare: spare}
	if s.budget <= 0 {
		s.budget = DefaultBudget
	}
	switch info.IPProto {
	case IPProtoTCP:
		s.transport = TCP
	case IPProtoUDP:
		s.transport = UDP
	default:
		s.done = true // nothing to dissect
		return
	}
	s.in.Flow = &s.info
	s.start()
}

// start (re)makes the candidate list from the registry. A candidate's
// state is made when the candidate is first needed (begin): most flows
// are settled by one of the first dissectors, and the others are then
// never started. Start depends on the flow alone, so when it is called
// changes nothing.
func (s *Session) start() {
	idx := s.reg.tcp
	if s.transport == UDP {
		idx = s.reg.udp
	}
	s.drop(0)
	if cap(s.cands) < len(idx) {
		s.cands = make([]candidate, 0, len(idx))
	}
	if len(s.prev) != len(s.reg.all) {
		s.prev = make([]State, len(s.reg.all))
	}
	for _, i := range idx {
		s.cands = append(s.cands, candidate{idx: uint16(i)})
	}
}

// begin starts candidate i, which was not started. When its dissector's
// Start says the flow cannot be of its protocol, the candidate is taken
// out (the next one is then at i) and begin reports false.
func (s *Session) begin(i int) bool {
	if s.startState(&s.cands[i]) {
		return true
	}
	n := len(s.cands) - 1
	copy(s.cands[i:], s.cands[i+1:])
	s.cands[n] = candidate{}
	s.cands = s.cands[:n]
	return false
}

// startState makes the state of candidate c, not started, with its
// dissector's Start, and reports whether there is one.
func (s *Session) startState(c *candidate) bool {
	s.info.prev = s.prev[c.idx]
	c.state = s.reg.all[c.idx].Start(&s.info)
	s.prev[c.idx], s.info.prev = s.info.prev, nil // nil when Start took it
	return c.state != nil
}

// exhausted reports whether no candidate is left, starting candidates in
// order until one is.
func (s *Session) exhausted() bool {
	for len(s.cands) > 0 {
		if s.cands[0].state != nil || s.begin(0) {
			return false
		}
	}
	return true
}

// drop ends the candidates from index i on, keeping the states of those
// that were started for the next Start of their dissectors.
func (s *Session) drop(i int) {
	for _, c := range s.cands[i:] {
		s.keepState(c)
	}
	clear(s.cands[i:])
	s.cands = s.cands[:i]
}

// keepState keeps the state of c, which drops out, for the next Start of
// its dissector.
func (s *Session) keepState(c candidate) {
	if c.state != nil && int(c.idx) < len(s.prev) {
		s.prev[c.idx] = c.state
	}
}

// Add feeds the session one packet of the flow and reports whether the
// session is done: the verdict is sure, the budget of packets with payload
// is spent, or no dissector can match any more. Once done, Add ignores
// its input and returns true.
func (s *Session) Add(seg *Segment) (done bool) {
	if s.done {
		return true
	}
	dir := seg.Dir & 1
	if s.transport == TCP {
		return s.addTCP(seg, dir)
	}
	if len(seg.Payload) == 0 {
		return false
	}
	s.count(dir)
	s.in.Payload = seg.Payload
	s.inspect(dir, seg.Time)
	return s.afterPacket()
}

func (s *Session) addTCP(seg *Segment, dir Dir) bool {
	if s.streams == nil {
		s.streams = s.spare
		if s.streams == nil {
			s.streams = new([2]stream)
		}
		s.spare = nil
		s.streams[0].reset()
		s.streams[1].reset()
	}
	st := &s.streams[dir]
	seq, rebased := seg.Seq, false
	if seg.Flags&FlagSYN != 0 {
		rebased = st.synSeen(seq)
		seq++ // data on a SYN starts after it
	}
	if len(seg.Payload) == 0 {
		if rebased && !s.matched {
			s.start()
		}
		return false
	}
	s.count(dir)
	grew, moved := st.add(seq, seg.Payload)
	if (rebased || moved) && !s.matched {
		// The stream starts earlier than thought: what dissectors rejected
		// was not its start, so every one gets another look.
		s.start()
	}
	if grew {
		s.in.Payload = seg.Payload
		s.in.Stream = [2][]byte{s.streams[0].data, s.streams[1].data}
		s.inspect(dir, seg.Time)
	}
	if !s.done && s.matched && s.streams[0].full() && s.streams[1].full() {
		s.finish() // nothing more can be read
	}
	return s.afterPacket()
}

func (s *Session) count(dir Dir) {
	s.seen++
	s.in.Packets[dir]++
}

// afterPacket ends the session when the budget is spent or, when no TCP
// stream may still move its start, no candidate is left.
func (s *Session) afterPacket() bool {
	if !s.done && (s.seen >= s.budget || !s.mayRebase() && s.exhausted()) {
		s.finish()
	}
	s.in.Payload, s.in.Stream = nil, [2][]byte{}
	return s.done
}

// mayRebase reports whether a TCP stream could still turn out to start
// earlier than its first byte seen (no SYN was seen for it).
func (s *Session) mayRebase() bool {
	return s.streams != nil && (!s.streams[0].syn || !s.streams[1].syn)
}

// inspect runs the candidates over the new data of dir. Those still in
// the running are moved down over those that drop out in one pass.
func (s *Session) inspect(dir Dir, t int64) {
	s.in.Dir, s.in.Time = dir, t
	kept := 0
	for i := range s.cands {
		c := &s.cands[i]
		if c.state == nil && !s.startState(c) {
			continue // its dissector's Start ruled the flow out
		}
		switch c.state.Inspect(&s.in, &s.res) {
		case Continue:
			s.cands[kept] = *c
			kept++
		case Reject:
			if s.matched {
				s.finish() // the match stands; its dissector has no more to say
				return
			}
			s.keepState(*c)
		case Match:
			win := *c
			s.cands[i] = candidate{}
			s.drop(0) // the others; the slots already moved hold duplicates
			s.cands = append(s.cands, win)
			s.matched = true
			return
		case Final:
			s.finish()
			return
		}
	}
	clear(s.cands[kept:])
	s.cands = s.cands[:kept]
}

// finish marks the session done and drops all but the result. The
// memory of the candidate list and the streams is kept, without what it
// held, for a [Session.Reset].
func (s *Session) finish() {
	s.done = true
	s.drop(0)
	if s.streams != nil {
		s.spare, s.streams = s.streams, nil
		s.spare[0].reset()
		s.spare[1].reset()
	}
	s.in = Input{}
}

// Done reports whether the session has finished.
func (s *Session) Done() bool { return s.done }

// Verdict returns the best verdict so far: the protocol a dissector
// matched with its metadata, else a port-based guess marked as such, else
// Unknown. It may be called at any time; the Meta it returns is never
// changed afterwards.
func (s *Session) Verdict() Verdict {
	if s.res.proto != ProtoUnknown {
		s.res.shared = s.res.meta != nil
		return Verdict{Proto: s.res.proto, App: s.res.app, Meta: s.res.meta}
	}
	if s.transport == 0 {
		return Verdict{}
	}
	if p, ok := s.reg.guessPort(s.transport, s.info.Responder.Port()); ok {
		return Verdict{Proto: p, Guess: true}
	}
	if p, ok := s.reg.guessPort(s.transport, s.info.Initiator.Port()); ok {
		return Verdict{Proto: p, Guess: true}
	}
	return Verdict{}
}
