package dpi

import (
	"errors"
	"fmt"
	"sync"
)

// Transport is a set of transports a dissector reads.
type Transport uint8

// Transports.
const (
	TCP Transport = 1 << iota
	UDP
)

// Status is a dissector's answer after it looked at a flow's data.
type Status uint8

// Statuses, from "no idea yet" to "done".
const (
	// Continue: the data does not tell yet; call again when there is more.
	Continue Status = iota
	// Reject: the flow is not of this protocol; the dissector is not
	// called again for it.
	Reject
	// Match: the flow is of this protocol and the dissector has set the
	// [Result]. The other dissectors are dropped; this one is called again
	// as data comes, to complete the metadata.
	Match
	// Final: the flow is of this protocol and there is nothing more to
	// read. The session is done.
	Final
)

// Dissector describes the recogniser of one protocol. A Dissector is a
// plain value, shared by every session of a [Registry]; the per-flow state
// lives in the [State] its Start returns.
//
// Adding a dissector is writing a file with a function that returns its
// Dissector and listing that function in [Builtins] (or passing the value
// to [NewRegistry]).
type Dissector struct {
	// Name identifies the dissector; it is unique in a Registry.
	Name string
	// Proto is the protocol the dissector usually reports. With TCPPorts
	// and UDPPorts it is the port-based guess for flows no dissector
	// recognised.
	Proto Proto
	// Transports says which transports the dissector reads.
	Transports Transport
	// TCPPorts and UDPPorts are the well-known server ports of Proto, used
	// only for guesses ([Verdict.Guess]); dissectors never rely on them.
	TCPPorts, UDPPorts []uint16
	// Announces says the dissector may report flows that its flow
	// announces ([Result.Expect]), as FTP control does for its data
	// connections. A caller that waits for announcements waits only for
	// sessions in which such a dissector is still in the running
	// ([Session.Announcing]).
	Announces bool
	// Start returns the dissector's state for a new flow, or nil when the
	// flow cannot be of this protocol. It is called at most once per flow
	// (again if a TCP stream turns out to start earlier than first seen),
	// when the flow first needs the dissector: not at all when an earlier
	// dissector settles the flow first. Its answer must depend on the
	// FlowInfo alone. A stateless dissector returns a shared value and
	// costs no allocation.
	Start func(info *FlowInfo) State
}

// State is a dissector's view of one flow.
type State interface {
	// Inspect looks at the flow after new data came in and says what it
	// makes of it. It may write res only when it returns Match or Final.
	// Inspect must not keep in.Payload or in.Stream beyond the call; they
	// alias buffers that change. A panic is not recovered: it reaches the
	// caller of [Session.Add].
	Inspect(in *Input, res *Result) Status
}

// Input is what a dissector sees at each call. The Session reuses it.
type Input struct {
	Flow *FlowInfo
	// Dir is the direction of the packet that brought the new data.
	Dir  Dir
	Time int64 // capture time of that packet, ns since the epoch
	// Payload is that packet's payload. For UDP it is the datagram; for
	// TCP the segment as captured, which may be out of order, repeated or
	// not yet contiguous with the stream.
	Payload []byte
	// Stream holds, for TCP, each direction's bytes reassembled in order
	// from the start of the stream (the byte after the SYN, or the
	// earliest byte seen), up to [MaxStreamBytes]. Nil for UDP. A TCP
	// dissector is called only when Stream[Dir] grew.
	Stream [2][]byte
	// Packets counts the packets with payload seen in each direction, this
	// one included.
	Packets [2]int
}

// Result collects a dissector's verdict in a [Session].
type Result struct {
	proto  Proto
	app    Proto
	meta   *Meta
	shared bool // meta was handed out: copy it before writing
	expect []Expectation
}

// Set records the protocol of the flow.
func (r *Result) Set(p Proto) { r.proto = p }

// SetApp records the application nDPI names after the protocol
// ([Verdict.App]).
func (r *Result) SetApp(p Proto) { r.app = p }

// Proto returns the protocol recorded so far.
func (r *Result) Proto() Proto { return r.proto }

