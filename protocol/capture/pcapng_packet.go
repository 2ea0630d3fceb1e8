package capture

// readPacket reads an Enhanced, Simple or obsolete Packet Block into f.
//
// A Simple Packet Block holds no captured length: it is the original
// length, cut to what the block holds and to the snaplen of interface 0.
// The options after the packet data are not read.
func (r *Reader) readPacket(f *Frame, start int64, typ uint32, total int) error {
	o := r.sec.order
	hdrLen := 28 // type, length, interface, time (2), captured and original length
	if typ == blockSPB {
		hdrLen = 12 // type, length, original length
	}
	if total < hdrLen+4 {
		return formatErr(start, ErrMalformed, "%s: body of %d bytes, want at least %d",
			blockName(typ), total-12, hdrLen-8)
	}
	h, err := r.in.peek(hdrLen)
	if err != nil {
		return r.readFault(start, blockName(typ), len(h), total, err)
	}
	room := uint32(total - hdrLen - 4) // for the packet data and options
	var id, capLen, origLen uint32
	var ts uint64
	switch typ {
	case blockSPB:
		origLen = o.u32(h[8:])
		capLen = min(origLen, room)
		if len(r.sec.ifaces) > 0 && r.sec.ifaces[0].snaplen != 0 {
			capLen = min(capLen, r.sec.ifaces[0].snaplen)
		}
	default:
		// The Packet Block has a 16-bit interface id and a 16-bit drop
		// count where the Enhanced Packet Block has a 32-bit id.
		id = o.u32(h[8:])
		if typ == blockPB {
			id = uint32(o.u16(h[8:]))
		}
		ts = uint64(o.u32(h[12:]))<<32 | uint64(o.u32(h[16:]))
		capLen, origLen = o.u32(h[20:]), o.u32(h[24:])
	}
	t, err := r.packetTime(start, typ, id, ts, capLen, room)
	if err != nil {
		return err
	}

	var data []byte
	if total <= blockSize {
		b, err := r.in.peek(total)
		if err != nil {
			return r.readFault(start, blockName(typ), len(b), total, err)
		}
		if err := r.checkTrailer(start, typ, total, b[total-4:]); err != nil {
			return err
		}
		_, _ = r.in.skip(total) // cannot fail: the bytes are buffered
		end := hdrLen + int(capLen)
		data = b[hdrLen:end:end]
	} else {
		var got int
		data, got, err = r.recordData(hdrLen, int(capLen))
		if err != nil {
			return r.readFault(start, blockName(typ), got, total, err)
		}
		if err := r.skipBlock(start, typ, total); err != nil {
			return err
		}
	}
	*f = Frame{Data: data, Time: t, OrigLen: origLen, LinkType: r.sec.ifaces[id].linkType,
		Interface: id, Section: r.sec.index, Offset: start}
	return nil
}

// packetTime checks the interface id and captured length of the packet
// block of type typ at start, and returns its time in nanoseconds since
// the epoch. A Simple Packet Block gets the time of the frame before it.
func (r *Reader) packetTime(start int64, typ, id uint32, ts uint64, capLen, room uint32) (
	int64, error) {
	name := blockName(typ)
	if id >= uint32(len(r.sec.ifaces)) {
		return 0, formatErr(start, ErrMalformed,
			"%s: interface %d is not described in section %d (%d interfaces)",
			name, id, r.sec.index, len(r.sec.ifaces))
	}
	if capLen > room {
		return 0, formatErr(start, ErrMalformed,
			"%s: captured length %d exceeds the %d bytes of packet data in the block",
			name, capLen, room)
	}
	if typ != blockSPB {
		t, ok := r.sec.ifaces[id].nanos(ts)
		if !ok {
			return 0, formatErr(start, ErrMalformed,
				"%s: timestamp %d on interface %d is out of range", name, ts, id)
		}
		r.last = t
	}
	return r.last, nil
}
