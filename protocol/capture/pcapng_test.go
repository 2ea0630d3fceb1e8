package capture

import (
	"bytes"
	"encoding/binary"
	"io"
	"testing"
)

const us = uint64(1e6) // ticks per second at the default resolution

func TestPcapngFeatures(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	d1, d2, d3 := payload(60, 1), payload(42, 2), payload(100, 3)
	big := payload(300<<10, 4)
	const t0 = 1_700_000_000
	tests := []struct {
		name       string
		build      func() []byte
		wantFrames []Frame
	}{
		{
			name: "options without opt_endofopt",
			build: func() []byte {
				b := newNG(le)
				b.shb(1, b.opt(4, []byte("ipfixweb test")))
				b.idb(1, 262144, b.opt(2, []byte("eth0")), b.opt(optTSResol, []byte{6}))
				return b.epb(0, t0*us, d1, 60, b.opt(1, []byte("hi")), b.opt(2, []byte{1, 0, 0, 0})).buf
			},
			wantFrames: []Frame{{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 84}},
		},
		{
			name: "options after opt_endofopt are not read",
			build: func() []byte {
				b := newNG(le).shb(1, endOpt)
				b.idb(1, 0, b.opt(optTSResol, []byte{9}), endOpt, b.opt(optTSResol, []byte{0}))
				return b.epb(0, t0*1e9+5, d1, 60, endOpt).buf
			},
			wantFrames: []Frame{{Data: d1, Time: t0*1e9 + 5, OrigLen: 60, LinkType: 1, Offset: 72}},
		},
		{
			name: "big-endian section",
			build: func() []byte {
				return newNG(be).shb(1).idb(101, 0).epb(0, t0*us+1, d1, 1500).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 1000, OrigLen: 1500, LinkType: 101, Offset: 48},
			},
		},
		{
			name: "interfaces with different link types",
			build: func() []byte {
				b := newNG(le).shb(1).idb(1, 0).idb(113, 0).idb(101, 0)
				return b.epb(2, t0*us, d1, 60).epb(0, t0*us+1, d2, 42).epb(1, t0*us+2, d3, 100).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 101, Interface: 2, Offset: 88},
				{Data: d2, Time: t0*1e9 + 1000, OrigLen: 42, LinkType: 1, Offset: 180},
				{Data: d3, Time: t0*1e9 + 2000, OrigLen: 100, LinkType: 113, Interface: 1,
					Offset: 256},
			},
		},
		{
			name: "sections in different byte orders",
			build: func() []byte {
				s0 := newNG(le).shb(1).idb(1, 0).idb(113, 0).epb(1, t0*us, d1, 60).buf
				s1 := newNG(be).shb(1).idb(101, 0).epb(0, t0*us+7, d2, 42).buf
				return append(s0, s1...)
			},
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 113, Interface: 1, Offset: 68},
				{Data: d2, Time: t0*1e9 + 7000, OrigLen: 42, LinkType: 101, Section: 1,
					Offset: 68 + 92 + 48},
			},
		},
		{
			name: "if_tsresol powers of ten",
			build: func() []byte {
				b := newNG(le).shb(1)
				for _, v := range []byte{0, 3, 9, 12, 30} {
					b.idb(1, 0, b.opt(optTSResol, []byte{v}))
				}
				b.epb(0, t0, d1, 60).epb(1, t0*1e3+1, d1, 60).epb(2, t0*1e9+2, d1, 60)
				return b.epb(3, 1e6*1e12+3999, d1, 60).epb(4, 1<<63, d1, 60).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 168},
				{Data: d1, Time: t0*1e9 + 1e6, OrigLen: 60, LinkType: 1, Interface: 1,
					Offset: 260},
				{Data: d1, Time: t0*1e9 + 2, OrigLen: 60, LinkType: 1, Interface: 2, Offset: 352},
				{Data: d1, Time: 1e15 + 3, OrigLen: 60, LinkType: 1, Interface: 3, Offset: 444},
				{Data: d1, Time: 0, OrigLen: 60, LinkType: 1, Interface: 4, Offset: 536},
			},
		},
		{
			name: "if_tsresol powers of two",
			build: func() []byte {
				b := newNG(le).shb(1)
				for _, v := range []byte{0x80, 0x80 | 10, 0x80 | 40, 0x80 | 70} {
					b.idb(1, 0, b.opt(optTSResol, []byte{v}))
				}
				b.epb(0, 7, d1, 60).epb(1, 5<<10|1<<9, d1, 60).epb(2, 3<<40|1<<39, d1, 60)
				return b.epb(3, 1<<63, d1, 60).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: 7e9, OrigLen: 60, LinkType: 1, Offset: 140},
				{Data: d1, Time: 5.5e9, OrigLen: 60, LinkType: 1, Interface: 1, Offset: 232},
				{Data: d1, Time: 3.5e9, OrigLen: 60, LinkType: 1, Interface: 2, Offset: 324},
				{Data: d1, Time: 7_812_500, OrigLen: 60, LinkType: 1, Interface: 3, Offset: 416},
			},
		},
		{
			name: "if_tsoffset negative and positive",
			build: func() []byte {
				b := newNG(be).shb(1)
				b.idb(1, 0, b.tsoffset(-86400)).idb(1, 0, b.tsoffset(1000), b.opt(optTSResol, []byte{9}))
				return b.epb(0, 3600*us, d1, 60).epb(1, 250, d2, 42).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: -82800e9, OrigLen: 60, LinkType: 1, Offset: 100},
				{Data: d2, Time: 1000e9 + 250, OrigLen: 42, LinkType: 1, Interface: 1,
					Offset: 192},
			},
		},
		{
			name: "simple packet blocks",
			build: func() []byte {
				b := newNG(le).shb(1).idb(1, 50).epb(0, t0*us, d2, 42)
				return b.spb(100, d3).spb(30, pad4(d3[:30])).buf
			},
			wantFrames: []Frame{
				{Data: d2, Time: t0 * 1e9, OrigLen: 42, LinkType: 1, Offset: 48},
				{Data: d3[:50], Time: t0 * 1e9, OrigLen: 100, LinkType: 1, Offset: 124},
				{Data: d3[:30], Time: t0 * 1e9, OrigLen: 30, LinkType: 1, Offset: 240},
			},
		},
		{
			name: "simple packet block without snaplen",
			build: func() []byte {
				return newNG(be).shb(1).idb(1, 0).spb(1514, d3).buf
			},
			wantFrames: []Frame{{Data: d3, OrigLen: 1514, LinkType: 1, Offset: 48}},
		},
		{
			name: "obsolete packet block",
			build: func() []byte {
				return newNG(le).shb(1).idb(1, 0).idb(113, 0).pb(1, t0*us, d1, 70).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 70, LinkType: 113, Interface: 1, Offset: 68},
			},
		},
		{
			name: "blocks that hold no packet are skipped",
			build: func() []byte {
				b := newNG(le).shb(1).idb(1, 0)
				b.block(4, []byte{1, 0, 8, 0, 192, 0, 2, 1, 'a', 0, 0, 0, 0, 0, 0, 0}) // NRB
				b.block(0x0bad, []byte{0xe9, 0x7e, 0, 0, 1, 2, 3, 4})                  // custom
				b.epb(0, t0*us, d1, 60)
				b.block(5, make([]byte, 12))                          // ISB
				b.block(0x4000_0bad, []byte{0xe9, 0x7e, 0, 0})        // custom, not to copy
				b.block(0x0a, []byte{'T', 'L', 'S', 'K', 0, 0, 0, 0}) // DSB
				b.block(0x7fff_1234, nil)                             // unknown
				b.block(0x7fff_1235, big)                             // over the read buffer
				return b.epb(0, t0*us+1, d2, 42).buf
			},
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 96},
				{Data: d2, Time: t0*1e9 + 1000, OrigLen: 42, LinkType: 1,
					Offset: 96 + 92 + 24 + 16 + 20 + 12 + 12 + 300<<10},
			},
		},
		{
			name: "packet larger than the read buffer",
			build: func() []byte {
				return newNG(le).shb(1).idb(1, 0).epb(0, 1, big, 1<<20).epb(0, 2, d2, 42).buf
			},
			wantFrames: []Frame{
				{Data: big, Time: 1000, OrigLen: 1 << 20, LinkType: 1, Offset: 48},
				{Data: d2, Time: 2000, OrigLen: 42, LinkType: 1, Offset: 48 + 32 + 300<<10},
			},
		},
		{
			name: "section of another major version is skipped",
			build: func() []byte {
				s0 := newNG(be).shb(2).idb(1, 0).epb(0, 1, d1, 60).block(0x7777, nil).buf
				s1 := newNG(le).shb(1).idb(228, 0).epb(0, 2, d2, 42).buf
				return append(s0, s1...)
			},
			wantFrames: []Frame{
				{Data: d2, Time: 2000, OrigLen: 42, LinkType: 228, Section: 1, Offset: 152 + 48},
			},
		},
		{
			name: "minor version 2",
			build: func() []byte {
				b := newNG(le).shb(1)
				le.PutUint16(b.buf[14:], 2)
				return b.idb(1, 0).epb(0, t0*us, d1, 60).buf
			},
			wantFrames: []Frame{{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 48}},
		},
		{
			name:  "section without packets",
			build: func() []byte { return newNG(le).shb(1).idb(1, 0).buf },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.build()
			g := readAll(t, file)
			if g.err != io.EOF {
				t.Fatalf("reading ended with %v, want io.EOF", g.err)
			}
			if g.format != "pcapng" {
				t.Errorf("Format() = %q, want pcapng", g.format)
			}
			sameFrames(t, g.frames, tc.wantFrames)
		})
	}
}

