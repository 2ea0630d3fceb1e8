package dpi

import (
	"errors"
	"strings"
	"testing"
)

func TestSessionPanicPropagates(t *testing.T) {
	boom := testDissector("boom", TCP|UDP, func(*Input, *Result) Status { panic("dissector bug") })
	reg := mustRegistry(t, boom)
	s := NewSession(Config{Registry: reg}, flowInfo(IPProtoUDP, 40000, 53))
	defer func() {
		if r := recover(); r != "dissector bug" {
			t.Fatalf("recovered %v, want the dissector's panic", r)
		}
	}()
	s.Add(&Segment{Payload: []byte("x")})
	t.Fatal("Add returned after the dissector panicked")
}

func TestSessionBudget(t *testing.T) {
	never := testDissector("never", TCP|UDP, func(*Input, *Result) Status { return Continue })
	reg := mustRegistry(t, never)
	tests := []struct {
		name   string
		budget int
		want   int
	}{
		{name: "default", budget: 0, want: DefaultBudget},
		{name: "three", budget: 3, want: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSession(Config{Budget: tc.budget, Registry: reg}, flowInfo(IPProtoUDP, 1, 2))
			for i := 1; i <= 100; i++ {
				if s.Add(&Segment{}) { // no payload: never counts
					t.Fatal("done on an empty packet")
				}
				if s.Add(&Segment{Payload: []byte{1}}) {
					if i != tc.want {
						t.Fatalf("done after %d packets, want %d", i, tc.want)
					}
					return
				}
			}
			t.Fatal("never done")
		})
	}
}

func TestSessionOutcomes(t *testing.T) {
	matchAB := func(in *Input, res *Result) Status {
		b := in.Stream[in.Dir]
		if in.Flow.IPProto == IPProtoUDP {
			b = in.Payload
		}
		switch {
		case len(b) < 2:
			return Continue
		case string(b[:2]) != "AB":
			return Reject
		}
		res.Set(ProtoTelnet)
		res.Meta().mail().Banner = string(b)
		if len(b) >= 4 {
			return Final
		}
		return Match
	}
	reject := func(*Input, *Result) Status { return Reject }
	reg := mustRegistry(t,
		testDissector("reject", TCP|UDP, reject),
		testDissector("ab", TCP|UDP, matchAB),
		Dissector{Name: "guess", Proto: ProtoSSH, Transports: TCP, TCPPorts: []uint16{22},
			Start: func(*FlowInfo) State { return funcState(reject) }})
	tests := []struct {
		name     string
		info     FlowInfo
		pkts     []pkt
		want     Proto
		guess    bool
		banner   string
		wantDone bool
	}{
		{name: "udp final", info: flowInfo(IPProtoUDP, 1, 2),
			pkts: []pkt{{data: "ABCD"}}, want: ProtoTelnet, banner: "ABCD", wantDone: true},
		{name: "udp all reject", info: flowInfo(IPProtoUDP, 1, 2),
			pkts: []pkt{{data: "xx"}}, want: ProtoUnknown, wantDone: true},
		{name: "tcp match then final", info: flowInfo(IPProtoTCP, 1, 2),
			pkts: []pkt{{flags: FlagSYN}, {seq: 1, data: "A"}, {seq: 2, data: "B"}, {seq: 3, data: "CD"}},
			want: ProtoTelnet, banner: "ABCD", wantDone: true},
		{name: "tcp out of order", info: flowInfo(IPProtoTCP, 1, 2),
			pkts: []pkt{{flags: FlagSYN}, {seq: 2, data: "BC"}, {seq: 1, data: "A"}},
			want: ProtoTelnet, banner: "ABC"},
		{name: "tcp no SYN, start comes late", info: flowInfo(IPProtoTCP, 1, 2),
			pkts: []pkt{{seq: 3, data: "CD"}, {seq: 1, data: "AB"}},
			want: ProtoTelnet, banner: "ABCD", wantDone: true},
		{name: "port guess", info: flowInfo(IPProtoTCP, 5555, 22),
			pkts: []pkt{{flags: FlagSYN}, {seq: 1, data: "zz"}}, want: ProtoSSH, guess: true},
		{name: "other IP protocol", info: flowInfo(47, 0, 0),
			pkts: []pkt{{data: "AB"}}, want: ProtoUnknown, wantDone: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, done := runFlow(t, reg, tc.info, tc.pkts)
			if v.Proto != tc.want || v.Guess != tc.guess {
				t.Errorf("verdict %v guess %v, want %v guess %v", v.Proto, v.Guess, tc.want, tc.guess)
			}
			if got := ""; v.Meta != nil {
				got = orZero(v.Meta.Mail).Banner
				if got != tc.banner {
					t.Errorf("banner %q, want %q", got, tc.banner)
				}
			} else if tc.banner != "" {
				t.Errorf("no metadata, want banner %q", tc.banner)
			}
			if done != tc.wantDone {
				t.Errorf("done %v, want %v", done, tc.wantDone)
			}
		})
	}
}

