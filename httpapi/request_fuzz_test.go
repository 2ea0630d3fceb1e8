package httpapi

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/pathpolicy"
)

// fuzzPolicy makes an input root holding a.pcap and an output root.
func fuzzPolicy(tb testing.TB) (*pathpolicy.Policy, string, string) {
	tb.Helper()
	base := tb.TempDir()
	in, out := filepath.Join(base, "in"), filepath.Join(base, "out")
	for _, d := range []string{in, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(in, "a.pcap"), []byte("x"), 0o644); err != nil {
		tb.Fatal(err)
	}
	p, err := pathpolicy.New([]string{in}, out)
	if err != nil {
		tb.Fatal(err)
	}
	return p, in, out
}

// FuzzParseExport feeds arbitrary bodies to the export request parser:
// it must never panic, refuse with a 4xx naming a known field (or none),
// and accept only requests whose files lie under the roots.
func FuzzParseExport(f *testing.F) {
	policy, in, out := fuzzPolicy(f)
	a, o := filepath.Join(in, "a.pcap"), filepath.Join(out, "x.ipfix")
	for _, s := range []string{
		`{"pcap_files": ["` + a + `"], "output_path": "` + o + `"}`,
		`{"pcap_files": ["` + a + `"], "output_path": "` + o + `", "DPI": true,
			"analysis_list": ["tcp", "udp"], "biflow": true, "idle_timeout": "90s",
			"active_timeout": 600, "overwrite": true}`,
		`{"pcap_files": ["` + a + `", "` + in + `/../in/a.pcap"], "output_path": "` + out + `/./y"}`,
		`{"pcap_files": ["` + a + `"], "output_path": "` + o + `", "pcap_files": []}`,
		`{"Pcap_Files": ["` + a + `"]}`, `{"pcap_files": "x"}`, `[1]`, `{} {}`, `{"a":`, ``,
		`{"pcap_files": ["` + a + `"], "output_path": "` + o + `", "idle_timeout": 1e400}`,
		`{"pcap_files": ["\u0000"], "output_path": "` + o + `"}`,
	} {
		f.Add([]byte(s))
	}
	known := map[string]bool{"": true, "output_path": true}
	for name := range exportFields {
		known[name] = true
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r, err := parseExport(body)
		if err == nil {
			err = checkPaths(&r, policy)
		}
		if err != nil {
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Status < 400 || fe.Status > 499 || fe.Reason == "" {
				t.Fatalf("error %#v is not a 4xx FieldError", err)
			}
			field, _, _ := strings.Cut(fe.Field, "[")
			if !known[field] && !strings.Contains(fe.Reason, "unknown field") {
				t.Fatalf("error names field %q: %v", fe.Field, err)
			}
			return
		}
		for _, p := range r.PcapFiles {
			if !strings.HasPrefix(p, in+"/") {
				t.Fatalf("accepted input %q outside %s", p, in)
			}
		}
		if !strings.HasPrefix(r.OutputPath, out+"/") {
			t.Fatalf("accepted output %q outside %s", r.OutputPath, out)
		}
		if r.IdleTimeout < minTimeout.Seconds() || r.ActiveTimeout < minTimeout.Seconds() {
			t.Fatalf("timeouts %v %v", r.IdleTimeout, r.ActiveTimeout)
		}
	})
}
