package main

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --cpuprofile and --memprofile write pprof files (gzipped protocol
// buffers); a profile that cannot be written fails the command.
func TestConvertProfiles(t *testing.T) {
	dir := t.TempDir()
	sample := filepath.Join("..", "..", "testdata", "sample.pcap")
	tests := []struct {
		name     string
		cpu, mem string
		wantCode int
		wantErr  string
	}{
		{name: "both", cpu: filepath.Join(dir, "cpu.prof"), mem: filepath.Join(dir, "mem.prof")},
		{name: "cpu in a missing directory", cpu: filepath.Join(dir, "no", "cpu.prof"),
			wantCode: 1, wantErr: "--cpuprofile"},
		{name: "heap in a missing directory", mem: filepath.Join(dir, "no", "mem.prof"),
			wantCode: 1, wantErr: "--memprofile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := []string{"-q", "-o", filepath.Join(dir, "out.ipfix"), sample}
			if tc.cpu != "" {
				args = append(args, "--cpuprofile", tc.cpu)
			}
			if tc.mem != "" {
				args = append(args, "--memprofile", tc.mem)
			}
			code, _, stderr := convert(t, args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr, tc.wantCode, tc.wantErr)
			}
			if tc.wantCode != 0 {
				return
			}
			for _, path := range []string{tc.cpu, tc.mem} {
				checkProfile(t, path)
			}
		})
	}
}

// checkProfile fails unless path holds a gzipped, non-empty profile.
func checkProfile(tb testing.TB, path string) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	n, err := io.Copy(io.Discard, zr)
	if err != nil || n == 0 {
		tb.Errorf("%s: %d bytes of profile, %v", path, n, err)
	}
}
