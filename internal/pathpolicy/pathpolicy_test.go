package pathpolicy

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// tree builds:
//
//	base/in/a.pcap, base/in/sub/b.pcap, base/in/dir/
//	base/in/escape -> base/secret/s.pcap
//	base/in/inner -> base/in/sub (a link that stays inside)
//	base/out/old.ipfix, base/out/linkdir -> base/secret
//	base/secret/s.pcap
func tree(t *testing.T) (base string, p *Policy) {
	t.Helper()
	base = t.TempDir()
	for _, d := range []string{"in/sub", "in/dir", "out", "secret"} {
		if err := os.MkdirAll(filepath.Join(base, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"in/a.pcap", "in/sub/b.pcap", "out/old.ipfix", "secret/s.pcap"} {
		if err := os.WriteFile(filepath.Join(base, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{"in/escape": "secret/s.pcap", "in/inner": "in/sub",
		"out/linkdir": "secret"}
	for from, to := range links {
		if err := os.Symlink(filepath.Join(base, to), filepath.Join(base, from)); err != nil {
			t.Fatal(err)
		}
	}
	p, err := New([]string{filepath.Join(base, "in")}, filepath.Join(base, "out"))
	if err != nil {
		t.Fatal(err)
	}
	return base, p
}

func TestInput(t *testing.T) {
	base, p := tree(t)
	tests := []struct {
		name string
		path string
		want error
	}{
		{name: "plain", path: "in/a.pcap"},
		{name: "nested", path: "in/sub/b.pcap"},
		{name: "link inside", path: "in/inner/b.pcap"},
		{name: "dot dot inside", path: "in/sub/../a.pcap"},
		{name: "dot dot out", path: "in/../secret/s.pcap", want: ErrOutside},
		{name: "link out", path: "in/escape", want: ErrOutside},
		{name: "outside", path: "secret/s.pcap", want: ErrOutside},
		{name: "missing", path: "in/none.pcap", want: ErrNotFound},
		{name: "directory", path: "in/dir", want: ErrNotRegular},
		{name: "relative", path: "a.pcap", want: ErrOutside},
		{name: "empty", path: "", want: ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := tc.path
			if path != "" && path != "a.pcap" {
				path = filepath.Join(base, path)
				if tc.name == "dot dot out" || tc.name == "dot dot inside" {
					path = base + "/" + tc.path // keep the ".." in the request
				}
			}
			got, err := p.Input(path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Input(%q) = %q, %v; want %v", path, got, err, tc.want)
			}
			if err == nil && got != filepath.Clean(path) {
				t.Errorf("got %q, want the clean path", got)
			}
		})
	}
}

func TestOutput(t *testing.T) {
	base, p := tree(t)
	tests := []struct {
		name      string
		path      string
		overwrite bool
		want      error
	}{
		{name: "new", path: "out/new.ipfix"},
		{name: "exists", path: "out/old.ipfix", want: ErrExists},
		{name: "exists overwrite", path: "out/old.ipfix", overwrite: true},
		{name: "no directory", path: "out/none/x.ipfix", want: ErrNotFound},
		{name: "through a link out", path: "out/linkdir/x.ipfix", want: ErrOutside},
		{name: "outside", path: "secret/x.ipfix", want: ErrOutside},
		{name: "the root itself", path: "out", want: ErrNotRegular},
		{name: "a directory under the root", path: "out/sub", want: ErrNotRegular},
		{name: "a named pipe", path: "out/pipe", overwrite: true, want: ErrNotRegular},
		{name: "a link", path: "out/link.ipfix", overwrite: true, want: ErrNotRegular},
		{name: "a directory", path: "out/..", want: ErrOutside},
		{name: "named like a temporary file", path: "out/.new.ipfix.abc123.tmp", want: ErrReserved},
		{name: "hidden", path: "out/.new.ipfix"},
		{name: "ending in .tmp", path: "out/new.tmp"},
	}
	if err := os.Mkdir(filepath.Join(base, "out", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	mkfifo(t, filepath.Join(base, "out", "pipe"))
	if err := os.Symlink(filepath.Join(base, "out", "old.ipfix"), filepath.Join(base, "out", "link.ipfix")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(base, tc.path)
			_, err := p.Output(path, tc.overwrite)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Output(%q) = %v; want %v", path, err, tc.want)
			}
		})
	}
	// An output root that holds an input root: outputs may not land in
	// the input root.
	wide, err := New([]string{filepath.Join(base, "in")}, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wide.Output(filepath.Join(base, "in", "x.ipfix"), false); !errors.Is(err, ErrInsideInput) {
		t.Errorf("output in the input root: %v", err)
	}
	if _, err := wide.Output(filepath.Join(base, "out", "x.ipfix"), false); err != nil {
		t.Errorf("output beside the input root: %v", err)
	}
	// One directory for both, chosen by the operator, is fine.
	same, err := New([]string{base}, base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := same.Output(filepath.Join(base, "x.ipfix"), false); err != nil {
		t.Errorf("shared root: %v", err)
	}
}

// A link swapped in after the check is caught when the file is opened.
func TestOpenInputRechecks(t *testing.T) {
	base, p := tree(t)
	path := filepath.Join(base, "in", "later.pcap")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Input(path); err != nil {
		t.Fatal(err)
	}
	f, err := p.OpenInput(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "secret", "s.pcap"), path); err != nil {
		t.Fatal(err)
	}
	if f, err := p.OpenInput(path); !errors.Is(err, ErrOutside) {
		if f != nil {
			f.Close()
		}
		t.Errorf("open after the swap: %v", err)
	}
}
