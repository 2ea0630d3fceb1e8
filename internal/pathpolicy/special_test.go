package pathpolicy

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func mkfifo(tb testing.TB, path string) {
	tb.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// within5s fails the test when f has not returned after a few seconds: a
// check that blocks on a named pipe never returns at all.
func within5s(tb testing.TB, what string, f func()) {
	tb.Helper()
	done := make(chan struct{})
	go func() { f(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		tb.Fatalf("%s blocked", what)
	}
}

// A named pipe under an input root is refused without blocking, at
// submit and when the task opens its files.
func TestNamedPipeInput(t *testing.T) {
	base, p := tree(t)
	pipe := filepath.Join(base, "in", "pipe.pcap")
	mkfifo(t, pipe)
	within5s(t, "Input", func() {
		_, err := p.Input(pipe)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
			t.Errorf("Input: %v", err)
		}
	})
	within5s(t, "OpenInput", func() {
		f, err := p.OpenInput(pipe)
		if f != nil {
			f.Close()
		}
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("OpenInput: %v", err)
		}
	})
	// A link to a pipe is the pipe.
	link := filepath.Join(base, "in", "to-pipe.pcap")
	if err := os.Symlink(pipe, link); err != nil {
		t.Fatal(err)
	}
	within5s(t, "Input through a link", func() {
		if _, err := p.Input(link); !errors.Is(err, ErrNotRegular) {
			t.Errorf("Input: %v", err)
		}
	})
	// A device is refused too.
	if _, err := os.Stat("/dev/null"); err == nil {
		dev, err := New([]string{"/dev"}, filepath.Join(base, "out"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := dev.Input("/dev/null"); !errors.Is(err, ErrNotRegular) ||
			!strings.Contains(err.Error(), "device") {
			t.Errorf("device: %v", err)
		}
	}
}

// An opened input reads as blocking I/O again.
func TestOpenInputBlocking(t *testing.T) {
	base, p := tree(t)
	f, err := p.OpenInput(filepath.Join(base, "in", "a.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rc, err := f.SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	var flags int
	_ = rc.Control(func(fd uintptr) {
		r, _, _ := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETFL, 0)
		flags = int(r)
	})
	if flags&syscall.O_NONBLOCK != 0 {
		t.Errorf("O_NONBLOCK still set: %#x", flags)
	}
	b := make([]byte, 8)
	if n, err := f.Read(b); n != 1 || err != nil {
		t.Errorf("read %d, %v", n, err)
	}
}

// Nothing in the data directory can be read or written, however it is
// named, even when a root holds it.
func TestReserved(t *testing.T) {
	base := t.TempDir()
	data := filepath.Join(base, "data")
	for _, d := range []string{data, filepath.Join(base, "other")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	journal := filepath.Join(data, "journal.db")
	if err := os.WriteFile(journal, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(data, filepath.Join(base, "other", "alias")); err != nil {
		t.Fatal(err)
	}
	p, err := New([]string{base}, base, data)
	if err != nil {
		t.Fatal(err)
	}
	inputs := []string{journal, base + "/other/../data/journal.db", base + "/other/alias/journal.db"}
	for _, in := range inputs {
		if _, err := p.Input(in); !errors.Is(err, ErrReserved) ||
			!strings.Contains(err.Error(), "data directory") {
			t.Errorf("Input(%q): %v", in, err)
		}
	}
	if f, err := p.OpenInput(journal); !errors.Is(err, ErrReserved) {
		if f != nil {
			f.Close()
		}
		t.Errorf("OpenInput: %v", err)
	}
	outputs := []string{journal, filepath.Join(data, "new.ipfix"), data,
		base + "/other/alias/journal.db"}
	for _, out := range outputs {
		if _, err := p.Output(out, true); !errors.Is(err, ErrReserved) {
			t.Errorf("Output(%q): %v", out, err)
		}
	}
	if _, err := p.Output(filepath.Join(base, "other", "x.ipfix"), false); err != nil {
		t.Errorf("output beside the data directory: %v", err)
	}
	// A root inside the data directory would make every path refused.
	if _, err := New([]string{base}, data, data); err == nil ||
		!strings.Contains(err.Error(), "inside the data directory") {
		t.Errorf("output root in the data directory: %v", err)
	}
	if _, err := New([]string{data}, base, data); err == nil {
		t.Error("input root in the data directory accepted")
	}
}
