package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/synth"
)

// Outputs that cannot be written are refused before anything is read, and
// an input is never replaced by the output.
func TestConvertRefusesOutputs(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sample.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.pcap")
	if err := os.WriteFile(in, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pcap")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "pipe.ipfix")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	outLink := filepath.Join(dir, "out-link.ipfix")
	if err := os.Symlink(filepath.Join(dir, "elsewhere.ipfix"), outLink); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "elsewhere.ipfix"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	danglingLink := filepath.Join(dir, "dangling.ipfix")
	if err := os.Symlink(filepath.Join(dir, "missing.ipfix"), danglingLink); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{name: "output is the input", args: []string{"-o", in, in}, wantErr: "is also an input"},
		{name: "output links to the input", args: []string{"-o", link, in},
			wantErr: "is also an input"},
		{name: "output is a directory", args: []string{"-o", dir, in}, wantErr: "is a directory"},
		{name: "output directory missing", args: []string{"-o", filepath.Join(dir, "no", "x"), in},
			wantErr: "no such file or directory"},
		{name: "output is a named pipe", args: []string{"-o", fifo, in}, wantErr: "is a named pipe"},
		{name: "output is a device", args: []string{"-o", os.DevNull, in}, wantErr: "is a device"},
		{name: "output is a link", args: []string{"-o", outLink, in}, wantErr: "symbolic link"},
		{name: "output is a dangling link", args: []string{"-o", danglingLink, in},
			wantErr: "symbolic link"},
		{name: "shards past the limit", args: []string{"--shards", "100000", "-o",
			filepath.Join(dir, "x.ipfix"), in}, wantErr: "--shards"},
		{name: "negative shards", args: []string{"--shards", "-3", "-o",
			filepath.Join(dir, "x.ipfix"), in}, wantErr: "--shards"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := convert(t, append([]string{"-q"}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.wantErr)
			}
			if got, err := os.ReadFile(in); err != nil || !bytes.Equal(got, sample) {
				t.Errorf("the input changed (%v)", err)
			}
		})
	}
}

// The summary says how many inputs were read to their end and how many
// were not, counts flows as connections and records as records.
func TestConvertSummary(t *testing.T) {
	dir := t.TempDir()
	sample, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sample.pcap"))
	if err != nil {
		t.Fatal(err)
	}
	whole, cut := filepath.Join(dir, "whole.pcap"), filepath.Join(dir, "cut.pcap")
	if err := os.WriteFile(whole, sample, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, sample[:len(sample)-7], 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inputs []string
		code   int
		files  string
	}{
		{name: "whole", inputs: []string{whole}, files: "files 1 of 1 read to the end  packets"},
		{name: "one cut, one missing", inputs: []string{whole, cut, filepath.Join(dir, "none.pcap")},
			code: 1, files: "files 1 of 3 read to the end, 2 with errors  packets"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			code, stdout, stderr := convert(t, append([]string{"-o", out}, tc.inputs...)...)
			if code != tc.code || !strings.HasPrefix(stdout, tc.files) {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			var flows, records int
			for _, f := range []struct {
				name string
				v    *int
			}{{"  flows ", &flows}, {"  records ", &records}} {
				_, after, _ := strings.Cut(stdout, f.name)
				if _, err := fmt.Sscan(after, f.v); err != nil {
					t.Fatalf("no%sin %q", f.name, stdout)
				}
			}
			if flows == 0 || flows >= records {
				t.Errorf("%d flows, %d records: uniflow records of both directions outnumber connections",
					flows, records)
			}
		})
	}
}

// When the flow tables fill up under --flow-memory, the summary says how
// many flows left early, and only then.
func TestConvertSummaryEarlyExports(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "many.pcap")
	f, err := os.Create(in)
	if err != nil {
		t.Fatal(err)
	}
	st, err := synth.Write(f, synth.Config{Seed: 5, Packets: 20000, Mix: synth.Mix{DNS: 100}})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		memory string
		early  bool
	}{{memory: "64MiB"}, {memory: "1KiB", early: true}} {
		t.Run(tc.memory, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out.ipfix")
			code, stdout, stderr := convert(t, "--shards", "1", "--flow-memory", tc.memory,
				"-o", out, in)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			_, after, found := strings.Cut(stdout, "flows exported early ")
			if tc.early && !found {
				t.Fatalf("no early exports reported: %q", stdout)
			}
			if !tc.early {
				if found {
					t.Errorf("early exports reported under a roomy cap: %q", stdout)
				}
				return
			}
			var n int
			if _, err := fmt.Sscan(strings.TrimSuffix(strings.Fields(after)[0], ":"), &n); err != nil ||
				n == 0 || int64(n) > st.Flows {
				t.Errorf("flows exported early %d of %d (%v) in %q", n, st.Flows, err, stdout)
			}
		})
	}
}
