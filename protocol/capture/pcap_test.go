package capture

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// sameFrames compares frames field by field.
func sameFrames(t testing.TB, got, want []Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d frames, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Data, w.Data) {
			t.Errorf("frame %d: data of %d bytes differs from the %d wanted",
				i, len(g.Data), len(w.Data))
		}
		g.Data, w.Data = nil, nil
		if !reflect.DeepEqual(g, w) {
			t.Errorf("frame %d:\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func TestPcapFeatures(t *testing.T) {
	le, be := binary.LittleEndian, binary.BigEndian
	d1, d2, big := payload(60, 1), payload(42, 2), payload(300<<10, 3)
	const t0 = 1_700_000_000
	modExtra := []byte{2, 0, 0, 0, 8, 0, 4, 0} // ifindex, protocol, pkt_type, pad
	tests := []struct {
		name       string
		file       []byte
		wantFrames []Frame
	}{
		{
			name: "little-endian microseconds",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1),
				rec(t0, 250_000, d1), rec(t0+1, 999_999, d2)),
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 250_000_000, OrigLen: 60, LinkType: 1, Offset: 24},
				{Data: d2, Time: (t0+1)*1e9 + 999_999_000, OrigLen: 42, LinkType: 1, Offset: 100},
			},
		},
		{
			name: "big-endian microseconds",
			file: pcapBytes(be, pcapHeader(be, magicMicro, 2, 4, 65535, 113),
				rec(t0, 1, d1), rec(t0, 2, d2)),
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 1000, OrigLen: 60, LinkType: 113, Offset: 24},
				{Data: d2, Time: t0*1e9 + 2000, OrigLen: 42, LinkType: 113, Offset: 100},
			},
		},
		{
			name: "little-endian nanoseconds",
			file: pcapBytes(le, pcapHeader(le, magicNano, 2, 4, 65535, 1),
				rec(t0, 987_054_321, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 987_054_321, OrigLen: 60, LinkType: 1, Offset: 24},
			},
		},
		{
			name: "big-endian nanoseconds",
			file: pcapBytes(be, pcapHeader(be, magicNano, 2, 4, 65535, 101),
				rec(t0, 500, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 500, OrigLen: 60, LinkType: 101, Offset: 24},
			},
		},
		{
			name: "modified pcap with 24-byte record headers",
			file: pcapBytes(le, pcapHeader(le, magicModified, 2, 4, 65535, 1),
				pcapRec{sec: t0, frac: 7, capLen: 60, origLen: 60, extra: modExtra, data: d1},
				pcapRec{sec: t0, frac: 8, capLen: 42, origLen: 90, extra: modExtra, data: d2}),
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 7000, OrigLen: 60, LinkType: 1, Offset: 24},
				{Data: d2, Time: t0*1e9 + 8000, OrigLen: 90, LinkType: 1, Offset: 108},
			},
		},
		{
			name: "modified pcap big-endian",
			file: pcapBytes(be, pcapHeader(be, magicModified, 2, 4, 65535, 1),
				pcapRec{sec: t0, capLen: 60, origLen: 60, extra: modExtra, data: d1}),
			wantFrames: []Frame{{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 24}},
		},
		{
			name: "version 2.2 stores the lengths swapped",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 2, 65535, 1),
				pcapRec{sec: t0, capLen: 100, origLen: 60, data: d1}),
			wantFrames: []Frame{{Data: d1, Time: t0 * 1e9, OrigLen: 100, LinkType: 1, Offset: 24}},
		},
		{
			name: "version 2.3 swaps only when caplen is above len",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 3, 65535, 1),
				pcapRec{sec: t0, capLen: 100, origLen: 60, data: d1},
				pcapRec{sec: t0, capLen: 42, origLen: 50, data: d2}),
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 100, LinkType: 1, Offset: 24},
				{Data: d2, Time: t0 * 1e9, OrigLen: 50, LinkType: 1, Offset: 100},
			},
		},
		{
			name: "version 2.4 never swaps",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1),
				pcapRec{sec: t0, capLen: 60, origLen: 40, data: d1}),
			wantFrames: []Frame{{Data: d1, Time: t0 * 1e9, OrigLen: 40, LinkType: 1, Offset: 24}},
		},
		{
			name: "FCS bits above the link type are ignored",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 0x1400_0001),
				rec(t0, 0, d1)),
			wantFrames: []Frame{{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 24}},
		},
		{
			name: "link type above 255",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 276), rec(t0, 0, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 276, Offset: 24},
			},
		},
		{
			name: "seconds are unsigned",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1),
				rec(0xffff_ffff, 0, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: 0xffff_ffff * 1e9, OrigLen: 60, LinkType: 1, Offset: 24},
			},
		},
		{
			name: "microseconds beyond one second are added",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1),
				rec(t0, 1_500_000, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: t0*1e9 + 1_500_000_000, OrigLen: 60, LinkType: 1, Offset: 24},
			},
		},
		{
			name: "snaplen of 4 GB",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 0xffff_ffff, 1), rec(t0, 0, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 24},
			},
		},
		{
			name: "records longer than the snaplen",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 16, 1), rec(t0, 0, d1)),
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 24},
			},
		},
		{
			name: "header only",
			file: pcapHeader(le, magicMicro, 2, 4, 65535, 1),
		},
		{
			name: "zero-length record",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1),
				rec(t0, 0, nil), rec(t0, 0, d1)),
			wantFrames: []Frame{
				{Data: []byte{}, Time: t0 * 1e9, LinkType: 1, Offset: 24},
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 40},
			},
		},
		{
			name: "record larger than the read buffer",
			file: pcapBytes(le, pcapHeader(le, magicMicro, 2, 4, 65535, 1),
				rec(t0, 0, d1), rec(t0, 1, big), rec(t0, 2, d2)),
			wantFrames: []Frame{
				{Data: d1, Time: t0 * 1e9, OrigLen: 60, LinkType: 1, Offset: 24},
				{Data: big, Time: t0*1e9 + 1000, OrigLen: 300 << 10, LinkType: 1, Offset: 100},
				{Data: d2, Time: t0*1e9 + 2000, OrigLen: 42, LinkType: 1,
					Offset: 100 + 16 + 300<<10},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g := readAll(t, tc.file)
			if g.err != io.EOF {
				t.Fatalf("reading ended with %v, want io.EOF", g.err)
			}
			if g.format != "pcap" {
				t.Errorf("Format() = %q, want pcap", g.format)
			}
			sameFrames(t, g.frames, tc.wantFrames)
		})
	}
}

