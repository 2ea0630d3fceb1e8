package capture

import (
	"io"

	"github.com/gopacket/gopacket/pcapgo"
)

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
// pcapgo reads only version 2.4 with the microsecond or nanosecond magic,
// and refuses a record whose captured length is above its original
// length. libpcap reads older versions, the "modified" format and such
// records, and so do real files (a version 2.0 file is among the corpus),
// so pcapgo is given each header rewritten in the form it reads: version
// 2.4, lengths in 2.4 order, the original length raised to the captured
// one, the modified format's 8 extra bytes left out. The Frame gets the
// fields as the file has them.
func (r *Reader) openPcap(o order, magic []byte) error {
	m := o.u32(magic)
	b, err := r.in.peek(pcapFileHeaderLen)
	if err != nil {
		return r.readFault(0, "pcap file header", len(b), pcapFileHeaderLen, err)
	}
	major, minor := o.u16(b[4:]), o.u16(b[6:])
	snaplen := o.u32(b[16:])
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

	canon := uint32(magicMicro)
	if r.pcap.nano {
		canon = magicNano
	}
	var hb [pcapFileHeaderLen]byte
	h := o.append32(hb[:0], canon)
	h = o.append16(h, 2)
	h = o.append16(h, 4)
	h = o.append64(h, 0) // time zone and significant figures
	h = o.append32(h, snaplen)
	h = o.append32(h, uint32(r.pcap.linkType))
	r.feed.load(h, 0, nil)
	if r.pg, err = pcapgo.NewReader(r.pgIn); err != nil {
		return refused(0, "pcap file header", err)
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

	var hb [pcapRecordLen]byte
	b := p.order.append32(hb[:0], sec)
	b = p.order.append32(b, frac)
	b = p.order.append32(b, capLen)
	b = p.order.append32(b, max(capLen, origLen))
	_, _ = r.in.skip(p.recLen) // cannot fail: the bytes are buffered
	r.feed.load(b, int(capLen), nil)
	if capLen > r.pg.Snaplen() {
		// pcapgo's own limit is the larger of the snaplen and 256 KiB;
		// this package's, checked above, is MaxRecordLen.
		r.pg.SetSnaplen(MaxRecordLen)
	}
	data, _, err := r.pg.ZeroCopyReadPacketData()
	if err != nil {
		return r.feedFault(start, "record", p.recLen+int(capLen), err)
	}

	// A frac of a second or more is added as it is: the time stays well
	// defined and cannot overflow (2^32 s plus 2^32 us is far below 2^63 ns).
	t := int64(sec) * 1e9
	if p.nano {
		t += int64(frac)
	} else {
		t += int64(frac) * 1e3
	}
	n := len(data)
	*f = Frame{Data: data[:n:n], Time: t, OrigLen: origLen,
		LinkType: uint16(r.pg.LinkType()), Offset: start}
	return nil
}
