package main

import (
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// dpiRecord is what a flow record says about DPI.
type dpiRecord struct {
	Key    string // "src:port>dst:port/proto"
	App    string
	Server string // HTTP host, TLS or QUIC server name, DNS query name, SMTP domain
	Fields map[string]any
}

// dpiRecords converts inputs with --dpi and args, has every tool judge
// the output, checks that the RFC 6759 options records name each
// record's applicationId as the record does, and returns its flow
// records and the raw file.
func dpiRecords(t *testing.T, args []string, inputs ...string) ([]dpiRecord, []byte) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "out.ipfix")
	full := append([]string{"-q", "--dpi", "-o", out}, args...)
	code, _, stderr := convert(t, append(full, inputs...)...)
	if code != 0 && !knownBroken[filepath.Base(inputs[0])] {
		t.Fatalf("convert exit %d: %s", code, stderr)
	}
	msgs := ipfixcheck.All(t, out)
	names := appNames(t, msgs)
	var recs []dpiRecord
	for _, r := range ipfixcheck.FlowRecords(msgs) {
		d := toDPIRecord(r)
		if id := fmt.Sprintf("%x", d.Fields["applicationId"]); names[id] != d.App {
			t.Errorf("%s: applicationId %s named %q, the record says %q", d.Key, id, names[id],
				d.App)
		}
		recs = append(recs, d)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return recs, data
}

// appNames maps the applicationId values (in hex) of the RFC 6759
// options records of msgs to the names they give, and fails the test when
// one id is given two names.
func appNames(tb testing.TB, msgs []*ipfix.Message) map[string]string {
	tb.Helper()
	names := map[string]string{}
	for _, m := range msgs {
		for i := range m.Sets {
			for j := range m.Sets[i].Records {
				r := &m.Sets[i].Records[j]
				id, okID := r.Field("applicationId")
				name, okName := r.Field("applicationName")
				if !r.Options() || !okID || !okName {
					continue
				}
				k, n := fmt.Sprintf("%x", id.Value), name.Value.(string)
				if old, seen := names[k]; seen && old != n {
					tb.Errorf("applicationId %s named %q and %q", k, old, n)
				}
				names[k] = n
			}
		}
	}
	return names
}

func toDPIRecord(r *ipfix.Record) dpiRecord {
	v := map[string]any{}
	for _, f := range r.Fields {
		v[f.Name] = f.Value
	}
	g := recordLine(r)
	d := dpiRecord{Key: fmt.Sprintf("%s>%s/%d", g.Src, g.Dst, g.Proto), Fields: v}
	d.App, _ = v["applicationName"].(string)
	for _, n := range []string{"httpRequestHost", "tlsServerName", "dnsQueryName",
		"mailServerDomain"} {
		if s, ok := v[n].(string); ok && s != "" {
			d.Server = s
			break
		}
	}
	return d
}

// directFlow is a connection as a test groups it: by 5-tuple over the
// whole capture, the initiator being the first packet's sender (its
// receiver when that packet is a SYN+ACK), as the flow table decides.
type directFlow struct {
	keys [2]string
	info dpi.FlowInfo
	segs []dpi.Segment
}

// directVerdicts classifies every TCP and UDP connection of a capture
// with a dpi.Session of the default registry, without the pipeline. The
// map's keys name both directions of each connection.
func directVerdicts(tb testing.TB, path string) map[string]dpi.Verdict {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := capture.NewReader(f)
	if err != nil {
		tb.Fatal(err)
	}
	flows := map[string]*directFlow{}
	var all []*directFlow
	var dec packet.Decoder
	var fr capture.Frame
	for {
		if err := r.Next(&fr); err != nil {
			if !errors.Is(err, io.EOF) {
				tb.Logf("%s: %v", filepath.Base(path), err)
			}
			break
		}
		var p packet.Packet
		if dec.Decode(fr.LinkType, fr.Data, &p) != nil || p.Fragmented && !p.FirstFrag ||
			p.Proto != dpi.IPProtoTCP && p.Proto != dpi.IPProtoUDP {
			continue
		}
		src, dst := netip.AddrPortFrom(p.Src, p.SrcPort), netip.AddrPortFrom(p.Dst, p.DstPort)
		key := fmt.Sprintf("%s>%s/%d", src, dst, p.Proto)
		fl := flows[key]
		if fl == nil {
			fl = &directFlow{info: dpi.FlowInfo{IPProto: p.Proto, Initiator: src, Responder: dst},
				keys: [2]string{key, fmt.Sprintf("%s>%s/%d", dst, src, p.Proto)}}
			if p.Proto == dpi.IPProtoTCP && p.TCPFlags&0x12 == 0x12 {
				fl.info.Initiator, fl.info.Responder = dst, src
			}
			flows[fl.keys[0]], flows[fl.keys[1]] = fl, fl
			all = append(all, fl)
		}
		dir := dpi.FromInitiator
		if src != fl.info.Initiator {
			dir = dpi.FromResponder
		}
		fl.segs = append(fl.segs, dpi.Segment{Dir: dir, Time: fr.Time, Seq: p.TCPSeq,
			Flags: uint8(p.TCPFlags), Payload: append([]byte(nil), p.Payload...)})
	}
	out := map[string]dpi.Verdict{}
	for _, fl := range all {
		s := dpi.NewSession(dpi.Config{}, fl.info)
		for i := range fl.segs {
			if s.Add(&fl.segs[i]) {
				break
			}
		}
		out[fl.keys[0]], out[fl.keys[1]] = s.Verdict(), s.Verdict()
	}
	return out
}
