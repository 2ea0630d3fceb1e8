package capture

import (
	"fmt"
	"math"
	"math/bits"
)

// Option codes of the Interface Description Block used here.
const (
	optEndOfOpt = 0
	optTSResol  = 9  // if_tsresol: 1 byte
	optTSOffset = 14 // if_tsoffset: signed 64-bit seconds
)

// maxOffset is the largest if_tsoffset, in seconds, whose nanoseconds fit
// in an int64.
const maxOffset = math.MaxInt64 / 1_000_000_000

// pow10 holds 10^0 .. 10^19, every power of ten a uint64 can hold.
var pow10 = [20]uint64{
	1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9,
	1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
}

// iface is one pcapng interface and how to turn its timestamps into time.
type iface struct {
	linkType uint16
	snaplen  uint32 // 0: no limit
	// if_tsresol: with the top bit clear a timestamp unit of 10^-v
	// seconds, with it set 2^-(v&0x7f) seconds.
	tsresol uint8
	mul     uint64 // decimal units of 10^-9 s or longer: ns = ts * mul
	div     uint64 // decimal units shorter than 10^-9 s: ns = ts / div
	offset  int64  // if_tsoffset in nanoseconds
}

// setResolution records if_tsresol v and precomputes its scale. A decimal
// unit below 10^-28 s leaves mul and div zero: every timestamp is then less
// than a nanosecond.
func (c *iface) setResolution(v uint8) {
	c.tsresol, c.mul, c.div = v, 0, 0
	switch {
	case v&0x80 != 0:
	case v <= 9:
		c.mul = pow10[9-v]
	case v <= 28:
		c.div = pow10[v-9]
	}
}

// readOptions reads the IDB options that decide timestamps. The list may
// end with opt_endofopt or simply at the end of the block.
func (c *iface) readOptions(o order, opts []byte) error {
	for len(opts) >= 4 {
		code, n := o.u16(opts), int(o.u16(opts[2:]))
		if code == optEndOfOpt {
			return nil
		}
		if 4+n > len(opts) {
			return fmt.Errorf("option %d of %d bytes overruns the block", code, n)
		}
		val := opts[4 : 4+n]
		switch code {
		case optTSResol:
			if n != 1 {
				return fmt.Errorf("if_tsresol of %d bytes, want 1", n)
			}
			c.setResolution(val[0])
		case optTSOffset:
			if n != 8 {
				return fmt.Errorf("if_tsoffset of %d bytes, want 8", n)
			}
			sec := int64(o.u64(val))
			if sec > maxOffset || sec < -maxOffset {
				return fmt.Errorf("if_tsoffset of %d s is out of range", sec)
			}
			c.offset = sec * 1e9
		}
		opts = opts[min(len(opts), 4+(n+3)&^3):] // values are padded to 32 bits
	}
	return nil
}

// nanos converts a raw timestamp of this interface to nanoseconds since the
// Unix epoch. It reports false when the time does not fit in an int64.
func (c *iface) nanos(ts uint64) (int64, bool) {
	var ns uint64
	switch {
	case c.tsresol&0x80 != 0:
		// ts * 10^9 / 2^k, computed on 128 bits.
		k := uint(c.tsresol & 0x7f)
		hi, lo := bits.Mul64(ts, 1e9)
		if k >= 64 {
			ns = hi >> (k - 64)
		} else if hi>>k != 0 {
			return 0, false
		} else {
			ns = hi<<(64-k) | lo>>k
		}
	case c.div != 0:
		ns = ts / c.div
	default:
		hi, lo := bits.Mul64(ts, c.mul)
		if hi != 0 {
			return 0, false
		}
		ns = lo
	}
	if ns > math.MaxInt64 {
		return 0, false
	}
	t := int64(ns)
	if c.offset > 0 && t > math.MaxInt64-c.offset {
		return 0, false
	}
	// A negative offset cannot underflow: t >= 0 and offset > -2^63.
	return t + c.offset, true
}

// readIDB reads an Interface Description Block into the section.
//
// Of its options only those that decide timestamps are read: if_tsresol
// (a unit of 10^-v or 2^-v seconds, for any v a byte holds, computed
// without losing precision) and if_tsoffset.
func (r *Reader) readIDB(start int64, total int) error {
	name := blockName(blockIDB)
	if total > blockSize {
		return formatErr(start, ErrTooLarge, "%s: total length %d is over the limit of %d",
			name, total, blockSize)
	}
	b, err := r.in.peek(total)
	if err != nil {
		return r.readFault(start, name, len(b), total, err)
	}
	if err := r.checkTrailer(start, blockIDB, total, b[total-4:]); err != nil {
		return err
	}
	body := b[8 : total-4]
	if len(body) < 8 {
		return formatErr(start, ErrMalformed, "%s: body of %d bytes, want at least 8",
			name, len(body))
	}
	if len(r.sec.ifaces) >= MaxInterfaces {
		return formatErr(start, ErrTooLarge, "%s: more than %d interfaces in a section",
			name, MaxInterfaces)
	}
	o := r.sec.order
	ifc := iface{linkType: o.u16(body), snaplen: o.u32(body[4:])}
	ifc.setResolution(6)
	if err := ifc.readOptions(o, body[8:]); err != nil {
		return formatErr(start, ErrMalformed, "%s: %v", name, err)
	}
	_, _ = r.in.skip(total) // cannot fail: the bytes are buffered
	r.sec.ifaces = append(r.sec.ifaces, ifc)
	return nil
}
