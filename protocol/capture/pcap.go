package capture

import "io"

// Classic pcap magic numbers, as the first four bytes of the file read in
// little-endian order. The BE forms are files written in big-endian order.
const (
	magicMicro      = 0xa1b2c3d4 // microsecond timestamps
	magicMicroBE    = 0xd4c3b2a1
	magicNano       = 0xa1b23c4d // nanosecond timestamps
	magicNanoBE     = 0x4d3cb2a1
	magicModified   = 0xa1b2cd34 // Kuznetzov's "modified pcap", microseconds
	magicModifiedBE = 0x34cdb2a1
)

const (
	pcapFileHeaderLen = 24
	pcapRecordLen     = 16 // ts_sec, ts_frac, caplen, len
	pcapModifiedLen   = 24 // plus ifindex, protocol, pkt_type, pad
)

// lengthOrder says where a pcap record keeps its captured length.
type lengthOrder uint8

const (
	lengthsInOrder lengthOrder = iota // caplen, then len
	lengthsSwapped                    // len, then caplen (versions before 2.3)
	lengthsMaybe                      // version 2.3: swapped when caplen > len
)

// pcapFile is what the pcap file header says about its records.
type pcapFile struct {
	order    order
	nano     bool
	recLen   int // record header length
	linkType uint16
	lengths  lengthOrder
}

// openPcap reads the 24-byte pcap file header whose magic is magic.
//
// Records are read the way libpcap reads them, which is more than the
// current format allows: older versions, the "modified" format with its 8
// extra bytes per record, and records whose captured length is above the
// original length (a version 2.0 file is among the corpus). The Frame gets
// the fields as the file has them.
func (r *Reader) openPcap(o order, magic []byte) error {
	m := o.u32(magic)
	b, err := r.in.peek(pcapFileHeaderLen)
	if err != nil {
		return r.readFault(0, "pcap file header", len(b), pcapFileHeaderLen, err)
	}
	major, minor := o.u16(b[4:]), o.u16(b[6:])
	r.pcap = pcapFile{
		order:    o,
		nano:     m == magicNano,
		recLen:   pcapRecordLen,
		linkType: uint16(o.u32(b[20:])), // the bits above 16 hold FCS details
		lengths:  pcapLengthOrder(major, minor),
	}
	if m == magicModified {
		r.pcap.recLen = pcapModifiedLen
	}
	_, _ = r.in.skip(pcapFileHeaderLen) // cannot fail: the bytes are buffered
	return nil
}

// pcapLengthOrder follows libpcap: the captured and original lengths swapped
// places in version 2.3, some 2.3 writers kept the old order, and DG/UX
// wrote version 543.0 with the old order.
func pcapLengthOrder(major, minor uint16) lengthOrder {
	switch {
	case major == 2 && minor < 3, major == 543:
		return lengthsSwapped
	case major == 2 && minor == 3:
		return lengthsMaybe
	}
	return lengthsInOrder
}

// nextRecord reads one pcap record into f. The snapshot length of the
// file header is not a limit: libpcap reads longer records too, and
// [MaxRecordLen] bounds them.
func (r *Reader) nextRecord(f *Frame) error {
	p := &r.pcap
	start := r.in.off
	h, err := r.in.peek(p.recLen)
	if err == io.EOF {
		return io.EOF
	}
	if err != nil {
		return r.readFault(start, "record header", len(h), p.recLen, err)
	}
	sec, frac := p.order.u32(h), p.order.u32(h[4:])
	capLen, origLen := p.order.u32(h[8:]), p.order.u32(h[12:])
	if p.lengths == lengthsSwapped || p.lengths == lengthsMaybe && capLen > origLen {
		capLen, origLen = origLen, capLen
	}
	if capLen > MaxRecordLen {
		return formatErr(start, ErrTooLarge,
			"record captured length %d is over the limit of %d", capLen, MaxRecordLen)
	}
	data, got, err := r.recordData(p.recLen, int(capLen))
	if err != nil {
		return r.readFault(start, "record", got, p.recLen+int(capLen), err)
	}

	// A frac of a second or more is added as it is: the time stays well
	// defined and cannot overflow (2^32 s plus 2^32 us is far below 2^63 ns).
	t := int64(sec) * 1e9
	if p.nano {
		t += int64(frac)
	} else {
		t += int64(frac) * 1e3
	}
	*f = Frame{Data: data, Time: t, OrigLen: origLen, LinkType: p.linkType, Offset: start}
	return nil
}

// recordData consumes a record or block whose n bytes of data follow a
// header of hdr bytes, and returns the data, capped at its length. Data
// that fits in a block is returned where it lies; longer data is read into
// a buffer of its own (see [input.readBig]). On a short read it returns
// how many bytes of header and data there were, and the error as
// [input.peek] gives it.
func (r *Reader) recordData(hdr, n int) (data []byte, got int, err error) {
	if total := hdr + n; total <= blockSize {
		b, err := r.in.peek(total)
		if err != nil {
			return nil, len(b), err
		}
		_, _ = r.in.skip(total) // cannot fail: the bytes are buffered
		return b[hdr:total:total], total, nil
	}
	_, _ = r.in.skip(hdr) // cannot fail: the header was peeked
	big := r.big
	if big == nil || big.refs > 0 {
		big = &Block{}
		r.big = big
	}
	big.buf, err = r.in.readBig(big.buf, n)
	big.refs = 1
	r.cur = big
	return big.buf[:len(big.buf):len(big.buf)], hdr + len(big.buf), err
}
