package packet

import (
	"errors"
	"fmt"
)

// Sentinel errors wrapped by every [*DecodeError]; test with errors.Is.
var (
	// ErrNotIP means the frame is well formed but carries no IP packet
	// (ARP, LLDP, PPP control traffic, an address family that is not IP).
	ErrNotIP = errors.New("not an ip packet")
	// ErrTruncated means the capture ends before a header the decoder
	// needs (the link header, or the fixed IPv4/IPv6 header).
	ErrTruncated = errors.New("truncated")
	// ErrUnsupportedLink means the decoder does not know the link type.
	ErrUnsupportedLink = errors.New("unsupported link type")
	// ErrMalformed means a header holds impossible values (wrong IP
	// version, IHL below 5, a total length shorter than the header, a
	// header chain longer than the decoder follows).
	ErrMalformed = errors.New("malformed header")
)

// Layer names the header a [DecodeError] happened in.
type Layer uint8

// The layers a decode error can name.
const (
	LayerLink     Layer = iota // the link type itself
	LayerEthernet              // Ethernet II or 802.3 header
	LayerLLC                   // 802.2 LLC/SNAP header
	LayerVLAN                  // 802.1Q / 802.1ad tag
	LayerMPLS                  // MPLS label stack entry
	LayerPPPoE                 // PPPoE session header
	LayerPPP                   // PPP protocol field
	LayerSLL                   // Linux cooked header v1
	LayerSLL2                  // Linux cooked header v2
	LayerLoopback              // BSD NULL/LOOP address family
	LayerCHDLC                 // Cisco HDLC header
	LayerIPv4                  // IPv4 header
	LayerIPv6                  // IPv6 fixed header
	LayerIPv6Ext               // IPv6 extension header
)

var layerNames = [...]string{
	LayerLink:     "link",
	LayerEthernet: "ethernet",
	LayerLLC:      "llc",
	LayerVLAN:     "vlan",
	LayerMPLS:     "mpls",
	LayerPPPoE:    "pppoe",
	LayerPPP:      "ppp",
	LayerSLL:      "linux sll",
	LayerSLL2:     "linux sll2",
	LayerLoopback: "loopback",
	LayerCHDLC:    "cisco hdlc",
	LayerIPv4:     "ipv4",
	LayerIPv6:     "ipv6",
	LayerIPv6Ext:  "ipv6 extension header",
}

// String returns the lowercase name of the layer.
func (l Layer) String() string {
	if int(l) < len(layerNames) {
		return layerNames[l]
	}
	return fmt.Sprintf("layer(%d)", uint8(l))
}

// DecodeError says why a frame yielded no packet and where. Err is one of
// the sentinels above. [Decoder.Decode] returns a pointer into the Decoder,
// overwritten by its next call: copy the value (de := *err) to keep it.
type DecodeError struct {
	Layer    Layer
	Offset   int    // byte offset of the failing header or field in the frame
	LinkType uint16 // link type the frame was decoded as
	// Value is the protocol value that could not be followed when Err is
	// ErrNotIP or ErrUnsupportedLink: an EtherType, PPP protocol, address
	// family or link type.
	Value uint32
	Err   error
}

// Error describes the failure in one lowercase line.
func (e *DecodeError) Error() string {
	switch e.Err {
	case ErrNotIP, ErrUnsupportedLink:
		return fmt.Sprintf("decode %s at offset %d: %v (0x%04x)",
			e.Layer, e.Offset, e.Err, e.Value)
	}
	return fmt.Sprintf("decode %s at offset %d: %v", e.Layer, e.Offset, e.Err)
}

// Unwrap returns the sentinel.
func (e *DecodeError) Unwrap() error { return e.Err }
