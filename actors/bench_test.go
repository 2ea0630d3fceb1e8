package actors

import (
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
)

// spawner is a parent that runs flows through DPI actors one after the
// other, as a shard does: spawn, send the flow's batches (the last one
// with End), take each back, and on the verdict start the next flow.
type spawner struct {
	props   *actor.Props
	batches int // per flow
	flows   int
	done    chan struct{}

	sent int
	m    []*dpiBatch
}

func (s *spawner) Receive(c actor.Context) {
	switch m := c.Message().(type) {
	case *actor.Started:
		s.next(c)
	case *dpiReturned:
		if !m.Done {
			return
		}
		if s.flows--; s.flows == 0 {
			close(s.done)
			return
		}
		s.next(c)
	}
}

func (s *spawner) next(c actor.Context) {
	pid := c.SpawnPrefix(s.props, "dpi")
	for i, m := range s.m {
		*m = dpiBatch{First: i == 0, End: i == len(s.m)-1, Segs: m.Segs,
			Info: dpi.FlowInfo{IPProto: dpi.IPProtoUDP,
				Initiator: netip.MustParseAddrPort("192.0.2.10:40000"),
				Responder: netip.MustParseAddrPort("198.51.100.20:9999")}}
		c.Send(pid, m)
	}
}

// BenchmarkDPIActorLifecycle measures what one flow's DPI actor costs the
// actor system, apart from the dissectors (one that never decides and
// reads nothing): spawn, its messages there and back, and its stop. One
// op is one flow.
func BenchmarkDPIActorLifecycle(b *testing.B) {
	reg, err := dpi.NewRegistry(dpi.Dissector{Name: "undecided", Transports: dpi.UDP,
		Start: func(*dpi.FlowInfo) dpi.State { return undecided{} }})
	if err != nil {
		b.Fatal(err)
	}
	for _, batches := range []int{1, 4} {
		b.Run(map[int]string{1: "one batch", 4: "four batches"}[batches], func(b *testing.B) {
			sys := newSystem(b)
			done := make(chan struct{})
			var parent *actor.PID
			s := &spawner{batches: batches, flows: b.N, done: done}
			for range batches {
				s.m = append(s.m, &dpiBatch{Segs: []dpi.Segment{{Payload: []byte("x")}}})
			}
			b.ReportAllocs()
			b.ResetTimer()
			parent = sys.Root.Spawn(actor.PropsFromProducer(func() actor.Actor {
				s.props = actor.PropsFromProducer(func() actor.Actor {
					return &dpiActor{shard: parent, cfg: dpi.Config{Registry: reg}}
				})
				return s
			}))
			<-done
			b.StopTimer()
			sys.Root.Stop(parent)
		})
	}
}

// BenchmarkTaskDPI converts a synthetic office capture with and without
// DPI, two shards: the ratio of the two is the price of DPI. Bytes are
// the capture's.
func BenchmarkTaskDPI(b *testing.B) {
	dir := b.TempDir()
	in := synthCapture(b, dir, synth.Config{Seed: 31, Packets: 100000})
	st, err := os.Stat(in)
	if err != nil {
		b.Fatal(err)
	}
	sys := newSystem(b)
	for _, on := range []bool{false, true} {
		b.Run(map[bool]string{false: "off", true: "on"}[on], func(b *testing.B) {
			b.SetBytes(st.Size())
			b.ReportAllocs()
			var res Result
			for b.Loop() {
				out := filepath.Join(dir, "out.ipfix")
				res = Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out,
					DPI: on, Shards: 2, Overwrite: true}, 0, nil)
				if res.Err != nil {
					b.Fatal(res.Err)
				}
			}
			b.ReportMetric(float64(res.Packets)*float64(b.N)/b.Elapsed().Seconds(), "packets/s")
			b.ReportMetric(float64(res.DPIFlows), "dpi-flows/op")
		})
	}
}

// undecided is a dissector state that never decides.
type undecided struct{}

func (undecided) Inspect(*dpi.Input, *dpi.Result) dpi.Status { return dpi.Continue }