// TestVerdictNotChangedLater checks that metadata handed out is never
// written again, while the session keeps improving its own.
func TestVerdictNotChangedLater(t *testing.T) {
	step := 0
	grow := testDissector("grow", UDP, func(in *Input, res *Result) Status {
		step++
		res.Set(ProtoDNS)
		m := res.Meta()
		m.dns().Name = strings.Repeat("a", step)
		m.tls().ALPN = append(m.tls().ALPN, "x")
		return Match
	})
	s := NewSession(Config{Registry: mustRegistry(t, grow)}, flowInfo(IPProtoUDP, 1, 53))
	s.Add(&Segment{Payload: []byte{1}})
	first := s.Verdict()
	s.Add(&Segment{Payload: []byte{1}})
	second := s.Verdict()
	if first.Meta.DNS.Name != "a" || len(first.Meta.TLS.ALPN) != 1 {
		t.Errorf("first verdict changed: %+v", first.Meta)
	}
	if second.Meta.DNS.Name != "aa" || len(second.Meta.TLS.ALPN) != 2 {
		t.Errorf("second verdict: %+v", second.Meta)
	}
}

func TestNewRegistryErrors(t *testing.T) {
	ok := testDissector("a", TCP, func(*Input, *Result) Status { return Reject })
	tests := []struct {
		name string
		ds   []Dissector
		want error
	}{
		{name: "duplicate", ds: []Dissector{ok, ok}, want: ErrDuplicate},
		{name: "no name", ds: []Dissector{{Transports: TCP, Start: ok.Start}}, want: ErrDissector},
		{name: "no start", ds: []Dissector{{Name: "b", Transports: TCP}}, want: ErrDissector},
		{name: "no transport", ds: []Dissector{{Name: "b", Start: ok.Start}}, want: ErrDissector},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := NewRegistry(tc.ds...); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
		})
	}
}

func TestProtoNames(t *testing.T) {
	tests := []struct {
		name string
		id   Proto
	}{
		{name: "Unknown", id: 0}, {name: "FTP_CONTROL", id: 1}, {name: "DNS", id: 5},
		{name: "HTTP", id: 7}, {name: "MDNS", id: 8}, {name: "NetBIOS", id: 10},
		{name: "TLS", id: 91}, {name: "SSH", id: 92}, {name: "LLMNR", id: 154},
		{name: "QUIC", id: 188}, {name: "GoogleClassroom", id: 281},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.id.String(); got != tc.name {
				t.Errorf("%d.String() = %q", tc.id, got)
			}
			if got, ok := ProtoByName(tc.name); !ok || got != tc.id {
				t.Errorf("ProtoByName(%q) = %d, %v", tc.name, got, ok)
			}
		})
	}
	if Proto(9999).String() != "Unknown" || Proto(9999).Known() {
		t.Error("an id nDPI does not define must read as Unknown")
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{name: "plain", in: "www.example.com", limit: 64, want: "www.example.com"},
		{name: "cut", in: "abcdef", limit: 3, want: "abc"},
		{name: "control", in: "a\r\nb\x00", limit: 64, want: "a??b?"},
		{name: "utf8 kept", in: "héllo", limit: 64, want: "héllo"},
		{name: "utf8 cut at boundary", in: "aé", limit: 2, want: "a"},
		{name: "invalid", in: "a\xffb", limit: 64, want: "a?b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Text([]byte(tc.in), tc.limit); got != tc.want {
				t.Errorf("Text(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
			}
		})
	}
}
