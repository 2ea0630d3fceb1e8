package actors

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/synth"
)

// BenchmarkTaskCollector converts a synthetic office capture into a file,
// to a TCP collector and to a UDP collector (1400-octet datagrams), two
// shards: what streaming costs next to writing a file. Bytes are the
// capture's.
func BenchmarkTaskCollector(b *testing.B) {
	dir := b.TempDir()
	in := synthCapture(b, dir, synth.Config{Seed: 31, Packets: 100000})
	st, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	sys := newSystem(b)
	for _, dest := range []string{"file", "tcp", "udp"} {
		b.Run(dest, func(b *testing.B) {
			b.SetBytes(st.Size())
			b.ReportAllocs()
			var res Result
			for b.Loop() {
				spec := Spec{Inputs: []string{in}, Shards: 2, Overwrite: true}
				switch dest {
				case "file":
					spec.Output = filepath.Join(dir, "out.ipfix")
				default:
					spec.Collector = &export.Config{URL: discardCollector(b, dest)}
				}
				res = Run(context.Background(), sys, spec, 0, nil)
				if res.Err != nil {
					b.Fatal(res.Err)
				}
			}
			b.ReportMetric(float64(res.Packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
		})
	}
}

// discardCollector starts a collector that reads and drops everything,
// until the benchmark ends.
func discardCollector(b *testing.B, network string) export.URL {
	b.Helper()
	var addr string
	if network == "udp" {
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
		addr = pc.LocalAddr().String()
	} else {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { ln.Close() })
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, c)
				c.Close()
			}
		}()
		addr = ln.Addr().String()
	}
	return collectorURL(b, network+"://"+addr)
}
