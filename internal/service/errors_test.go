package service

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ipfixweb/ipfixweb/internal/synth"
)

// Every bad request gets a 4xx with a JSON body naming the field and the
// reason.
func TestRequestErrors(t *testing.T) {
	n := startNode(t, Config{})
	good := n.capture("good.pcap", synth.Config{Seed: 9, Packets: 100})
	secret := filepath.Join(t.TempDir(), "secret.pcap")
	if err := os.WriteFile(secret, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(n.in, "link.pcap")
	if err := os.Symlink(secret, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(n.in, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	existing := n.outPath("exists.ipfix")
	if err := os.WriteFile(existing, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := n.outPath("x.ipfix")
	tests := []struct {
		name   string
		body   any
		code   int
		field  string
		reason string // regexp
	}{
		{name: "empty body", body: "", code: 400, reason: "empty"},
		{name: "not json", body: "pcap_files=a", code: 400, reason: "invalid JSON"},
		{name: "not an object", body: "[1,2]", code: 400, reason: "JSON object"},
		{name: "cut short", body: `{"pcap_files": ["a"`, code: 400, reason: "ends too early"},
		{name: "two values", body: `{} {}`, code: 400, reason: "more than one"},
		{name: "missing files", body: map[string]any{"output_path": out}, code: 400,
			field: "pcap_files", reason: "required"},
		{name: "empty files", body: body([]string{}, out), code: 400, field: "pcap_files",
			reason: "at least one"},
		{name: "files not a list", body: map[string]any{"pcap_files": good, "output_path": out},
			code: 400, field: "pcap_files", reason: "list of strings"},
		{name: "file not a string", body: map[string]any{"pcap_files": []any{1}, "output_path": out},
			code: 400, field: "pcap_files", reason: "string"},
		{name: "missing output", body: map[string]any{"pcap_files": []string{good}}, code: 400,
			field: "output_path", reason: "required"},
		{name: "empty output", body: body([]string{good}, ""), code: 400,
			field: "output_path", reason: "empty"},
		{name: "output ends in a slash", body: body([]string{good}, n.outPath("new")+"/"), code: 400,
			field: "output_path", reason: "ends in /"},
		{name: "DPI not a bool", body: body([]string{good}, out, "DPI", "yes"), code: 400,
			field: "DPI", reason: "true or false"},
		{name: "DPI budget zero", body: body([]string{good}, out, "DPI", true, "dpi_budget", 0),
			code: 400, field: "dpi_budget", reason: "must be 1 to 10000 packets"},
		{name: "DPI budget not a number", body: body([]string{good}, out, "dpi_budget", "all"),
			code: 400, field: "dpi_budget", reason: "a whole number"},
		{name: "unknown analysis", body: body([]string{good}, out, "analysis_list", []string{"tcp", "quic"}),
			code: 400, field: "analysis_list", reason: `"quic" \(valid: .*all, any, .*tcp, udp`},
		{name: "unknown field", body: body([]string{good}, out, "priority", 3), code: 400,
			field: "priority", reason: "unknown field"},
		{name: "bad idle timeout", body: body([]string{good}, out, "idle_timeout", -1), code: 400,
			field: "idle_timeout", reason: "at least"},
		{name: "bad active timeout", body: body([]string{good}, out, "active_timeout", "soon"),
			code: 400, field: "active_timeout", reason: "duration"},
		{name: "no such file", body: body([]string{good, filepath.Join(n.in, "none.pcap")}, out),
			code: 400, field: "pcap_files[1]", reason: "no such file"},
		{name: "a directory", body: body([]string{filepath.Join(n.in, "adir")}, out), code: 400,
			field: "pcap_files[0]", reason: "not a regular file"},
		{name: "relative path", body: body([]string{"good.pcap"}, out), code: 403,
			field: "pcap_files[0]", reason: "absolute"},
		{name: "outside the roots", body: body([]string{secret}, out), code: 403,
			field: "pcap_files[0]", reason: "not under an input root"},
		{name: "dot dot", body: body([]string{n.in + "/../../" + filepath.Base(filepath.Dir(secret)) +
			"/secret.pcap"}, out), code: 403, field: "pcap_files[0]", reason: "not under an input root"},
		{name: "symlink out", body: body([]string{link}, out), code: 403, field: "pcap_files[0]",
			reason: "not under an input root"},
		{name: "output outside", body: body([]string{good}, filepath.Join(n.in, "x.ipfix")), code: 403,
			field: "output_path", reason: "not under the output root"},
		{name: "output directory missing", body: body([]string{good}, n.outPath("no/x.ipfix")),
			code: 400, field: "output_path", reason: "does not exist"},
		{name: "output exists", body: body([]string{good}, existing), code: 409, field: "output_path",
			reason: "overwrite"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, resp, h := n.do("POST", "/api/export-task", tc.body)
			if code != tc.code {
				t.Errorf("status %d, want %d (%v)", code, tc.code, resp)
			}
			if !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
				t.Errorf("content type %q", h.Get("Content-Type"))
			}
			if str(resp["field"]) != tc.field && !(tc.field == "" && resp["field"] == nil) {
				t.Errorf("field %v, want %q (%v)", resp["field"], tc.field, resp)
			}
			if !regexp.MustCompile(tc.reason).MatchString(str(resp["error"])) {
				t.Errorf("error %q does not match %q", resp["error"], tc.reason)
			}
		})
	}
	t.Run("overwrite when asked", func(t *testing.T) {
		code, resp := n.submit(body([]string{good}, existing, "overwrite", true))
		if code != 202 {
			t.Errorf("%d %v", code, resp)
		}
	})
	t.Run("body over 1 MiB", func(t *testing.T) {
		big := `{"pcap_files": ["` + strings.Repeat("a", 1<<20) + `"], "output_path": "x"}`
		code, resp, _ := n.do("POST", "/api/export-task", big)
		if code != 413 || !strings.Contains(str(resp["error"]), "1 MiB") {
			t.Errorf("%d %v", code, resp)
		}
	})
	t.Run("unknown task", func(t *testing.T) {
		for _, path := range []string{"/api/task-status/nope", "/api/tasks/nope"} {
			if code, resp, _ := n.do("GET", path, nil); code != 404 || resp["field"] != "task_id" {
				t.Errorf("%s: %d %v", path, code, resp)
			}
		}
	})
	t.Run("bad list queries", func(t *testing.T) {
		for q, field := range map[string]string{"status=done": "status", "limit=0": "limit",
			"limit=x": "limit", "limit=5000": "limit"} {
			if code, resp, _ := n.do("GET", "/api/tasks?"+q, nil); code != 400 || resp["field"] != field {
				t.Errorf("%s: %d %v", q, code, resp)
			}
		}
	})
	t.Run("unknown endpoint and method", func(t *testing.T) {
		if code, resp, _ := n.do("GET", "/api/nothing", nil); code != 404 || resp["error"] == nil {
			t.Errorf("%d %v", code, resp)
		}
		if code, resp, _ := n.do("PUT", "/api/export-task", "{}"); code != 405 || resp["error"] == nil {
			t.Errorf("%d %v", code, resp)
		}
	})
}
