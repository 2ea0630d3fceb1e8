package flow

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ErrUnknownProtocol is returned (wrapped) by [ParseProtocols] for a name it
// does not know.
var ErrUnknownProtocol = errors.New("unknown protocol")

// IP protocol numbers the meter looks at.
const (
	protoICMP   = 1
	protoTCP    = 6
	protoUDP    = 17
	protoICMPv6 = 58
)

// protocolNames maps the analysis_list names to IP protocol numbers (IANA
// "Assigned Internet Protocol Numbers"). Aliases share a number.
var protocolNames = map[string]uint8{
	"icmp": protoICMP, "igmp": 2, "ipip": 4, "tcp": protoTCP, "egp": 8,
	"udp": protoUDP, "dccp": 33, "rsvp": 46, "gre": 47, "esp": 50, "ah": 51,
	"icmpv6": protoICMPv6, "icmp6": protoICMPv6, "ipv6-icmp": protoICMPv6,
	"eigrp": 88, "ospf": 89, "pim": 103, "vrrp": 112, "l2tp": 115,
	"sctp": 132, "udplite": 136,
}

// allProtocols has every bit set.
var allProtocols = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// ProtocolSet is a set of IP protocol numbers. The zero value means every
// protocol, like an empty analysis_list.
type ProtocolSet struct {
	bits [4]uint64
}

// ParseProtocols builds the set named by an API analysis_list. Names are
// case-insensitive and may carry surrounding spaces; empty names are
// ignored. Besides the protocol names ("tcp", "udp", "icmp", "icmpv6",
// "sctp", "gre", "esp", ...) it accepts "ip", "all" and "any" for every
// protocol, and decimal protocol numbers 0-255. No names at all give the
// zero set (everything). An unknown name gives an error wrapping
// [ErrUnknownProtocol] that lists the valid names.
func ParseProtocols(names []string) (ProtocolSet, error) {
	var s ProtocolSet
	for _, raw := range names {
		name := strings.ToLower(strings.TrimSpace(raw))
		switch name {
		case "":
			continue
		case "ip", "all", "any":
			s.bits = allProtocols
			continue
		}
		if p, ok := protocolNames[name]; ok {
			s.Add(p)
			continue
		}
		if n, err := strconv.ParseUint(name, 10, 8); err == nil {
			s.Add(uint8(n))
			continue
		}
		return ProtocolSet{}, fmt.Errorf("%q (valid: %s, a number 0-255): %w",
			raw, strings.Join(validProtocolNames(), ", "), ErrUnknownProtocol)
	}
	return s, nil
}

func validProtocolNames() []string {
	names := []string{"all", "any", "ip"}
	for n := range protocolNames {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Add puts an IP protocol number in the set.
func (s *ProtocolSet) Add(proto uint8) {
	s.bits[proto>>6] |= 1 << (proto & 63)
}

// Has reports whether proto is in the set. The zero set has every protocol.
func (s ProtocolSet) Has(proto uint8) bool {
	return s.empty() || s.bits[proto>>6]&(1<<(proto&63)) != 0
}

// All reports whether the set holds every protocol.
func (s ProtocolSet) All() bool {
	return s.empty() || s.bits == allProtocols
}

func (s ProtocolSet) empty() bool {
	return s.bits == [4]uint64{}
}

// String lists the set as ParseProtocols accepts it: "all", or the names
// (the shortest alias) and numbers in protocol order, comma-separated.
func (s ProtocolSet) String() string {
	if s.All() {
		return "all"
	}
	var parts []string
	for p := 0; p < 256; p++ {
		if s.Has(uint8(p)) {
			parts = append(parts, protocolName(uint8(p)))
		}
	}
	return strings.Join(parts, ",")
}

// protocolName returns the shortest name of proto, or its number.
func protocolName(proto uint8) string {
	best := ""
	for n, p := range protocolNames {
		if p == proto && (best == "" || len(n) < len(best) || len(n) == len(best) && n < best) {
			best = n
		}
	}
	if best == "" {
		return strconv.Itoa(int(proto))
	}
	return best
}
