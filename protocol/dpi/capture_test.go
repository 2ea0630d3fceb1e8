package dpi

import (
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// sharedDir returns a directory of the shared test material as seen from
// this package, or skips the test when it is not there.
func sharedDir(tb testing.TB, sub string) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", sub)
	if _, err := os.Stat(dir); err != nil {
		tb.Skipf("shared test material not found at %s: %v", dir, err)
	}
	return dir
}

// flowKey names a bidirectional flow: the first packet's sender first.
type flowKey struct {
	proto    uint8
	src, dst netip.AddrPort
}

// testFlow is one flow of a capture, grouped in test code: the initiator
// is the sender of the flow's first packet.
type testFlow struct {
	key  flowKey
	segs []Segment // payloads are copies
}

func (f *testFlow) info() FlowInfo {
	return FlowInfo{IPProto: f.key.proto, Initiator: f.key.src, Responder: f.key.dst}
}

// readFlows reads a capture with protocol/capture and protocol/packet and
// groups its packets into flows, in order of their first packet. Frames
// that do not decode as IP, and non-first fragments, are left out.
func readFlows(tb testing.TB, path string) []*testFlow {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatalf("open capture: %v", err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil {
		tb.Logf("%s: %v", filepath.Base(path), err)
		return nil
	}
	var (
		dec   packet.Decoder
		fr    capture.Frame
		p     packet.Packet
		flows []*testFlow
		index = map[flowKey]*testFlow{}
	)
	for {
		if err := r.Next(&fr); err != nil {
			if !errors.Is(err, io.EOF) {
				tb.Logf("%s: stopped at %v", filepath.Base(path), err)
			}
			return flows
		}
		if dec.Decode(fr.LinkType, fr.Data, &p) != nil || p.Fragmented && !p.FirstFrag {
			continue
		}
		src := netip.AddrPortFrom(p.Src, p.SrcPort)
		dst := netip.AddrPortFrom(p.Dst, p.DstPort)
		seg := Segment{Time: fr.Time, Payload: append([]byte(nil), p.Payload...)}
		fl := index[flowKey{p.Proto, src, dst}]
		if fl == nil {
			if fl = index[flowKey{p.Proto, dst, src}]; fl != nil {
				seg.Dir = FromResponder
			} else {
				fl = &testFlow{key: flowKey{p.Proto, src, dst}}
				index[fl.key] = fl
				flows = append(flows, fl)
			}
		}
		if p.Proto == IPProtoTCP {
			seg.Flags = uint8(p.TCPFlags)
			seg.Seq, _ = tcpSeq(fr.Data, &p)
		}
		fl.segs = append(fl.segs, seg)
	}
}

// tcpSeq finds the sequence number of a decoded TCP packet in its frame.
// packet.Packet does not carry it, but its Payload is a slice of the frame
// that starts right after the TCP header: the header is found by its data
// offset and ports just before it.
func tcpSeq(frame []byte, p *packet.Packet) (uint32, bool) {
	if p.Payload == nil {
		return 0, false
	}
	end := cap(frame) - cap(p.Payload) // where the payload starts
	for hl := 20; hl <= 60; hl += 4 {
		h := end - hl
		if h < 0 || end > len(frame) {
			break
		}
		if int(frame[h+12]>>4)*4 == hl && binary.BigEndian.Uint16(frame[h:]) == p.SrcPort &&
			binary.BigEndian.Uint16(frame[h+2:]) == p.DstPort {
			return binary.BigEndian.Uint32(frame[h+4:]), true
		}
	}
	return 0, false
}

// classify runs a session of the registry over a flow.
func classify(reg *Registry, fl *testFlow) Verdict {
	s := NewSession(Config{Registry: reg}, fl.info())
	for i := range fl.segs {
		if s.Add(&fl.segs[i]) {
			break
		}
	}
	return s.Verdict()
}

// classifyAll runs a session over each flow of a capture in the order
// the flows began, as a caller that follows the whole capture does: each
// flow is looked up in an ExpectTable of what earlier sessions announced
// before its session starts.
func classifyAll(reg *Registry, flows []*testFlow) []Verdict {
	table := NewExpectTable(64, 0)
	out := make([]Verdict, len(flows))
	for i, fl := range flows {
		info := fl.info()
		if len(fl.segs) > 0 {
			info.Expected = table.Take(&info, fl.segs[0].Time)
		}
		s := NewSession(Config{Registry: reg}, info)
		for j := range fl.segs {
			if s.Add(&fl.segs[j]) {
				break
			}
		}
		table.Add(s.Expectations()...)
		out[i] = s.Verdict()
	}
	return out
}
