package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/ipfixcheck"
	"github.com/ipfixweb/ipfixweb/internal/synth"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// crashTasks is how many tasks the crash test submits.
const crashTasks = 20

// TestCrashRestart kills the server with SIGKILL at random moments while
// 20 tasks are submitted and run, restarting it each time. In the end
// every accepted task has completed, every output decodes in ipfixDump,
// and no temporary file is left under the output root. It takes about a
// minute, so it runs only when IPFIXWEB_CRASH_TEST is set (.ci/run sets
// it); IPFIXWEB_CRASH_SEED replays one run.
func TestCrashRestart(t *testing.T) {
	if os.Getenv("IPFIXWEB_CRASH_TEST") == "" {
		t.Skip("set IPFIXWEB_CRASH_TEST=1 to kill the server at random moments across 20 tasks")
	}
	ipfixcheck.Tool(t, "ipfixDump", "libfixbuf-tools")
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("IPFIXWEB_CRASH_SEED"); v != "" {
		_, _ = fmt.Sscan(v, &seed)
	}
	t.Logf("seed %d (IPFIXWEB_CRASH_SEED replays it)", seed)
	r := rand.New(rand.NewPCG(seed, 1))

	base := t.TempDir()
	in, out, data := filepath.Join(base, "in"), filepath.Join(base, "out"), filepath.Join(base, "data")
	for _, d := range []string{in, out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	capture := filepath.Join(in, "c.pcap")
	f, err := os.Create(capture)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Write(f, synth.Config{Seed: 31, Bytes: 8 << 20}); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	args := []string{"--input-root", in, "--output-root", out, "--data-dir", data, "--workers", "2"}

	var accepted []string
	submitted, kills := 0, 0
	for round := 0; round < 60 && kills < 30; round++ {
		s, _ := startServer(t, args...)
		for k := 1 + r.IntN(2); k > 0 && submitted < crashTasks; k-- {
			code, resp := s.post(map[string]any{"pcap_files": repeat(capture, 1+r.IntN(3)),
				"output_path": filepath.Join(out, fmt.Sprintf("t%02d.ipfix", submitted))})
			if code != 202 {
				t.Fatalf("submit %d: %d %v", submitted, code, resp)
			}
			accepted = append(accepted, fmt.Sprint(resp["task_id"]))
			submitted++
		}
		time.Sleep(time.Duration(r.IntN(600)) * time.Millisecond)
		if submitted == crashTasks && allEnded(s, accepted) {
			_, _ = s.signal(syscall.SIGKILL)
			break
		}
		if _, err := s.signal(syscall.SIGKILL); err == nil {
			t.Fatal("exit status 0 after SIGKILL")
		}
		kills++
	}

	s, _ := startServer(t, args...)
	for _, id := range accepted {
		tk := s.waitFor(id, 120*time.Second, ended)
		if tk.Status != task.Completed {
			t.Errorf("task %s: %s %s", id, tk.Status, tk.Error)
			continue
		}
		ipfixcheck.IPFIXDump(t, tk.Output.Path, ipfixcheck.Count(ipfixcheck.Decode(t, tk.Output.Path)))
	}
	t.Logf("%d tasks accepted, %d kills", len(accepted), kills)
	if len(accepted) != crashTasks {
		t.Errorf("%d tasks accepted, want %d", len(accepted), crashTasks)
	}
	var left []string
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".ipfix") {
			left = append(left, p)
		}
		return nil
	})
	if len(left) > 0 {
		t.Errorf("files left under the output root: %v", left)
	}
}

// allEnded reports whether every task in ids has reached a final state.
func allEnded(s *server, ids []string) bool {
	for _, id := range ids {
		if !ended(s.status(id)) {
			return false
		}
	}
	return true
}
