package ipfix

import (
	"net"
	"testing"
	"time"

	"github.com/calmh/ipfix"
)

// TestCalmhIPFIX reads our output with github.com/calmh/ipfix, an
// independent decoder. It skips options data silently and misreads NTP
// times (stack notes §4), so the check is the count of flow records and
// the values it does read right, compared with the records we encoded.
func TestCalmhIPFIX(t *testing.T) {
	recs := sampleRecords()
	for _, max := range []int{0, 1400} {
		out := sampleStream(t, max)
		session := ipfix.NewSession()
		msgs, err := session.ParseBufferAll(out.stream)
		if err != nil {
			t.Fatalf("max %d: calmh/ipfix: %v", max, err)
		}
		if len(msgs) != len(out.msgs) {
			t.Errorf("max %d: %d messages, want %d", max, len(msgs), len(out.msgs))
		}
		in := ipfix.NewInterpreter(session)
		var got []map[string]any
		for _, m := range msgs {
			for _, dr := range m.DataRecords {
				fields := map[string]any{}
				for _, f := range in.Interpret(dr) {
					fields[f.Name] = f.Value
				}
				got = append(got, fields)
			}
		}
		if len(got) != len(recs) {
			t.Fatalf("max %d: %d flow records, want %d", max, len(got), len(recs))
		}
		for i, r := range recs {
			f := got[i]
			src := "sourceIPv4Address"
			if r.Key.Src.Is6() {
				src = "sourceIPv6Address"
			}
			ip, _ := f[src].(*net.IP)
			if ip == nil || !net.IP(r.Key.Src.AsSlice()).Equal(*ip) {
				t.Errorf("record %d: %s %v, want %v", i, src, f[src], r.Key.Src)
			}
			if f["octetDeltaCount"] != r.Fwd.Octets || f["packetDeltaCount"] != r.Fwd.Packets {
				t.Errorf("record %d: counters %v/%v", i, f["octetDeltaCount"],
					f["packetDeltaCount"])
			}
			if start, ok := f["flowStartMilliseconds"].(time.Time); ok &&
				start.UnixMilli() != r.Fwd.Start/1e6 {
				t.Errorf("record %d: flowStartMilliseconds %v", i, start)
			}
			if r.Biflow && f["reverseOctetDeltaCount"] != r.Rev.Octets {
				t.Errorf("record %d: reverseOctetDeltaCount %v", i, f["reverseOctetDeltaCount"])
			}
			if r.App != nil && f["applicationName"] != r.App.Name {
				t.Errorf("record %d: applicationName of %d octets, want %d", i,
					len(f["applicationName"].(string)), len(r.App.Name))
			}
		}
	}
}
