package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

func open(tb testing.TB, dir string) *Bolt {
	tb.Helper()
	b, err := Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = b.Close() })
	return b
}

func mk(id string, st task.Status) *task.Task {
	return &task.Task{ID: id, Status: st, SubmittedAt: time.Unix(1700000000, 0).UTC(),
		Request: task.Request{PcapFiles: []string{"/in/" + id + ".pcap"}, OutputPath: "/out/" + id}}
}

func ids(ts []*task.Task) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return strings.Join(out, " ")
}

func TestPutGetListLive(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir)
	var all []*task.Task
	for i, st := range []task.Status{task.Completed, task.Queued, task.Running, task.Failed,
		task.Queued, task.Completed, task.Cancelled} {
		tk := mk(fmt.Sprintf("t%02d", i), st)
		if i == 2 {
			tk.IdempotencyKey = "key-2"
		}
		all = append(all, tk)
	}
	if err := b.Put(all...); err != nil {
		t.Fatal(err)
	}
	got, err := b.Get("t03")
	if err != nil || got.Status != task.Failed || got.Request.OutputPath != "/out/t03" {
		t.Fatalf("get: %+v, %v", got, err)
	}
	if _, err := b.Get("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("get unknown: %v", err)
	}
	tests := []struct {
		name   string
		status task.Status
		after  string
		limit  int
		want   string
		next   string
	}{
		{name: "all", limit: 100, want: "t06 t05 t04 t03 t02 t01 t00"},
		{name: "first page", limit: 3, want: "t06 t05 t04", next: "t04"},
		{name: "second page", after: "t04", limit: 3, want: "t03 t02 t01", next: "t01"},
		{name: "last page", after: "t01", limit: 3, want: "t00"},
		{name: "exact page", after: "t03", limit: 3, want: "t02 t01 t00"},
		{name: "queued", status: task.Queued, limit: 100, want: "t04 t01"},
		{name: "completed page", status: task.Completed, limit: 1, want: "t05", next: "t05"},
		{name: "completed next", status: task.Completed, after: "t05", limit: 1, want: "t00"},
		{name: "timed out", status: task.TimedOut, limit: 5, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ts, next, err := b.List(tc.status, tc.after, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if ids(ts) != tc.want || next != tc.next {
				t.Errorf("list = %q next %q, want %q next %q", ids(ts), next, tc.want, tc.next)
			}
		})
	}
	live, err := b.Live()
	if err != nil || ids(live) != "t01 t02 t04" {
		t.Errorf("live = %q, %v", ids(live), err)
	}
	// A task that ends leaves the live set; the idempotency key stays.
	all[2].Status = task.Completed
	if err := b.Put(all[2]); err != nil {
		t.Fatal(err)
	}
	if live, _ := b.Live(); ids(live) != "t01 t04" {
		t.Errorf("live after completion = %q", ids(live))
	}
	if id, err := b.ByIdempotencyKey("key-2"); id != "t02" || err != nil {
		t.Errorf("idempotency key: %q, %v", id, err)
	}
	if _, err := b.ByIdempotencyKey("other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown key: %v", err)
	}

	// Everything survives a reopen.
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b2 := open(t, dir)
	if ts, _, _ := b2.List("", "", 100); ids(ts) != "t06 t05 t04 t03 t02 t01 t00" {
		t.Errorf("after reopen: %q", ids(ts))
	}
}

func TestOpenRefusals(t *testing.T) {
	t.Run("locked", func(t *testing.T) {
		dir := t.TempDir()
		open(t, dir)
		_, err := Open(dir)
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "--data-dir") {
			t.Errorf("second open: %v", err)
		}
	})
	t.Run("garbage", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, FileName), []byte(strings.Repeat("not a journal ", 1000)), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(dir)
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "move it away") {
			t.Errorf("open garbage: %v", err)
		}
	})
	t.Run("damaged pages", func(t *testing.T) {
		dir := t.TempDir()
		b := open(t, dir)
		var ts []*task.Task
		for i := range 500 {
			ts = append(ts, mk(fmt.Sprintf("task-%04d", i), task.Completed))
		}
		if err := b.Put(ts...); err != nil {
			t.Fatal(err)
		}
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, FileName)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Overwrite pages past the meta pages with noise.
		for i := 3 * 4096; i < len(data) && i < 12*4096; i++ {
			data[i] = byte(i * 7)
		}
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = Open(dir)
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("open damaged: %v", err)
		}
	})
}
