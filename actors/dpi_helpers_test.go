package actors

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// modelConn is one connection of the synchronous DPI model.
type modelConn struct {
	sess *dpi.Session
	app  *flow.App // the verdict, once concluded
	told int       // expectations of sess added to the table
}

// meterDirectDPI is the rule the DPI pipeline follows, without actors:
// one flow table; a session per TCP or UDP connection from its first
// payload on, fed its SYNs and payloads in capture order; a connection's
// verdict is its session's verdict when the session is done or when the
// connection's first record ends, whichever comes first (a port guess
// counts as Unknown), named by its full name. A session starts with the
// protocol that earlier packets of other sessions announced for its
// connection. It returns the records as renderIPFIX lines.
func meterDirectDPI(tb testing.TB, cfg flow.Config, dcfg dpi.Config, inputs ...string) []string {
	tb.Helper()
	t := flow.NewTable(cfg)
	var conns []*modelConn
	unknown := &flow.App{Name: "Unknown"}
	syns := map[uint32][]dpi.Segment{}
	expect := dpi.NewExpectTable(expectTableSize, 0)
	verdict := func(m *modelConn) {
		if m.app != nil {
			return
		}
		v := m.sess.Verdict()
		m.app, m.sess = unknown, nil
		if v.DPI() != dpi.ProtoUnknown {
			m.app = &flow.App{Name: v.FullName(), ID: v.FullID(), Meta: v.Meta}
		}
	}
	var recs []flow.Record
	label := func(from int) {
		for i := from; i < len(recs); i++ {
			r := &recs[i]
			r.App = unknown
			if r.Tag == 0 {
				if p := dpi.ByIPProtocol(r.Key.Proto); p != dpi.ProtoUnknown {
					r.App = &flow.App{Name: p.String(), ID: uint32(p)}
				}
				continue
			}
			if conns[r.Tag-1] == nil {
				continue
			}
			verdict(conns[r.Tag-1])
			r.App = conns[r.Tag-1].app
		}
	}
	each(tb, inputs, func(p *packet.Packet) {
		n := len(recs)
		recs = t.Add(p, recs)
		label(n)
		c, ok := t.Last()
		if !ok || p.Proto != dpi.IPProtoTCP && p.Proto != dpi.IPProtoUDP {
			return
		}
		if c.Tag == 0 {
			conns = append(conns, nil)
			c.Tag = uint32(len(conns))
			t.SetTag(c, c.Tag)
		}
		dir := dpi.FromResponder
		if c.FromInitiator {
			dir = dpi.FromInitiator
		}
		seg := dpi.Segment{Dir: dir, Time: p.Time, Seq: p.TCPSeq, Payload: p.Payload,
			Flags: uint8(p.TCPFlags) & (dpi.FlagSYN | dpi.FlagFIN | dpi.FlagRST)}
		m := conns[c.Tag-1]
		if m == nil {
			if len(p.Payload) == 0 {
				if seg.Flags&dpi.FlagSYN != 0 && p.Proto == dpi.IPProtoTCP {
					syns[c.Tag] = append(syns[c.Tag], dpi.Segment{Dir: dir, Seq: p.TCPSeq,
						Flags: dpi.FlagSYN})
				}
				return
			}
			info := dpi.FlowInfo{IPProto: p.Proto,
				Initiator: netip.AddrPortFrom(p.Src, p.SrcPort),
				Responder: netip.AddrPortFrom(p.Dst, p.DstPort)}
			if dir == dpi.FromResponder {
				info.Initiator, info.Responder = info.Responder, info.Initiator
			}
			info.Expected = expect.Take(&info, p.Time)
			m = &modelConn{sess: dpi.NewSession(dcfg, info)}
			conns[c.Tag-1] = m
			for _, s := range lastSYNs(syns[c.Tag]) {
				m.sess.Add(&s)
			}
		}
		if m.app != nil {
			return
		}
		done := m.sess.Add(&seg)
		exp := m.sess.Expectations()
		expect.Add(exp[m.told:]...)
		m.told = len(exp)
		if done {
			verdict(m)
		}
	})
	n := len(recs)
	recs = t.Flush(flow.EndForced, recs)
	label(n)
	return encodeRecords(tb, recs)
}

// lastSYNs keeps the last SYN of each direction, initiator first, as a
// shard does.
func lastSYNs(segs []dpi.Segment) []dpi.Segment {
	var last [2]*dpi.Segment
	for i := range segs {
		last[segs[i].Dir] = &segs[i]
	}
	var out []dpi.Segment
	for _, s := range last {
		if s != nil {
			out = append(out, *s)
		}
	}
	return out
}

// each decodes every packet of the captures in order.
func each(tb testing.TB, inputs []string, fn func(*packet.Packet)) {
	tb.Helper()
	var d packet.Decoder
	for _, in := range inputs {
		r, err := capture.NewReader(bytes.NewReader(readFile(tb, in)))
		if err != nil {
			tb.Fatal(err)
		}
		var fr capture.Frame
		for {
			if err := r.Next(&fr); err != nil {
				if !errors.Is(err, io.EOF) {
					tb.Fatal(err)
				}
				break
			}
			var p packet.Packet
			if d.Decode(fr.LinkType, fr.Data, &p) == nil {
				p.Time, p.Interface = fr.Time, fr.Interface
				fn(&p)
			}
		}
	}
}

// encodeRecords encodes records as the writer does with DPI and renders
// them with renderIPFIX.
func encodeRecords(tb testing.TB, recs []flow.Record) []string {
	tb.Helper()
	var out []byte
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{NameApps: true}, func(m []byte) error {
		out = append(out, m...)
		return nil
	})
	if err := enc.DescribeEnterpriseElements(); err != nil {
		tb.Fatal(err)
	}
	for i := range recs {
		if err := enc.Add(&recs[i]); err != nil {
			tb.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		tb.Fatal(err)
	}
	return renderIPFIX(tb, out)
}

// liveActors counts the actors of sys whose id contains part.
func liveActors(sys *actor.ActorSystem, part string) int {
	n := 0
	for _, bucket := range sys.ProcessRegistry.LocalPIDs.LocalPIDs {
		for _, id := range bucket.Keys() {
			if strings.Contains(id, part) {
				n++
			}
		}
	}
	return n
}

// apps maps each flow record's "src:port>dst:port/proto" to its
// applicationName, from an IPFIX file.
func apps(tb testing.TB, file string) map[string]string {
	tb.Helper()
	f, err := os.Open(file)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	msgs, err := ipfix.ReadAllStrict(f)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range ipfix.DataRecords(msgs) {
		v := map[string]any{}
		for _, fl := range r.Fields {
			v[fl.Name] = fl.Value
		}
		src, dst := v["sourceIPv4Address"], v["destinationIPv4Address"]
		if src == nil {
			src, dst = v["sourceIPv6Address"], v["destinationIPv6Address"]
		}
		key := fmt.Sprintf("%v>%v/%d",
			netip.AddrPortFrom(src.(netip.Addr), uint16(v["sourceTransportPort"].(uint64))),
			netip.AddrPortFrom(dst.(netip.Addr), uint16(v["destinationTransportPort"].(uint64))),
			v["protocolIdentifier"])
		name, _ := v["applicationName"].(string)
		out[key] = name
	}
	return out
}
