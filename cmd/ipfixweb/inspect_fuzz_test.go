package main

import (
	"bytes"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// ipfixSeed encodes a few records of every shape the encoder writes.
func ipfixSeed(tb testing.TB) []byte {
	tb.Helper()
	var out bytes.Buffer
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{ObservationDomain: 7}, func(m []byte) error {
		out.Write(m)
		return nil
	})
	c := flow.Counters{Start: 1_700_000_000_000_000_000, End: 1_700_000_001_000_000_000,
		Packets: 3, Octets: 180, TCPFlags: 0x1b}
	recs := []flow.Record{
		{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.1"), Dst: netip.MustParseAddr("198.51.100.2"),
			SrcPort: 40000, DstPort: 443, Proto: 6}, IPVersion: 4, Fwd: c, EndReason: flow.EndIdle},
		{Key: flow.Key{Src: netip.MustParseAddr("2001:db8::1"), Dst: netip.MustParseAddr("2001:db8::2"),
			SrcPort: 53, DstPort: 5353, Proto: 17, VLAN: 10}, IPVersion: 6, Fwd: c, Rev: c,
			Biflow: true, EndReason: flow.EndResource},
		{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.9"), Dst: netip.MustParseAddr("192.0.2.10"),
			DstPort: 0x0800, Proto: 1}, IPVersion: 4, Fwd: flow.Counters{Start: -5e9, End: -4e9,
			Packets: 1, Octets: 84}, EndReason: flow.EndForced},
	}
	for i := range recs {
		if err := enc.Add(&recs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		tb.Fatal(err)
	}
	return out.Bytes()
}

// FuzzInspect runs "ipfixweb inspect", as text and as JSON, on arbitrary
// files: it must never panic, and end with status 0 or 1.
func FuzzInspect(f *testing.F) {
	seed := ipfixSeed(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add(append(bytes.Clone(seed), seed[:20]...))
	f.Add([]byte{0, 10, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(dir, "in.ipfix")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{{file}, {"--json", file}} {
			if code := runInspect(args, io.Discard, io.Discard); code != 0 && code != 1 {
				t.Fatalf("inspect %v: exit %d", args, code)
			}
		}
	})
}
