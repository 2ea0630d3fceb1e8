package flow

import (
	"net/netip"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
)

// EndReason is the IPFIX flowEndReason (IE 136) of a record.
type EndReason uint8

// Values of flowEndReason, RFC 7011 / IANA.
const (
	EndIdle     EndReason = 1 // idle timeout
	EndActive   EndReason = 2 // active timeout
	EndOfFlow   EndReason = 3 // FIN both ways or RST
	EndForced   EndReason = 4 // input ended or the task was stopped
	EndResource EndReason = 5 // flow table full: exported early
)

// Key identifies a unidirectional flow.
type Key struct {
	Src, Dst         netip.Addr
	SrcPort, DstPort uint16
	Proto            uint8
	VLAN             uint16
}

// Reverse returns the key of the opposite direction.
func (k Key) Reverse() Key {
	return Key{Src: k.Dst, Dst: k.Src, SrcPort: k.DstPort, DstPort: k.SrcPort,
		Proto: k.Proto, VLAN: k.VLAN}
}

// Counters are the per-direction figures of a flow.
type Counters struct {
	Start, End int64 // first and last packet, ns since the epoch (capture clock)
	Packets    uint64
	Octets     uint64 // IP-level octets
	TCPFlags   uint16 // OR of the flags of every packet
}

// App is what DPI learned about a flow; nil on a record when DPI did not
// run. Records of one connection may share an App: it is never written
// once set on a record.
type App struct {
	Name string // nDPI-style protocol name, "Unknown" when nothing matched
	ID   uint32 // applicationId (IE 95) value
	// Meta is what the dissector read (server name, HTTP request, ...),
	// nil when nothing was read.
	Meta *dpi.Meta
}

// Record is one exported flow record. In uniflow mode Rev is zero; in
// biflow mode (RFC 5103) Fwd is the initiator's direction and Rev the
// responder's.
type Record struct {
	Key       Key
	IPVersion uint8
	TOS       uint8
	TTLMin    uint8
	TTLMax    uint8
	Interface uint32
	InnerVLAN uint16
	MPLSTop   uint32
	Fwd       Counters
	Rev       Counters
	Biflow    bool
	EndReason EndReason
	App       *App
	// Tag is the connection's tag ([Table.SetTag]), 0 when it has none.
	Tag uint32
}

// Start returns the time of the record's first packet in either direction.
// A biflow direction without packets (zero counters) is left out.
func (r *Record) Start() int64 {
	switch {
	case r.Rev.Packets == 0:
		return r.Fwd.Start
	case r.Fwd.Packets == 0:
		return r.Rev.Start
	}
	return min(r.Fwd.Start, r.Rev.Start)
}

// End returns the time of the record's last packet in either direction.
func (r *Record) End() int64 {
	switch {
	case r.Rev.Packets == 0:
		return r.Fwd.End
	case r.Fwd.Packets == 0:
		return r.Rev.End
	}
	return max(r.Fwd.End, r.Rev.End)
}
