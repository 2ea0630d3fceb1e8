package actors

import (
	"context"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// sharedCorpus returns a capture of ../shared/corpus, or skips.
func sharedCorpus(tb testing.TB, name string) string {
	tb.Helper()
	path := filepath.Join("..", "..", "shared", "corpus", "pcap", name)
	if _, err := os.Stat(path); err != nil {
		tb.Skipf("shared corpus not found at ../../shared/corpus: %v", err)
	}
	return path
}

// The data connections an FTP control connection announces are FTP_DATA
// whatever the shards, batches and windows, and whichever actor runs
// first: the control connection's reply, the data connection and its
// data share one reader batch when batches are large, and arrive in turn
// when they are small. Every record is what the synchronous model gives.
func TestDPIAnnouncedFlows(t *testing.T) {
	in := sharedCorpus(t, "ndpi_ftp.pcap")
	meter := flow.Config{IdleTimeout: 300e9, ActiveTimeout: 1800e9}
	want := meterDirectDPI(t, meter, dpi.Config{}, in)
	data := 0
	for _, l := range want {
		if strings.Contains(l, "applicationName=FTP_DATA ") {
			data++
		}
	}
	if data != 4 {
		t.Fatalf("the model gives %d FTP_DATA records, want 4 (two connections, both ways)", data)
	}
	tests := []struct {
		name                  string
		shards, batch, window int
	}{
		{name: "one shard", shards: 1},
		{name: "four shards", shards: 4},
		{name: "three shards, batch 1, window 1", shards: 3, batch: 1, window: 1},
		{name: "two shards, batch 5, window 2", shards: 2, batch: 5, window: 2},
	}
	sys := newSystem(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for range 3 {
				out := filepath.Join(t.TempDir(), "out.ipfix")
				res := Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out,
					Meter: meter, DPI: true, Shards: tc.shards, BatchSize: tc.batch,
					Window: tc.window}, 0, nil)
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				got := renderIPFIX(t, readFile(t, out))
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("records differ from the model:\n got %s\nwant %s",
						strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if res.DPIActors != 0 || res.DPITracked != 0 {
					t.Errorf("%d DPI actors, %d connections tracked at the end", res.DPIActors,
						res.DPITracked)
				}
			}
		})
	}
}

// An announced flow joins the two addresses of its announcer with the
// same IP protocol, on other ports: flow.ShardOf places it on the
// announcer's shard, which is why the shards need not pass expectations
// to each other (shard_expect.go).
func TestAnnouncedFlowsShareTheShard(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	addr := func(v6 bool) netip.Addr {
		if v6 {
			var b [16]byte
			for i := range b {
				b[i] = byte(rng.UintN(256))
			}
			return netip.AddrFrom16(b)
		}
		return netip.AddrFrom4([4]byte{byte(rng.UintN(256)), byte(rng.UintN(256)),
			byte(rng.UintN(256)), byte(rng.UintN(256))})
	}
	port := func() uint16 { return uint16(rng.UintN(65536)) }
	for i := range 2000 {
		v6 := i%2 == 1
		client, server := addr(v6), addr(v6)
		control := packet.Packet{Src: client, Dst: server, SrcPort: port(), DstPort: 21,
			Proto: dpi.IPProtoTCP}
		passive := packet.Packet{Src: client, Dst: server, SrcPort: port(), DstPort: port(),
			Proto: dpi.IPProtoTCP}
		active := packet.Packet{Src: server, Dst: client, SrcPort: 20, DstPort: port(),
			Proto: dpi.IPProtoTCP}
		for n := 2; n <= 16; n++ {
			s := flow.ShardOf(&control, n)
			if flow.ShardOf(&passive, n) != s || flow.ShardOf(&active, n) != s {
				t.Fatalf("%v and %v: the control connection on shard %d of %d, data on %d and %d",
					client, server, s, n, flow.ShardOf(&passive, n), flow.ShardOf(&active, n))
			}
		}
	}
}
