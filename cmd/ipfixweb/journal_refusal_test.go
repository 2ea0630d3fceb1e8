package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serveOnce runs "ipfixweb serve" on data and returns its output and exit
// error, killing it after 10 s if it is still running.
func serveOnce(t *testing.T, data string) (string, error) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(binary(t), "serve", "--listen", freePort(t), "--data-dir", data,
		"--input-root", dir, "--output-root", dir)
	done := make(chan struct{})
	var out []byte
	var err error
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("still running after 10 s on a journal it should refuse:\n%s", out)
	}
	return string(out), err
}

// A journal locked by another process, damaged, or emptied: the server
// refuses to start, says what to do, and never starts with no tasks.
func TestServeRefusesBadJournal(t *testing.T) {
	in, out, data, _ := serviceDirs(t)
	s, _ := startServer(t, "--input-root", in, "--output-root", out, "--data-dir", data)
	code, _ := s.post(map[string]any{"pcap_files": []string{filepath.Join(in, "big.pcap")},
		"output_path": filepath.Join(out, "a.ipfix")})
	if code != 202 {
		t.Fatalf("submit: %d", code)
	}
	msg, err := serveOnce(t, data)
	if err == nil || !strings.Contains(msg, "journal is locked by another process") ||
		!strings.Contains(msg, "stop the other ipfixweb using this --data-dir") ||
		strings.Contains(msg, "stacktrace") {
		t.Errorf("second server on a locked journal: %v\n%s", err, msg)
	}
	if _, err := s.signal(9); err == nil {
		t.Fatal("exit status 0 after SIGKILL")
	}
	journal := filepath.Join(data, "journal.db")
	good, err2 := os.ReadFile(journal)
	if err2 != nil {
		t.Fatal(err2)
	}
	tests := []struct {
		name   string
		damage func([]byte) []byte
	}{
		{name: "emptied", damage: func([]byte) []byte { return nil }},
		{name: "noise over its pages", damage: func(b []byte) []byte {
			for i := 2 * 4096; i < len(b); i++ {
				b[i] = byte(i*131 + 7)
			}
			return b
		}},
		{name: "cut short", damage: func(b []byte) []byte { return b[:3*4096] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := t.TempDir()
			data := tc.damage(append([]byte(nil), good...))
			if err := os.WriteFile(filepath.Join(bad, "journal.db"), data, 0o600); err != nil {
				t.Fatal(err)
			}
			msg, err := serveOnce(t, bad)
			if err == nil || !strings.Contains(msg, "journal is corrupt") ||
				!strings.Contains(msg, "move it away to start with an empty journal") {
				t.Errorf("server on a damaged journal: %v\n%s", err, msg)
			}
		})
	}
}
