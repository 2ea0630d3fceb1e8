package export

import (
	"io"
	"net"
	"testing"
)

// BenchmarkSend measures a sender on loopback with a collector that reads
// as fast as it can: one op is one message. Bytes are the messages'.
func BenchmarkSend(b *testing.B) {
	for _, tc := range []struct {
		name string
		size int
	}{
		{name: "udp 1400", size: 1400},
		{name: "tcp 64k", size: 65535},
	} {
		b.Run(tc.name, func(b *testing.B) {
			st := encodeRecords(b, 20000, tc.size)
			url := benchCollector(b, tc.size == 1400)
			s := New(Config{URL: mustURL(b, url)})
			ctx := testContext(b)
			if err := s.Open(ctx); err != nil {
				b.Fatal(err)
			}
			defer s.Abort()
			var octets int
			for _, m := range st.msgs {
				octets += len(m)
			}
			b.SetBytes(int64(octets / len(st.msgs)))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if err := s.Send(ctx, st.msgs[i%len(st.msgs)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
}

// benchCollector starts a collector that discards what it reads and
// returns its URL.
func benchCollector(b *testing.B, udp bool) string {
	b.Helper()
	if udp {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { pc.Close() })
		go func() {
			buf := make([]byte, 65536)
			for {
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return
				}
			}
		}()
		return "udp://" + pc.LocalAddr().String()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.Copy(io.Discard, c)
	}()
	return "tcp://" + ln.Addr().String()
}