func TestPcapngErrors(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	d1 := payload(60, 1)
	// base is a section with one interface and one packet: 140 bytes.
	base := func() *ng { return newNG(le).shb(1).idb(1, 0).epb(0, 1, d1, 60) }
	// raw appends a block header and trailer with any total length.
	raw := func(b *ng, typ, total uint32, body []byte) []byte {
		out := le.AppendUint32(b.buf, typ)
		out = le.AppendUint32(out, total)
		out = append(out, body...)
		return le.AppendUint32(out, total)
	}
	tests := []struct {
		name       string
		build      func() []byte
		atOpen     bool // NewReader fails
		wantFrames int
		wantErr    error
		wantOffset int64
	}{
		{
			name: "no byte-order magic",
			build: func() []byte {
				b := base().buf
				copy(b[8:], "XXXX")
				return b
			},
			atOpen: true, wantErr: ErrNotCapture,
		},
		{
			name:   "section header cut short",
			build:  func() []byte { return base().buf[:20] },
			atOpen: true, wantErr: ErrTruncated,
		},
		{
			name: "section header block too short",
			build: func() []byte {
				return newNG(le).block(blockSHB, le.AppendUint32(nil, 0x1a2b3c4d)).buf
			},
			atOpen: true, wantErr: ErrMalformed,
		},
		{
			name:       "block length below 12",
			build:      func() []byte { return raw(base(), blockEPB, 8, nil) },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "block length not a multiple of 4",
			build:      func() []byte { return raw(base(), 0x99, 30, make([]byte, 18)) },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "block length of 4 GB",
			build:      func() []byte { return raw(base(), blockEPB, 0xffff_fff0, make([]byte, 64)) },
			wantFrames: 1, wantErr: ErrTooLarge, wantOffset: 140,
		},
		{
			name:       "skipped block over the limit",
			build:      func() []byte { return raw(base(), 0x99, MaxRecordLen+4, nil) },
			wantFrames: 1, wantErr: ErrTooLarge, wantOffset: 140,
		},
		{
			name: "trailing length differs",
			build: func() []byte {
				b := base().epb(0, 2, d1, 60).buf
				b[len(b)-4]++
				return b
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name: "skipped block with a wrong trailing length",
			build: func() []byte {
				b := base().block(0x99, make([]byte, 8)).buf
				b[len(b)-4]++
				return b
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "enhanced packet block cut short",
			build:      func() []byte { b := base().epb(0, 2, d1, 60).buf; return b[:len(b)-10] },
			wantFrames: 1, wantErr: ErrTruncated, wantOffset: 140,
		},
		{
			name: "large packet block cut short",
			build: func() []byte {
				b := base().epb(0, 2, payload(400<<10, 5), 60).buf
				return b[:len(b)-1000]
			},
			wantFrames: 1, wantErr: ErrTruncated, wantOffset: 140,
		},
		{
			name:       "block header cut short",
			build:      func() []byte { return append(base().buf, 6, 0, 0, 0, 80) },
			wantFrames: 1, wantErr: ErrTruncated, wantOffset: 140,
		},
		{
			name: "skipped block cut short",
			build: func() []byte {
				b := base().block(0x99, make([]byte, 40)).buf
				return b[:len(b)-2]
			},
			wantFrames: 1, wantErr: ErrTruncated, wantOffset: 140,
		},
		{
			name:       "interface not described",
			build:      func() []byte { return base().epb(3, 2, d1, 60).buf },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name: "interface of an earlier section",
			build: func() []byte {
				s0 := newNG(le).shb(1).idb(1, 0).idb(1, 0).epb(1, 1, d1, 60).buf
				return append(s0, newNG(be).shb(1).idb(1, 0).epb(1, 2, d1, 60).buf...)
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 160 + 48,
		},
		{
			name: "captured length beyond the block",
			build: func() []byte {
				b := base()
				h := le.AppendUint32(nil, 0)
				h = le.AppendUint64(h, 0)
				h = le.AppendUint32(h, 100) // caplen
				h = le.AppendUint32(h, 100)
				return b.block(blockEPB, h, d1).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "enhanced packet block body too short",
			build:      func() []byte { return base().block(blockEPB, make([]byte, 16)).buf },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "simple packet block body too short",
			build:      func() []byte { return base().block(blockSPB, nil).buf },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:    "simple packet block before any interface",
			build:   func() []byte { return newNG(le).shb(1).spb(60, d1).buf },
			wantErr: ErrMalformed, wantOffset: 28,
		},
		{
			name: "second section without byte-order magic",
			build: func() []byte {
				b := newNG(be).shb(1).buf
				copy(b[8:], "XXXX")
				return append(base().buf, b...)
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "interface description body too short",
			build:      func() []byte { return base().block(blockIDB, make([]byte, 4)).buf },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name: "option overruns the block",
			build: func() []byte {
				b := base()
				return b.idb(1, 0, []byte{2, 0, 200, 0, 'e', 't', 'h', '0'}).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name: "if_tsresol of two bytes",
			build: func() []byte {
				b := base()
				return b.idb(1, 0, b.opt(optTSResol, []byte{6, 0})).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name: "if_tsoffset of four bytes",
			build: func() []byte {
				b := base()
				return b.idb(1, 0, b.opt(optTSOffset, []byte{1, 2, 3, 4})).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name:       "if_tsoffset out of range",
			build:      func() []byte { b := base(); return b.idb(1, 0, b.tsoffset(-1<<62)).buf },
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140,
		},
		{
			name: "timestamp out of range",
			build: func() []byte {
				b := base()
				return b.idb(1, 0, b.opt(optTSResol, []byte{0})).epb(1, 1<<40, d1, 60).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140 + 28,
		},
		{
			name: "binary timestamp out of range",
			build: func() []byte {
				b := base()
				return b.idb(1, 0, b.opt(optTSResol, []byte{0x80 | 2})).epb(1, 1<<63, d1, 60).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140 + 28,
		},
		{
			name: "timestamp plus offset out of range",
			build: func() []byte {
				b := base()
				b.idb(1, 0, b.opt(optTSResol, []byte{9}), b.tsoffset(maxOffset))
				return b.epb(1, 1<<62, d1, 60).buf
			},
			wantFrames: 1, wantErr: ErrMalformed, wantOffset: 140 + 40,
		},
		{
			name: "interface description block over 256 KiB",
			build: func() []byte {
				b := base()
				name := b.opt(2, make([]byte, 60000))
				return b.idb(1, 0, name, name, name, name, name).buf
			},
			wantFrames: 1, wantErr: ErrTooLarge, wantOffset: 140,
		},
		{
			name: "too many interfaces",
			build: func() []byte {
				b := newNG(le).shb(1)
				for range MaxInterfaces + 1 {
					b.idb(1, 0)
				}
				return b.buf
			},
			wantErr: ErrTooLarge, wantOffset: 28 + 20*MaxInterfaces,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.build()))
			if tc.atOpen {
				checkFault(t, err, tc.wantErr, tc.wantOffset)
				return
			}
			if err != nil {
				t.Fatalf("NewReader: %v", err)
			}
			g := readFrames(r)
			if len(g.frames) != tc.wantFrames {
				t.Errorf("read %d frames before the error, want %d", len(g.frames), tc.wantFrames)
			}
			checkFault(t, g.err, tc.wantErr, tc.wantOffset)
		})
	}
}
