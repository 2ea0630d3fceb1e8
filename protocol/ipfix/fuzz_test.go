package ipfix

import (
	"bytes"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// addSeeds adds the IPFIX files of testdata and encoder output of the bug
// case records (B05, B22, B28, B30 and every template shape) as seeds.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.ipfix"))
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	out := sampleStream(f, 1400)
	f.Add(out.stream)
	for _, m := range out.msgs[:min(len(out.msgs), 8)] {
		f.Add(m)
	}
	f.Add(msg(1, 0, tmpl4, set(300, rec4("a"), []byte{192, 0, 2, 1, 255, 0, 2, 'b', 'c'})))
	f.Add(msg(1, 0, set(3, be16(300, 2, 1, 149, 4, 96, VariableLength))))
	f.Add(msg(1, 0, set(2, be16(300, 1, 0x8001, 4, 0, 0))))
	f.Add([]byte{0, 10, 0, 16})
}

// FuzzDecoder decodes arbitrary bytes as an IPFIX stream: it must never
// panic, fail only with a *DecodeError, and account for every octet.
func FuzzDecoder(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		var total int64
		err := ReadMessages(bytes.NewReader(data), func(m *Message) error {
			if m.Offset != total {
				t.Fatalf("message at offset %d, want %d", m.Offset, total)
			}
			n := headerLen
			for _, s := range m.Sets {
				n += int(s.Length)
				for _, r := range s.Records {
					for _, fl := range r.Fields {
						if fl.Value == nil && fl.Type != TypeBoolean {
							t.Fatalf("%s: no value", fl.Name)
						}
					}
				}
			}
			if n != int(m.Length) {
				t.Fatalf("sets fill %d of %d octets", n, m.Length)
			}
			total += int64(m.Length)
			return nil
		})
		var de *DecodeError
		switch {
		case err == nil && total != int64(len(data)):
			t.Fatalf("decoded %d of %d octets without an error", total, len(data))
		case err != nil && !errors.As(err, &de):
			t.Fatalf("error %v is not a *DecodeError", err)
		case err != nil && (de.Offset < total || de.Offset > int64(len(data))):
			t.Fatalf("error offset %d outside the failing message at %d", de.Offset, total)
		}
	})
}

// FuzzRoundTrip encodes a record built from fuzzed fields and decodes it
// back: what Add accepts must come back exactly, without a warning.
func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte{192, 0, 2, 10, 198, 51, 100, 20}, uint16(40221), uint16(80), uint8(6),
		uint64(316), int64(1234567890e9), int64(90e6), "HTTP", uint8(0b111111), uint32(7))
	f.Add(bytes.Repeat([]byte{0x20}, 32), uint16(0), uint16(0x0800), uint8(58),
		uint64(1<<63), int64(-82800e9), int64(0), string(make([]byte, 300)), uint8(3),
		uint32(0))
	f.Fuzz(func(t *testing.T, addrs []byte, sport, dport uint16, proto uint8, octets uint64,
		start, dur int64, app string, bits uint8, mpls uint32) {
		r := baseRecord()
		switch {
		case len(addrs) >= 32:
			r = v6(r)
			r.Key.Src = netip.AddrFrom16([16]byte(addrs[:16]))
			r.Key.Dst = netip.AddrFrom16([16]byte(addrs[16:32]))
		case len(addrs) >= 8:
			r.Key.Src = netip.AddrFrom4([4]byte(addrs[:4]))
			r.Key.Dst = netip.AddrFrom4([4]byte(addrs[4:8]))
		}
		r.Key.SrcPort, r.Key.DstPort, r.Key.Proto = sport, dport, proto
		r.Fwd.Octets, r.Fwd.Start, r.Fwd.End = octets, start, start+dur
		if bits&1 != 0 {
			r = biflow(r)
		}
		if bits&2 != 0 {
			r.App = &flow.App{Name: app, ID: mpls}
		}
		if bits&4 != 0 {
			r.MPLSTop = mpls & 0xffffff
		}
		out := encode(t, testConfig(1, 0), func(e *Encoder) error {
			if err := e.Add(&r); !errors.Is(err, ErrRecord) && !errors.Is(err, ErrTooLarge) {
				return err
			}
			return nil
		})
		recs := DataRecords(decodeStrict(t, out.stream))
		if len(recs) == 0 {
			return // refused
		}
		v := values(recs[0])
		src := v["sourceIPv4Address"]
		if r.Key.Src.Is6() {
			src = v["sourceIPv6Address"]
		}
		if src != r.Key.Src || v["sourceTransportPort"] != uint64(sport) ||
			v["destinationTransportPort"] != uint64(dport) ||
			v["protocolIdentifier"] != uint64(proto) || v["octetDeltaCount"] != octets {
			t.Fatalf("round trip of %+v gave %v", r, v)
		}
		// Times are rounded to the nearest millisecond.
		if ms, ok := v["flowStartMilliseconds"]; ok && ms != (uint64(start)+5e5)/1e6 {
			t.Fatalf("flowStartMilliseconds %v for %d ns", ms, start)
		}
		if r.App != nil && v["applicationName"] != app {
			t.Fatalf("applicationName of %d octets, want %d", len(v["applicationName"].(string)),
				len(app))
		}
	})
}
