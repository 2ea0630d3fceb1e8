package actors

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Every output name a file system takes gets a temporary file beside it,
// and RemoveTemps removes that output's temporary files and no others,
// whatever characters the name holds.
func TestTempFiles(t *testing.T) {
	tests := []struct {
		name   string
		output string
		other  string // an output whose temporary file must stay
	}{
		{name: "plain", output: "flows.ipfix", other: "flows.ipfix.old"},
		{name: "bracket", output: "x[1].ipfix", other: "x1.ipfix"},
		{name: "star", output: "a*.ipfix", other: "abc.ipfix"},
		{name: "question mark", output: "a?.ipfix", other: "ab.ipfix"},
		{name: "backslash", output: `a\b.ipfix`, other: "ab.ipfix"},
		{name: "255 bytes", output: strings.Repeat("n", 249) + ".ipfix", other: "n.ipfix"},
		{name: "255 bytes of runes", output: strings.Repeat("é", 124) + ".ipfix", other: "é.ipfix"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, tc.output)
			f, err := createTemp(dir, out)
			if err != nil {
				t.Fatalf("createTemp: %v", err)
			}
			_ = f.Close()
			g, err := createTemp(dir, filepath.Join(dir, tc.other))
			if err != nil {
				t.Fatalf("createTemp of the other output: %v", err)
			}
			_ = g.Close()
			if n := RemoveTemps(out); n != 1 {
				t.Errorf("RemoveTemps removed %d files, want 1", n)
			}
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var left []string
			for _, e := range entries {
				left = append(left, filepath.Join(dir, e.Name()))
			}
			if !slices.Equal(left, []string{g.Name()}) {
				t.Errorf("left %q, want only the other output's %q", left, g.Name())
			}
		})
	}
}
