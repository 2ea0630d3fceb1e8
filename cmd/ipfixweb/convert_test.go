package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
