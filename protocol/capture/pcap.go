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
func (r *Reader) openPcap(o order, magic []byte) error {
	m := o.u32(magic)
	b, err := r.in.read(pcapFileHeaderLen)
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

// nextRecord reads one pcap record into f.
func (r *Reader) nextRecord(f *Frame) error {
	p := &r.pcap
	start := r.in.off
	h, err := r.in.read(p.recLen)
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

	data, err := r.in.read(int(capLen))
	if err != nil {
		return r.readFault(start, "record data", len(data), int(capLen), err)
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