// Meta returns the flow's metadata for writing, creating it on first use.
// Metadata already handed out in a [Verdict] is never changed: Meta gives
// a fresh copy to write instead.
func (r *Result) Meta() *Meta {
	switch {
	case r.meta == nil:
		r.meta = new(Meta)
	case r.shared:
		r.meta = r.meta.clone()
	}
	r.shared = false
	return r.meta
}

// Registry is an immutable set of dissectors. It is safe for concurrent
// use: every [Session] of every goroutine may share one.
type Registry struct {
	all       []Dissector
	tcp       []int // indexes into all, in order
	udp       []int
	guess     map[uint32]Proto // transport<<16 | port
	announces Transport        // transports some dissector announcing flows reads
}

// Errors of [NewRegistry].
var (
	ErrDissector = errors.New("invalid dissector")
	ErrDuplicate = errors.New("duplicate dissector name")
)

// maxDissectors bounds a registry, so indexes fit a uint16.
const maxDissectors = 1 << 12

// NewRegistry returns a registry of ds, tried in that order: when two
// dissectors match the same packet, the earlier one wins. Each needs a
// name, a transport and a Start function; names must be unique. A port
// guessed by two dissectors goes to the earlier one.
func NewRegistry(ds ...Dissector) (*Registry, error) {
	if len(ds) > maxDissectors {
		return nil, fmt.Errorf("%d dissectors, at most %d: %w", len(ds), maxDissectors, ErrDissector)
	}
	r := &Registry{all: append([]Dissector(nil), ds...), guess: map[uint32]Proto{}}
	names := make(map[string]bool, len(ds))
	for i, d := range r.all {
		switch {
		case d.Name == "":
			return nil, fmt.Errorf("dissector %d has no name: %w", i, ErrDissector)
		case d.Start == nil || d.Transports&(TCP|UDP) == 0:
			return nil, fmt.Errorf("dissector %q: no Start or no transport: %w", d.Name, ErrDissector)
		case names[d.Name]:
			return nil, fmt.Errorf("dissector %q: %w", d.Name, ErrDuplicate)
		}
		names[d.Name] = true
		if d.Transports&TCP != 0 {
			r.tcp = append(r.tcp, i)
		}
		if d.Transports&UDP != 0 {
			r.udp = append(r.udp, i)
		}
		if d.Announces {
			r.announces |= d.Transports
		}
		r.addGuesses(TCP, d.TCPPorts, d.Proto)
		r.addGuesses(UDP, d.UDPPorts, d.Proto)
	}
	return r, nil
}

func (r *Registry) addGuesses(t Transport, ports []uint16, p Proto) {
	for _, port := range ports {
		k := uint32(t)<<16 | uint32(port)
		if _, ok := r.guess[k]; !ok && p != ProtoUnknown {
			r.guess[k] = p
		}
	}
}

// Dissectors returns a copy of the registry's dissectors, in order.
func (r *Registry) Dissectors() []Dissector {
	return append([]Dissector(nil), r.all...)
}

// Announces reports whether a session of a flow of the IP protocol
// ipProto (6 TCP, 17 UDP) may announce other flows: whether one of the
// registry's dissectors that read that transport has
// [Dissector.Announces].
func (r *Registry) Announces(ipProto uint8) bool {
	switch ipProto {
	case IPProtoTCP:
		return r.announces&TCP != 0
	case IPProtoUDP:
		return r.announces&UDP != 0
	}
	return false
}

// guessPort returns the protocol guessed for a server port, if any.
func (r *Registry) guessPort(t Transport, port uint16) (Proto, bool) {
	p, ok := r.guess[uint32(t)<<16|uint32(port)]
	return p, ok
}

var (
	defaultOnce sync.Once
	defaultReg  *Registry
)

// DefaultRegistry returns the registry of every built-in dissector
// ([Builtins]), built once.
func DefaultRegistry() *Registry {
	defaultOnce.Do(func() {
		r, err := NewRegistry(Builtins()...)
		if err != nil {
			panic("dpi: built-in dissectors: " + err.Error())
		}
		defaultReg = r
	})
	return defaultReg
}
