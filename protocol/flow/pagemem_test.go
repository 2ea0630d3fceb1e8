package flow

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"
)

// Entries are kept where the garbage collector does not look (offHeap),
// which is safe only while they hold no pointer.
func TestEntryHoldsNoPointer(t *testing.T) {
	var walk func(reflect.Type, string)
	walk = func(typ reflect.Type, path string) {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				f := typ.Field(i)
				walk(f.Type, path+"."+f.Name)
			}
		case reflect.Array:
			walk(typ.Elem(), path+"[]")
		case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Chan, reflect.Func,
			reflect.Interface, reflect.String, reflect.UnsafePointer:
			t.Errorf("entry%s is a %s, which holds a pointer", path, typ.Kind())
		}
	}
	walk(reflect.TypeFor[entry](), "")
}

// A large table's entries and index do not count in the Go heap, on
// platforms that can map memory.
func TestEntriesOffHeap(t *testing.T) {
	if mapAnon(1) == nil {
		t.Skip("no anonymous mappings on this platform: entries stay on the heap")
	}
	const flows = 100_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	tb := NewTable(Config{MaxFlows: flows})
	var out []Record
	for i := range flows {
		p := udp(int64(i), fmt.Sprintf("10.%d.%d.%d", i>>16, i>>8&0xff, i&0xff), 1000,
			"192.0.2.1", 53, 28)
		out = tb.Add(&p, out)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	entries := int64(flows) * entrySize
	if grew := int64(after.HeapAlloc) - int64(before.HeapAlloc); grew > entries/4 {
		t.Errorf("the heap grew by %d bytes for %d bytes of entries", grew, entries)
	}
	if tb.Len() != flows {
		t.Fatalf("%d connections, want %d", tb.Len(), flows)
	}
	out = tb.Flush(EndForced, out[:0])
	if len(out) != flows {
		t.Errorf("%d records, want %d", len(out), flows)
	}
	tb.Release()
}
