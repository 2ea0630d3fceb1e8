package export

import (
	"errors"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want URL
		err  string // part of the error; empty when valid
	}{
		{name: "udp address", in: "udp://127.0.0.1:2055", want: URL{"udp", "127.0.0.1", 2055}},
		{name: "tcp name", in: "tcp://collector.example.net:4739",
			want: URL{"tcp", "collector.example.net", 4739}},
		{name: "ipv6 in brackets", in: "udp://[2001:db8::1]:4739", want: URL{"udp", "2001:db8::1", 4739}},
		{name: "upper-case scheme", in: "TCP://h:1", want: URL{"tcp", "h", 1}},
		{name: "trailing slash", in: "udp://h:9995/", want: URL{"udp", "h", 9995}},
		{name: "http scheme", in: "http://h:80", err: `scheme "http"`},
		{name: "no scheme", in: "h:4739", err: "udp://host:port"},
		{name: "bare host", in: "collector", err: "udp://host:port"},
		{name: "no port", in: "udp://h", err: "no port"},
		{name: "empty port", in: "udp://h:", err: "no port"},
		{name: "port zero", in: "udp://h:0", err: "not 1 to 65535"},
		{name: "port too large", in: "udp://h:65536", err: "not 1 to 65535"},
		{name: "no host", in: "udp://:4739", err: "no host"},
		{name: "path", in: "tcp://h:4739/x", err: "nothing may follow"},
		{name: "query", in: "tcp://h:4739?a=b", err: "nothing may follow"},
		{name: "user", in: "tcp://u@h:4739", err: "nothing may follow"},
		{name: "bad host", in: "udp://a..b:1", err: "neither an IP address"},
		{name: "space in host", in: "udp://a%20b:1", err: "udp://host:port"},
		{name: "underscore name", in: "udp://my_collector:1", want: URL{"udp", "my_collector", 1}},
		{name: "ipv6 without brackets", in: "udp://::1:4739", err: "in brackets"},
		{name: "ipv6 without brackets or port", in: "tcp://2001:db8::1:2:3", err: "in brackets"},
		{name: "ipv6 zone", in: "udp://[fe80::1%25eth0]:9", want: URL{"udp", "fe80::1%eth0", 9}},
		{name: "empty", in: "", err: "udp://host:port"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseURL(tc.in)
			if tc.err == "" {
				if err != nil || got != tc.want {
					t.Fatalf("ParseURL(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
				}
				if again, err := ParseURL(got.String()); err != nil || again != got {
					t.Errorf("%q does not read back: %+v, %v", got.String(), again, err)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrURL) || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("ParseURL(%q) error %v, want one with %q", tc.in, err, tc.err)
			}
		})
	}
}

// FuzzParseURL: no input panics, and every accepted URL reads back as
// itself from its String.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"udp://127.0.0.1:2055", "tcp://[::1]:4739", "tcp://h:1/", "x://y",
		"udp://[fe80::1%25eth0]:9", "udp://h:99999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, err := ParseURL(s)
		if err != nil {
			return
		}
		if again, err := ParseURL(u.String()); err != nil || again != u {
			t.Fatalf("%q gave %+v, which reads back as %+v, %v", s, u, again, err)
		}
	})
}
