package capture

import (
	"encoding/binary"
	"fmt"
	"io"
)

// pcapng block types this package reads; every other block is skipped.
const (
	blockSHB = 0x0a0d0d0a // Section Header Block; the same in both orders
	blockIDB = 1          // Interface Description Block
	blockPB  = 2          // Packet Block (obsolete)
	blockSPB = 3          // Simple Packet Block
	blockEPB = 6          // Enhanced Packet Block
)

const (
	byteOrderMagic = 0x1a2b3c4d
	minBlockLen    = 12 // type, total length, trailing total length
	minSHBLen      = 28 // plus byte-order magic, version, section length
)

// section is the state of the pcapng section being read.
type section struct {
	order  order
	index  uint32
	skip   bool // major version other than 1: skip to the next section
	ifaces []iface
}

// openPcapng reads the Section Header Block that starts the file.
func (r *Reader) openPcapng() error {
	h, err := r.in.peek(12)
	if err != nil {
		return r.readFault(0, "section header block", len(h), minSHBLen, err)
	}
	if bom := binary.LittleEndian.Uint32(h[8:]); bom != byteOrderMagic &&
		bom != 0x4d3c2b1a {
		return formatErr(0, ErrNotCapture,
			"pcapng magic number without a byte-order magic (% x)", h[8:12])
	}
	_, total, err := r.blockHeader(0)
	if err != nil {
		return err
	}
	return r.readSHB(0, total)
}

// nextBlock reads blocks until one holds a packet, and reads it into f.
func (r *Reader) nextBlock(f *Frame) error {
	for {
		start := r.in.off
		typ, total, err := r.blockHeader(start)
		if err != nil {
			return err
		}
		switch {
		case typ == blockSHB:
			err = r.readSHB(start, total)
		case r.sec.skip:
			err = r.skipBlock(start, typ, total)
		case typ == blockIDB:
			err = r.readIDB(start, total)
		case typ == blockEPB, typ == blockPB, typ == blockSPB:
			return r.readPacket(f, start, typ, total)
		default:
			err = r.skipBlock(start, typ, total)
		}
		if err != nil {
			return err
		}
	}
}

// blockHeader peeks at the type and total length of the block at start and
// checks the length. A Section Header Block sets the section's byte order.
func (r *Reader) blockHeader(start int64) (typ uint32, total int, err error) {
	h, err := r.in.peek(8)
	if err == io.EOF {
		return 0, 0, io.EOF
	}
	if err != nil {
		return 0, 0, r.readFault(start, "block header", len(h), 8, err)
	}
	typ, minLen := r.sec.order.u32(h), uint32(minBlockLen)
	if typ == blockSHB {
		if h, err = r.in.peek(12); err != nil {
			return 0, 0, r.readFault(start, "section header block", len(h), minSHBLen, err)
		}
		switch binary.LittleEndian.Uint32(h[8:]) {
		case byteOrderMagic:
			r.sec.order = order{}
		case 0x4d3c2b1a:
			r.sec.order = order{big: true}
		default:
			return 0, 0, formatErr(start, ErrMalformed,
				"section header block: unknown byte-order magic % x", h[8:12])
		}
		minLen = minSHBLen
	}

	n := r.sec.order.u32(h[4:])
	switch {
	case n < minLen:
		return 0, 0, formatErr(start, ErrMalformed,
			"%s: total length %d is below the minimum of %d", blockName(typ), n, minLen)
	case n%4 != 0:
		return 0, 0, formatErr(start, ErrMalformed,
			"%s: total length %d is not a multiple of 4", blockName(typ), n)
	case n > MaxRecordLen:
		return 0, 0, formatErr(start, ErrTooLarge,
			"%s: total length %d is over the limit of %d", blockName(typ), n, MaxRecordLen)
	}
	return typ, int(n), nil
}

// checkTrailer compares the trailing total length b with the leading one.
func (r *Reader) checkTrailer(start int64, typ uint32, total int, b []byte) error {
	if n := r.sec.order.u32(b); n != uint32(total) {
		return formatErr(start, ErrMalformed,
			"%s: trailing total length %d differs from the leading %d",
			blockName(typ), n, total)
	}
	return nil
}

// readSHB reads a Section Header Block and starts a new section. A
// section whose major version is not 1 is skipped.
func (r *Reader) readSHB(start int64, total int) error {
	h, err := r.in.peek(16) // through the major and minor version
	if err != nil {
		return r.readFault(start, blockName(blockSHB), len(h), total, err)
	}
	major := r.sec.order.u16(h[12:])
	if err := r.skipBlock(start, blockSHB, total); err != nil {
		return err
	}
	r.sec.index, r.nsec = r.nsec, r.nsec+1
	r.sec.skip = major != 1
	r.sec.ifaces = r.sec.ifaces[:0]
	return nil
}

// skipBlock consumes what is left of the block of total bytes at start
// and checks its trailing total length.
func (r *Reader) skipBlock(start int64, typ uint32, total int) error {
	rest := total - int(r.in.off-start)
	if rest > 4 {
		if n, err := r.in.skip(rest - 4); err != nil {
			return r.readFault(start, blockName(typ), total-rest+n, total, err)
		}
	}
	b, err := r.in.peek(4)
	if err != nil {
		return r.readFault(start, blockName(typ), total-4+len(b), total, err)
	}
	_, _ = r.in.skip(4)
	return r.checkTrailer(start, typ, total, b)
}

// blockName names a block type in error messages.
func blockName(typ uint32) string {
	switch typ {
	case blockSHB:
		return "section header block"
	case blockIDB:
		return "interface description block"
	case blockPB:
		return "packet block"
	case blockSPB:
		return "simple packet block"
	case blockEPB:
		return "enhanced packet block"
	}
	return fmt.Sprintf("block type %#08x", typ)
}
