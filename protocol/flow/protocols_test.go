package flow

import (
	"errors"
	"strings"
	"testing"
)

func TestParseProtocols(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []string
		has     []uint8
		hasNot  []uint8
		all     bool
		str     string
		wantErr bool
	}{
		{name: "nil means all", in: nil, has: []uint8{1, 6, 17, 255}, all: true, str: "all"},
		{name: "only empty names", in: []string{"", " "}, all: true, str: "all"},
		{name: "tcp udp", in: []string{"tcp", "udp"}, has: []uint8{6, 17},
			hasNot: []uint8{1, 58, 132}, str: "tcp,udp"},
		{name: "case and spaces", in: []string{" TCP", "IcMpV6 "}, has: []uint8{6, 58},
			hasNot: []uint8{1, 17}, str: "tcp,icmp6"},
		{name: "aliases", in: []string{"ipv6-icmp", "icmp6"}, has: []uint8{58},
			hasNot: []uint8{1}, str: "icmp6"},
		{name: "numbers", in: []string{"132", "0", "253"}, has: []uint8{0, 132, 253},
			hasNot: []uint8{6}, str: "0,sctp,253"},
		{name: "ip means all", in: []string{"tcp", "ip"}, has: []uint8{1, 99}, all: true,
			str: "all"},
		{name: "all", in: []string{"ALL"}, has: []uint8{200}, all: true, str: "all"},
		{name: "unknown name", in: []string{"tcp", "http"}, wantErr: true},
		{name: "number out of range", in: []string{"256"}, wantErr: true},
		{name: "negative number", in: []string{"-1"}, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ParseProtocols(tc.in)
			if tc.wantErr {
				if !errors.Is(err, ErrUnknownProtocol) {
					t.Fatalf("err = %v, want ErrUnknownProtocol", err)
				}
				for _, name := range []string{"tcp", "udp", "icmpv6", "sctp", "all"} {
					if !strings.Contains(err.Error(), name) {
						t.Errorf("error %q does not list %q", err, name)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tc.has {
				if !s.Has(p) {
					t.Errorf("set %s lacks %d", s, p)
				}
			}
			for _, p := range tc.hasNot {
				if s.Has(p) {
					t.Errorf("set %s has %d", s, p)
				}
			}
			if s.All() != tc.all || s.String() != tc.str {
				t.Errorf("All() = %v, String() = %q; want %v, %q", s.All(), s, tc.all, tc.str)
			}
			if back, err := ParseProtocols(strings.Split(s.String(), ",")); err != nil ||
				back.All() != s.All() || !back.All() && back != s {
				t.Errorf("String %q does not parse back: %v", s, err)
			}
		})
	}
}
