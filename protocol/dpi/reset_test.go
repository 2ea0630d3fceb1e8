package dpi

import (
	"path/filepath"
	"reflect"
	"testing"
)

// TestResetSameAsNew classifies every flow of the corpus and the bug cases
// twice: with a new session per flow, and with one session Reset for each
// flow in turn, as a caller that reuses sessions does. Verdicts, metadata
// and expectations must be the same.
func TestResetSameAsNew(t *testing.T) {
	var files []string
	for _, pattern := range []string{"corpus/pcap/*", "bugcases/*.pcap*"} {
		names, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", pattern))
		files = append(files, names...)
	}
	if len(files) == 0 {
		t.Skip("shared test material not found at ../../../shared")
	}
	reg := DefaultRegistry()
	reused := new(Session)
	flows := 0
	for _, file := range files {
		for _, fl := range readFlows(t, file) {
			fresh := NewSession(Config{Registry: reg}, fl.info())
			reused.Reset(Config{Registry: reg}, fl.info())
			for i := range fl.segs {
				a, b := fresh.Add(&fl.segs[i]), reused.Add(&fl.segs[i])
				if a != b {
					t.Fatalf("%s %v: segment %d: done %v with a new session, %v reused",
						filepath.Base(file), fl.key, i, a, b)
				}
				if a {
					break
				}
			}
			want, got := fresh.Verdict(), reused.Verdict()
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s %v: verdict %+v (meta %+v) reused, %+v (meta %+v) new",
					filepath.Base(file), fl.key, got, got.Meta, want, want.Meta)
			}
			if !reflect.DeepEqual(reused.Expectations(), fresh.Expectations()) {
				t.Errorf("%s %v: expectations differ", filepath.Base(file), fl.key)
			}
			flows++
		}
	}
	t.Logf("%d flows of %d files", flows, len(files))
}
