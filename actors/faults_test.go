package actors

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// A panic in any stage fails its task with a message naming the stage;
// nothing is published and the actor system runs the next task.
func TestStagePanicFailsTask(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 5, Packets: 20000})
	sys := newSystem(t)
	for _, stage := range []string{"reader", "shard", "writer"} {
		t.Run(stage, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			spec := Spec{Inputs: []string{in}, Output: out, Shards: 2, BatchSize: 64,
				Fault: func(s string, n uint64) {
					if s == stage && n == 3 {
						panic("injected fault")
					}
				}}
			res := Run(context.Background(), sys, spec, 0, nil)
			var pe *PanicError
			if !errors.As(res.Err, &pe) || !strings.Contains(pe.Error(), stage) ||
				!strings.Contains(pe.Error(), "injected fault") {
				t.Fatalf("result error %v, want a PanicError naming %s", res.Err, stage)
			}
			if left := leftovers(t, filepath.Dir(out)); len(left) > 0 {
				t.Errorf("files left: %v", left)
			}
			// The system still converts.
			res = Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out}, 0, nil)
			if res.Err != nil || res.Packets != 20000 {
				t.Errorf("next task: %v, %d packets", res.Err, res.Packets)
			}
		})
	}
}

// Cancelling stops the task within a second and leaves nothing behind.
func TestCancel(t *testing.T) {
	dir := t.TempDir()
	in := synthCapture(t, dir, synth.Config{Seed: 6, Packets: 200000})
	sys := newSystem(t)
	out := filepath.Join(t.TempDir(), "out.ipfix")
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var once bool
	spec := Spec{Inputs: []string{in}, Output: out, BatchSize: 16,
		Fault: func(s string, n uint64) {
			if s == "writer" && !once {
				once = true
				close(started)
			}
			if s == "reader" {
				time.Sleep(time.Millisecond) // keep the task running long enough to cancel
			}
		}}
	cancelled := make(chan time.Time, 1)
	go func() {
		<-started
		cancelled <- time.Now()
		cancel()
	}()
	res := Run(ctx, sys, spec, 0, nil)
	stopped := time.Since(<-cancelled)
	if !errors.Is(res.Err, ErrCancelled) {
		t.Fatalf("result %v, want cancelled", res.Err)
	}
	if res.Packets == 200000 {
		t.Error("the whole input was read before the cancel took effect")
	}
	if stopped > time.Second {
		t.Errorf("the task took %s to stop", stopped)
	}
	if left := leftovers(t, filepath.Dir(out)); len(left) > 0 {
		t.Errorf("files left: %v", left)
	}
}

// Inputs that cannot be read are reported with their file and offset; the
// others are converted. When none can be read there is no output.
func TestUnreadableInputs(t *testing.T) {
	dir := t.TempDir()
	good := synthCapture(t, dir, synth.Config{Seed: 7, Packets: 1000})
	missing := filepath.Join(dir, "missing.pcap")
	junk := filepath.Join(dir, "junk.pcap")
	if err := os.WriteFile(junk, []byte("this is not a capture file at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(dir, "cut.pcap")
	data := readFile(t, good)
	if err := os.WriteFile(cut, data[:len(data)-10], 0o644); err != nil {
		t.Fatal(err)
	}
	sys := newSystem(t)
	t.Run("some readable", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.ipfix")
		res := Run(context.Background(), sys, Spec{Inputs: []string{missing, good, junk, cut},
			Output: out}, 0, nil)
		if res.Err != nil {
			t.Fatalf("result %v", res.Err)
		}
		var got []string
		for _, e := range res.Errors {
			got = append(got, e.Error())
		}
		text := strings.Join(got, "\n")
		for _, want := range []string{missing + ": offset 0: no such file",
			junk + ": offset 0: ", cut + ": offset "} {
			if !strings.Contains(text, want) {
				t.Errorf("errors %q lack %q", text, want)
			}
		}
		if len(res.Errors) != 3 || res.Packets != 1999 {
			t.Errorf("%d errors, %d packets (want 3 errors, 1000 + 999 packets)", len(res.Errors), res.Packets)
		}
		if _, err := os.Stat(out); err != nil {
			t.Errorf("no output: %v", err)
		}
	})
	t.Run("none readable", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "out.ipfix")
		res := Run(context.Background(), sys, Spec{Inputs: []string{missing, junk}, Output: out}, 0, nil)
		if !errors.Is(res.Err, ErrNoOutput) || len(res.Errors) != 2 {
			t.Fatalf("result %v, errors %v", res.Err, res.Errors)
		}
		if left := leftovers(t, filepath.Dir(out)); len(left) > 0 {
			t.Errorf("files left: %v", left)
		}
	})
	t.Run("output directory missing", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "no", "such", "dir", "out.ipfix")
		res := Run(context.Background(), sys, Spec{Inputs: []string{good}, Output: out}, 0, nil)
		if res.Err == nil || !strings.Contains(res.Err.Error(), "create output") {
			t.Fatalf("result %v", res.Err)
		}
	})
}

// Peak heap does not grow with the length of the input: a capture five
// times longer, with the same number of flows alive at once, peaks at
// about the same heap, with DPI or without.
func TestMemoryFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("converts 100 MB")
	}
	dir := t.TempDir()
	small := synthCapture(t, dir, synth.Config{Seed: 8, Bytes: 20 << 20})
	large := synthCapture(t, dir, synth.Config{Seed: 8, Bytes: 100 << 20})
	sys := newSystem(t)
	peak := func(in string, dpi bool) uint64 {
		runtime.GC()
		var max uint64
		stop := make(chan struct{})
		done := make(chan struct{})
		go func() {
			defer close(done)
			var ms runtime.MemStats
			for {
				runtime.ReadMemStats(&ms)
				max = maxU(max, ms.HeapAlloc)
				select {
				case <-stop:
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
		}()
		out := filepath.Join(t.TempDir(), "out.ipfix")
		res := Run(context.Background(), sys, Spec{Inputs: []string{in}, Output: out, DPI: dpi,
			Meter: flow.Config{IdleTimeout: 2 * time.Second}}, 0, nil)
		close(stop)
		<-done
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		t.Logf("%s, DPI %v: %d packets, %d flows, %d inspected, peak heap %d MiB",
			filepath.Base(in), dpi, res.Packets, res.Flows, res.DPIFlows, max>>20)
		return max
	}
	for _, dpi := range []bool{false, true} {
		ps, pl := peak(small, dpi), peak(large, dpi)
		// With DPI the reader keeps the payloads in its batches, whose
		// buffers grow to the fullest batch seen, and a longer capture
		// is likelier to hold one: the heap may double once (measured:
		// 32, 57 and 61 MiB for 20, 100 and 300 MB), never grow with
		// the input.
		limit := ps*3/2 + 8<<20
		if dpi {
			limit = 2*ps + 8<<20
		}
		if pl > limit {
			t.Errorf("DPI %v: peak heap %d MiB for the large capture, %d MiB for the small one",
				dpi, pl>>20, ps>>20)
		}
	}
}

func maxU(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
