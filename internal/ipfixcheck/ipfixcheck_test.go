package ipfixcheck

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// recorder is a testing.TB that keeps the failures it is told about.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

// failures runs check with a recorder and returns what it reported.
func failures(t *testing.T, check func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.errs
}

// stream writes an IPFIX file of n flow records in n messages.
func stream(t *testing.T, n int) (path string, msgs [][]byte) {
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{Now: func() time.Time { return time.Unix(1700000100, 0) }},
		func(m []byte) error {
			msgs = append(msgs, append([]byte(nil), m...))
			return nil
		})
	for i := range n {
		r := flow.Record{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.1"),
			Dst: netip.MustParseAddr("192.0.2.2"), SrcPort: uint16(1000 + i), DstPort: 53, Proto: 17},
			Fwd:       flow.Counters{Start: 1700000000e9, End: 1700000001e9, Packets: 2, Octets: 120},
			EndReason: flow.EndIdle}
		if err := enc.Add(&r); err != nil {
			t.Fatal(err)
		}
		if err := enc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	return write(t, "good.ipfix", msgs...), msgs
}

func write(t *testing.T, name string, msgs ...[]byte) string {
	path := filepath.Join(t.TempDir(), name)
	var all []byte
	for _, m := range msgs {
		all = append(all, m...)
	}
	if err := os.WriteFile(path, all, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestChecksPassAndFail(t *testing.T) {
	good, msgs := stream(t, 3)
	want := Counts{Messages: 3, Templates: 1, Data: 3}
	if got := Count(Decode(t, good)); got != want {
		t.Fatalf("counts %+v, want %+v", got, want)
	}
	// A repeated message breaks the sequence numbers.
	repeated := write(t, "repeated.ipfix", msgs[0], msgs[1], msgs[1], msgs[2])
	wrong := Counts{Messages: 4, Templates: 1, Data: 4}
	tests := []struct {
		name  string
		check func(tb testing.TB, file string, want Counts)
		tool  string
	}{
		{name: "ipfixDump", check: IPFIXDump, tool: "ipfixDump"},
		{name: "tshark", check: TShark, tool: "tshark"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			Tool(t, tc.tool, tc.tool)
			if errs := failures(t, func(tb testing.TB) { tc.check(tb, good, want) }); len(errs) > 0 {
				t.Errorf("good file: %s", strings.Join(errs, "\n"))
			}
			if errs := failures(t, func(tb testing.TB) { tc.check(tb, good, wrong) }); len(errs) == 0 {
				t.Error("wrong counts were not noticed")
			}
			if tc.name == "ipfixDump" {
				errs := failures(t, func(tb testing.TB) { tc.check(tb, repeated, wrong) })
				if len(errs) == 0 {
					t.Error("a repeated message was not noticed")
				}
			}
		})
	}
	if errs := failures(t, func(tb testing.TB) { Decode(tb, repeated) }); len(errs) == 0 {
		t.Error("the strict decoder took a repeated message")
	}
}

// Values that read like reports ("Unknown" is nDPI's name for what it
// could not classify) are data, not problems.
func TestIPFIXDumpValuesAreNotProblems(t *testing.T) {
	Tool(t, "ipfixDump", "libfixbuf-tools")
	var msgs [][]byte
	enc := ipfix.NewEncoder(ipfix.EncoderConfig{NameApps: true}, func(m []byte) error {
		msgs = append(msgs, append([]byte(nil), m...))
		return nil
	})
	for i, name := range []string{"Unknown", "Error: warning, illegal value expected"} {
		r := flow.Record{Key: flow.Key{Src: netip.MustParseAddr("192.0.2.1"),
			Dst: netip.MustParseAddr("192.0.2.2"), SrcPort: uint16(1000 + i), DstPort: 53, Proto: 17},
			Fwd:       flow.Counters{Start: 1700000000e9, End: 1700000001e9, Packets: 2, Octets: 120},
			EndReason: flow.EndIdle, App: &flow.App{Name: name, ID: uint32(i)}}
		if err := enc.Add(&r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Flush(); err != nil {
		t.Fatal(err)
	}
	file := write(t, "apps.ipfix", msgs...)
	if errs := failures(t, func(tb testing.TB) { IPFIXDump(tb, file, Count(Decode(t, file))) }); len(errs) > 0 {
		t.Errorf("reported: %s", strings.Join(errs, "\n"))
	}
}