func TestPcapErrors(t *testing.T) {
	le := binary.LittleEndian
	hdr := pcapHeader(le, magicMicro, 2, 4, 65535, 1)
	d1 := payload(60, 1)
	one := pcapBytes(le, hdr, rec(1, 0, d1)) // 100 bytes
	tests := []struct {
		name       string
		file       []byte
		atOpen     bool // NewReader fails
		wantFrames int
		wantErr    error
		wantOffset int64
	}{
		{name: "empty input", file: nil, atOpen: true, wantErr: ErrNotCapture},
		{name: "two bytes", file: []byte{0xd4, 0xc3}, atOpen: true, wantErr: ErrNotCapture},
		{
			name: "unknown magic", file: []byte("GIF89a, not a capture at all"),
			atOpen: true, wantErr: ErrNotCapture,
		},
		{name: "file header cut short", file: hdr[:10], atOpen: true, wantErr: ErrTruncated},
		{
			name: "record header cut short", file: append(bytes.Clone(one), 1, 2, 3, 4, 5),
			wantFrames: 1, wantErr: ErrTruncated, wantOffset: 100,
		},
		{
			name:       "record data cut short",
			file:       pcapBytes(le, one, pcapRec{capLen: 1042, origLen: 1042, data: d1}),
			wantFrames: 1, wantErr: ErrTruncated, wantOffset: 100,
		},
		{
			name:    "captured length of 4 GB",
			file:    pcapBytes(le, hdr, pcapRec{capLen: 0xffff_fff0, origLen: 60, data: d1}),
			wantErr: ErrTooLarge, wantOffset: 24,
		},
		{
			name: "captured length one over the limit",
			file: pcapBytes(le, one,
				pcapRec{capLen: MaxRecordLen + 1, origLen: 60, data: d1}),
			wantFrames: 1, wantErr: ErrTooLarge, wantOffset: 100,
		},
		{
			name:    "swapped lengths over the limit",
			file:    pcapBytes(le, pcapHeader(le, magicMicro, 2, 2, 0, 1), pcapRec{origLen: 1 << 30}),
			wantErr: ErrTooLarge, wantOffset: 24,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := NewReader(bytes.NewReader(tc.file))
			if tc.atOpen {
				if r != nil {
					t.Errorf("NewReader returned a Reader with error %v", err)
				}
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

// An IPFIX file given as a capture is refused with a reason that says
// what it is.
func TestIPFIXIsNotACapture(t *testing.T) {
	msg := []byte{0, 10, 0, 16, 0x65, 0x5d, 0x0c, 0x00, 0, 0, 0, 0, 0, 0, 0, 0}
	_, err := NewReader(bytes.NewReader(msg))
	if !errors.Is(err, ErrNotCapture) || !strings.Contains(err.Error(), "IPFIX") {
		t.Errorf("error %v, want ErrNotCapture saying the input is IPFIX", err)
	}
}
