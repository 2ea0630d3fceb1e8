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

// readBlock reads the whole block at start and returns its body, the bytes
// between the leading and the trailing total length.
func (r *Reader) readBlock(start int64, typ uint32, total int) ([]byte, error) {
	b, err := r.in.read(total)
	if err != nil {
		return nil, r.readFault(start, blockName(typ), len(b), total, err)
	}
	if err := r.checkTrailer(start, typ, total, b[total-4:]); err != nil {
		return nil, err
	}
	return b[8 : total-4], nil
}

// skipBlock consumes a block this package does not read.
func (r *Reader) skipBlock(start int64, typ uint32, total int) error {
	n, err := r.in.skip(total - 4)
	if err == nil {
		var b []byte
		b, err = r.in.read(4)
		n += len(b)
		if err == nil {
			return r.checkTrailer(start, typ, total, b)
		}
	}
	return r.readFault(start, blockName(typ), n, total, shortErr(n, err))
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

// readSHB reads a Section Header Block and starts a new section.
func (r *Reader) readSHB(start int64, total int) error {
	body, err := r.readBlock(start, blockSHB, total)
	if err != nil {
		return err
	}
	r.sec.index, r.nsec = r.nsec, r.nsec+1
	r.sec.skip = r.sec.order.u16(body[4:]) != 1 // body[6:8] is the minor version
	r.sec.ifaces = r.sec.ifaces[:0]
	return nil
}

// readIDB reads an Interface Description Block into the section.
func (r *Reader) readIDB(start int64, total int) error {
	body, err := r.readBlock(start, blockIDB, total)
	if err != nil {
		return err
	}
	if len(body) < 8 {
		return formatErr(start, ErrMalformed,
			"interface description block: body of %d bytes, want at least 8", len(body))
	}
	if len(r.sec.ifaces) >= MaxInterfaces {
		return formatErr(start, ErrTooLarge,
			"interface description block: more than %d interfaces in a section", MaxInterfaces)
	}
	o := r.sec.order
	ifc := iface{linkType: o.u16(body), snaplen: o.u32(body[4:])}
	ifc.setResolution(6)
	if err := ifc.readOptions(o, body[8:]); err != nil {
		return formatErr(start, ErrMalformed, "interface description block: %v", err)
	}
	r.sec.ifaces = append(r.sec.ifaces, ifc)
	return nil
}

// readPacket reads an Enhanced, Simple or obsolete Packet Block into f.
func (r *Reader) readPacket(f *Frame, start int64, typ uint32, total int) error {
	body, err := r.readBlock(start, typ, total)
	if err != nil {
		return err
	}
	o, name := r.sec.order, blockName(typ)
	var id, capLen, origLen uint32
	var ts uint64
	var data []byte
	switch typ {
	case blockSPB:
		if len(body) < 4 {
			return formatErr(start, ErrMalformed, "%s: body of %d bytes, want at least 4",
				name, len(body))
		}
		origLen, data = o.u32(body), body[4:]
		capLen = min(origLen, uint32(len(data)))
		if len(r.sec.ifaces) > 0 && r.sec.ifaces[0].snaplen != 0 {
			capLen = min(capLen, r.sec.ifaces[0].snaplen)
		}
	default:
		// The Packet Block has a 16-bit interface id and a 16-bit drop
		// count where the Enhanced Packet Block has a 32-bit id.
		if len(body) < 20 {
			return formatErr(start, ErrMalformed, "%s: body of %d bytes, want at least 20",
				name, len(body))
		}
		id = o.u32(body)
		if typ == blockPB {
			id = uint32(o.u16(body))
		}
		ts = uint64(o.u32(body[4:]))<<32 | uint64(o.u32(body[8:]))
		capLen, origLen, data = o.u32(body[12:]), o.u32(body[16:]), body[20:]
	}

	if id >= uint32(len(r.sec.ifaces)) {
		return formatErr(start, ErrMalformed,
			"%s: interface %d is not described in section %d (%d interfaces)",
			name, id, r.sec.index, len(r.sec.ifaces))
	}
	if capLen > uint32(len(data)) {
		return formatErr(start, ErrMalformed,
			"%s: captured length %d exceeds the %d bytes of packet data in the block",
			name, capLen, len(data))
	}
	ifc := &r.sec.ifaces[id]
	t := r.last
	if typ != blockSPB {
		var ok bool
		if t, ok = ifc.nanos(ts); !ok {
			return formatErr(start, ErrMalformed,
				"%s: timestamp %d on interface %d is out of range", name, ts, id)
		}
	}
	r.last = t
	*f = Frame{Data: data[:capLen:capLen], Time: t, OrigLen: origLen,
		LinkType: ifc.linkType, Interface: id, Section: r.sec.index, Offset: start}
	return nil
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
