package ipfix

import (
	"encoding/binary"
	"fmt"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// ClassificationEngine is the RFC 6759 classification engine id of the
// applicationId values the encoder writes: 6, USER-Defined, followed by
// [flow.App.ID] as a 4-byte selector. The ids are our DPI's own, so no
// engine that names a vendor's id space (PANA-L7-PEN, ntop nDPI) fits.
const ClassificationEngine = 6

// protoICMP and protoICMPv6 are the IP protocols whose type and code go
// into icmpTypeCodeIPv4/IPv6.
const (
	protoICMP   = 1
	protoICMPv6 = 58
)

// recordShape returns the template shape of r, or an error wrapping
// ErrRecord when r cannot be encoded.
func recordShape(r *flow.Record) (shape, error) {
	var s shape
	switch src, dst := r.Key.Src, r.Key.Dst; {
	case src.Is4() && dst.Is4():
	case src.Is6() && dst.Is6():
		s |= shapeIPv6
	default:
		return 0, fmt.Errorf("addresses %v and %v: %w", src, dst, ErrRecord)
	}
	if r.Biflow {
		s |= shapeBiflow
	}
	if r.App != nil {
		s |= shapeDPI | shape(metaGroup(r.App.Meta))<<groupShift
	}
	if r.InnerVLAN != 0 {
		s |= shapeQinQ
	}
	if r.MPLSTop != 0 {
		s |= shapeMPLS
	}
	// dateTimeMilliseconds is unsigned: a time before 1970 needs the NTP
	// form, which holds 1900 to 2036 (bug case B22). Never wrap.
	rev := r.Biflow && r.Rev.Packets > 0
	if r.Fwd.Start < 0 || r.Fwd.End < 0 || rev && (r.Rev.Start < 0 || r.Rev.End < 0) {
		s |= shapeNTP
		times := [4]int64{r.Fwd.Start, r.Fwd.End, r.Rev.Start, r.Rev.End}
		n := 2
		if rev {
			n = 4
		}
		for _, ns := range times[:n] {
			if _, ok := ntpFromUnixNano(ns); !ok {
				return 0, fmt.Errorf("flow time %d ns outside 1900-2036: %w", ns, ErrRecord)
			}
		}
	}
	return s, nil
}

// putFlow appends r, of shape s, in the field order of flowFields(s). b
// has the capacity the record needs.
func putFlow(b []byte, s shape, r *flow.Record) []byte {
	k := &r.Key
	icmp := uint16(0)
	if s&shapeIPv6 != 0 {
		src, dst := k.Src.As16(), k.Dst.As16()
		b = append(append(b, src[:]...), dst[:]...)
		if k.Proto == protoICMPv6 {
			icmp = k.DstPort
		}
	} else {
		src, dst := k.Src.As4(), k.Dst.As4()
		b = append(append(b, src[:]...), dst[:]...)
		if k.Proto == protoICMP {
			icmp = k.DstPort
		}
	}
	b = binary.BigEndian.AppendUint16(b, k.SrcPort)
	b = binary.BigEndian.AppendUint16(b, k.DstPort)
	b = append(b, k.Proto)
	b = binary.BigEndian.AppendUint16(b, r.Fwd.TCPFlags)
	b = append(b, r.TOS, r.TTLMin, r.TTLMax)
	b = binary.BigEndian.AppendUint64(b, r.Fwd.Octets)
	b = binary.BigEndian.AppendUint64(b, r.Fwd.Packets)
	b = appendTimes(b, s, &r.Fwd)
	b = append(b, uint8(r.EndReason))
	b = binary.BigEndian.AppendUint16(b, k.VLAN)
	b = binary.BigEndian.AppendUint32(b, r.Interface)
	b = binary.BigEndian.AppendUint16(b, icmp)
	if s&shapeQinQ != 0 {
		b = binary.BigEndian.AppendUint16(b, r.InnerVLAN)
	}
	if s&shapeMPLS != 0 {
		// MPLSTop holds label<<4 | tc<<1 | s: the 3 octets of IE 70.
		b = append(b, byte(r.MPLSTop>>16), byte(r.MPLSTop>>8), byte(r.MPLSTop))
	}
	if s&shapeBiflow != 0 {
		b = binary.BigEndian.AppendUint64(b, r.Rev.Octets)
		b = binary.BigEndian.AppendUint64(b, r.Rev.Packets)
		b = binary.BigEndian.AppendUint16(b, r.Rev.TCPFlags)
		if r.Rev.Packets > 0 {
			b = appendTimes(b, s, &r.Rev)
		} else {
			// No reverse packets, no reverse times: zero says so.
			b = binary.BigEndian.AppendUint64(b, 0)
			b = binary.BigEndian.AppendUint64(b, 0)
		}
	}
	if s&shapeDPI != 0 {
		b = append(b, ClassificationEngine)
		b = binary.BigEndian.AppendUint32(b, r.App.ID)
		b = appendVarLen(b, r.App.Name)
		b = putMeta(b, s.group(), r.App.Meta)
	}
	return b
}

// appendTimes appends the start and end of c in the time form of s;
// recordShape has checked that they fit it.
func appendTimes(b []byte, s shape, c *flow.Counters) []byte {
	if s&shapeNTP != 0 {
		start, _ := ntpFromUnixNano(c.Start)
		end, _ := ntpFromUnixNano(c.End)
		return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, start), end)
	}
	start, _ := millisFromUnixNano(c.Start)
	end, _ := millisFromUnixNano(c.End)
	return binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(b, start), end)
}
