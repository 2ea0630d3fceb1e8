package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

var (
	baseOnce sync.Once
	baseData []byte
	baseErr  error
)

// baseJournal returns the bytes of a closed journal holding 300 tasks,
// some of them live: enough for branch pages and a freelist.
func baseJournal(tb testing.TB) []byte {
	tb.Helper()
	baseOnce.Do(func() {
		dir, err := os.MkdirTemp("", "journal-base")
		if err != nil {
			baseErr = err
			return
		}
		defer os.RemoveAll(dir)
		b, err := Open(dir)
		if err != nil {
			baseErr = err
			return
		}
		for i := range 300 {
			st := task.Completed
			if i%7 == 0 {
				st = task.Queued
			}
			if baseErr = b.Put(mk(fmt.Sprintf("task-%04d", i), st)); baseErr != nil {
				return
			}
		}
		for i := range 100 { // leave freed pages behind
			if baseErr = b.Put(mk(fmt.Sprintf("task-%04d", i), task.Failed)); baseErr != nil {
				return
			}
		}
		_ = b.Close()
		baseData, baseErr = os.ReadFile(filepath.Join(dir, FileName))
	})
	if baseErr != nil {
		tb.Fatal(baseErr)
	}
	return append([]byte(nil), baseData...)
}

// openBytes writes data as a journal and opens it. A journal that opens
// must answer every read.
func openBytes(tb testing.TB, data []byte) error {
	tb.Helper()
	dir := tb.TempDir()
	if err := os.WriteFile(filepath.Join(dir, FileName), data, 0o600); err != nil {
		tb.Fatal(err)
	}
	b, err := Open(dir)
	if err != nil {
		if !errors.Is(err, ErrCorrupt) {
			tb.Fatalf("open: %v, want ErrCorrupt or success", err)
		}
		return err
	}
	defer b.Close()
	if _, _, err := b.List("", "", 1000); err != nil {
		tb.Logf("list after open: %v", err)
	}
	if _, err := b.Live(); err != nil {
		tb.Logf("live after open: %v", err)
	}
	return nil
}

// pageOf returns the offset of the first page of the given flags after
// the meta pages.
func pageOf(tb testing.TB, data []byte, flags uint16) int {
	tb.Helper()
	for off := 2 * 4096; off+16 <= len(data); off += 4096 {
		if binary.LittleEndian.Uint16(data[off+8:]) == flags {
			return off
		}
	}
	tb.Fatalf("no page with flags %#x", flags)
	return 0
}

// pagesOf returns the offsets of every page of the given flags after the
// meta pages.
func pagesOf(data []byte, flags uint16) []int {
	var out []int
	for off := 2 * 4096; off+16 <= len(data); off += 4096 {
		if binary.LittleEndian.Uint16(data[off+8:]) == flags {
			out = append(out, off)
		}
	}
	return out
}

// Lengths inside the file that bbolt would trust are checked first: each
// of these made bbolt loop or allocate by the damaged number.
func TestCorruptJournalRefused(t *testing.T) {
	tests := []struct {
		name   string
		damage func(tb testing.TB, b []byte) []byte
	}{
		{name: "empty file", damage: func(testing.TB, []byte) []byte { return nil }},
		{name: "freelist overflow", damage: func(tb testing.TB, b []byte) []byte {
			binary.LittleEndian.PutUint32(b[pageOf(tb, b, freelistPage)+12:], 0xFFFFFFF0)
			return b
		}},
		{name: "freelist count", damage: func(tb testing.TB, b []byte) []byte {
			off := pageOf(tb, b, freelistPage)
			binary.LittleEndian.PutUint16(b[off+10:], 0xFFFF)
			binary.LittleEndian.PutUint64(b[off+16:], 1<<40)
			return b
		}},
		{name: "leaf overflow", damage: func(tb testing.TB, b []byte) []byte {
			binary.LittleEndian.PutUint32(b[pageOf(tb, b, leafPage)+12:], 0x7FFFFFFF)
			return b
		}},
		{name: "branch points at itself", damage: func(tb testing.TB, b []byte) []byte {
			// Every branch page: the first one may be a freed page that
			// nothing reaches any more.
			for _, off := range pagesOf(b, branchPage) {
				binary.LittleEndian.PutUint64(b[off+16+8:], uint64(off/4096))
			}
			return b
		}},
		{name: "element count", damage: func(tb testing.TB, b []byte) []byte {
			binary.LittleEndian.PutUint16(b[pageOf(tb, b, leafPage)+10:], 0xFFF0)
			return b
		}},
		{name: "file cut short", damage: func(tb testing.TB, b []byte) []byte { return b[:len(b)/2] }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := openBytes(t, tc.damage(t, baseJournal(t))); err == nil {
				t.Errorf("a damaged journal opened")
			}
		})
	}
}

// A live task whose record is gone would be lost at the next start: the
// journal is refused instead.
func TestLiveTaskWithoutRecord(t *testing.T) {
	dir := t.TempDir()
	b := open(t, dir)
	if err := b.Put(mk("task-1", task.Queued)); err != nil {
		t.Fatal(err)
	}
	if err := b.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTasks).Delete([]byte("task-1"))
	}); err != nil {
		t.Fatal(err)
	}
	_ = b.Close()
	if _, err := Open(dir); !errors.Is(err, ErrCorrupt) {
		t.Errorf("open: %v, want ErrCorrupt", err)
	}
}

// FuzzOpen damages a real journal at the offsets the input names: Open
// must refuse it or serve it, with bounded time and memory, never panic.
func FuzzOpen(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x20, 0x0c, 0xff, 0x20, 0x0d, 0xff})
	f.Add([]byte{0x30, 0x0e, 0x7f, 0x00, 0x30, 0x0f, 0x7f})
	f.Fuzz(func(t *testing.T, ops []byte) {
		data := baseJournal(t)
		// Each three bytes: a 16-bit offset in units of 4 bytes, and a
		// byte to put there. Meta pages are left alone: their checksum
		// catches any change.
		for i := 0; i+2 < len(ops); i += 3 {
			off := 2*4096 + int(binary.LittleEndian.Uint16(ops[i:]))*4
			if off < len(data) {
				data[off] = ops[i+2]
			}
		}
		_ = openBytes(t, data)
	})
}
