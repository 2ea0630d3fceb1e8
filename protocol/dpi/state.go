package dpi

// Shapes of State shared by dissectors.

// inspectFunc is a [State] without per-flow data: dissectors whose
// verdict needs nothing but the data at hand share one value among all
// sessions, so their Start costs no allocation.
type inspectFunc func(in *Input, res *Result) Status

// Inspect calls f.
func (f inspectFunc) Inspect(in *Input, res *Result) Status { return f(in, res) }

// reuse returns a zero T for a dissector's Start to fill in: the state
// the same dissector had for the session's previous flow, when it is a
// *T the session no longer uses (see [Session.Reset]), else a new one. So
// a session that is reused allocates no new states. A dissector that
// hands out a shared *T (rather than a shared inspectFunc) must not make
// its other states with reuse[T].
func reuse[T any, P interface {
	*T
	State
}](info *FlowInfo) P {
	if p, ok := info.prev.(P); ok {
		info.prev = nil
		var zero T
		*p = zero
		return p
	}
	return P(new(T))
}

// data returns what a dissector reads at this call: the datagram for UDP,
// the reassembled stream of the packet's direction for TCP.
func (in *Input) data() []byte {
	if in.Flow.IPProto == IPProtoTCP {
		return in.Stream[in.Dir]
	}
	return in.Payload
}

// sideCheck looks for a protocol's signature at the start of b, the data
// of one direction (see [Input.data]).
type sideCheck func(in *Input, b []byte, res *Result) Status

// eitherSide is the State of dissectors whose signature may open either
// direction of a flow: a capture that begins in the middle of a
// connection may show junk on one side and a clean reply on the other.
// The flow is rejected once both sides were.
type eitherSide struct {
	check  sideCheck
	failed [2]bool
}

func newEitherSide(info *FlowInfo, c sideCheck) State {
	s := reuse[eitherSide](info)
	s.check = c
	return s
}

func (s *eitherSide) Inspect(in *Input, res *Result) Status {
	if s.failed[in.Dir] {
		return Continue
	}
	st := s.check(in, in.data(), res)
	if st != Reject {
		return st
	}
	s.failed[in.Dir] = true
	if s.failed[in.Dir^1] {
		return Reject
	}
	return Continue
}

// onPort reports whether either end of the flow uses one of ports.
func onPort(info *FlowInfo, ports ...uint16) bool {
	for _, p := range ports {
		if info.Initiator.Port() == p || info.Responder.Port() == p {
			return true
		}
	}
	return false
}
