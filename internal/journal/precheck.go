package journal

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// The layout of a bbolt file, as far as the walk below reads it: pages of
// pageSize bytes, each starting with a 16-byte header (id, flags, count,
// overflow), the two meta pages first.
const (
	pageHeader   = 16
	elementSize  = 16 // a branch or leaf element
	metaMagic    = 0xED0CDAED
	metaVersion  = 2
	branchPage   = 0x01
	leafPage     = 0x02
	freelistPage = 0x10
	bucketLeaf   = 0x01
	noFreelist   = ^uint64(0)
	maxDepth     = 64
)

// structureCheck walks the page structure of the bbolt file at path with
// bounded work and memory before bbolt opens it. bbolt trusts the lengths
// in its pages: a corrupt overflow count or freelist count makes it
// allocate or loop by that number (measured: a flipped byte had the
// consistency check take 22 GB). Every page reachable from the newest
// valid meta page must lie inside the file, say what it is, and hold what
// its header claims. A file without a valid meta page is left to bbolt,
// which refuses it.
func structureCheck(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	m, ok := newestMeta(f)
	if !ok {
		return nil
	}
	w := walker{f: f, size: m.pageSize, seen: map[uint64]bool{}}
	pages := uint64(st.Size()) / uint64(m.pageSize)
	if m.pgid > pages {
		return fmt.Errorf("high water mark %d is past the file's %d pages", m.pgid, pages)
	}
	w.hwm = m.pgid
	if m.freelist != noFreelist {
		if err := w.freelist(m.freelist); err != nil {
			return err
		}
	}
	return w.tree(m.root, 0)
}

// meta is what structureCheck needs of a meta page.
type meta struct {
	pageSize             uint32
	root, freelist, pgid uint64
	txid                 uint64
}

// newestMeta reads the valid meta page with the highest transaction id.
func newestMeta(r io.ReaderAt) (meta, bool) {
	var best meta
	found := false
	for _, off := range []int64{0, 4096, 8192, 16384, 32768, 65536} {
		var b [80]byte
		if _, err := r.ReadAt(b[:], off); err != nil {
			continue
		}
		le := binary.LittleEndian
		h := fnv.New64a()
		_, _ = h.Write(b[16:72])
		if le.Uint32(b[16:]) != metaMagic || le.Uint32(b[20:]) != metaVersion ||
			le.Uint64(b[72:]) != h.Sum64() {
			continue
		}
		m := meta{pageSize: le.Uint32(b[24:]), root: le.Uint64(b[32:]),
			freelist: le.Uint64(b[48:]), pgid: le.Uint64(b[56:]), txid: le.Uint64(b[64:])}
		if m.pageSize < 1024 || m.pageSize > 1<<20 || off != 0 && int64(m.pageSize) != off {
			continue
		}
		if !found || m.txid > best.txid {
			best, found = m, true
		}
	}
	return best, found
}

// walker reads pages of one file, each at most once.
type walker struct {
	f    io.ReaderAt
	size uint32
	hwm  uint64
	seen map[uint64]bool
}

// page reads page id with its overflow pages, after checking its header.
func (w *walker) page(id uint64, want uint16) ([]byte, error) {
	if id < 2 || id >= w.hwm {
		return nil, fmt.Errorf("page %d is outside pages 2 to %d", id, w.hwm-1)
	}
	if w.seen[id] {
		return nil, fmt.Errorf("page %d is reached twice", id)
	}
	w.seen[id] = true
	var h [pageHeader]byte
	if _, err := w.f.ReadAt(h[:], int64(id)*int64(w.size)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	le := binary.LittleEndian
	over := uint64(le.Uint32(h[12:]))
	switch {
	case le.Uint64(h[:]) != id:
		return nil, fmt.Errorf("page %d calls itself %d", id, le.Uint64(h[:]))
	case le.Uint16(h[8:])&want == 0:
		return nil, fmt.Errorf("page %d has flags %#x, want %#x", id, le.Uint16(h[8:]), want)
	case id+over >= w.hwm:
		return nil, fmt.Errorf("page %d runs %d pages past the high water mark", id, over)
	}
	for o := id + 1; o <= id+over; o++ {
		if w.seen[o] {
			return nil, fmt.Errorf("page %d overlaps page %d", id, o)
		}
		w.seen[o] = true
	}
	b := make([]byte, (over+1)*uint64(w.size)) // at most the file's size
	if _, err := w.f.ReadAt(b, int64(id)*int64(w.size)); err != nil {
		return nil, fmt.Errorf("page %d: %w", id, err)
	}
	return b, nil
}

// freelist checks the freelist page and the count of ids it claims.
func (w *walker) freelist(id uint64) error {
	b, err := w.page(id, freelistPage)
	if err != nil {
		return fmt.Errorf("freelist: %w", err)
	}
	n, ids := uint64(binary.LittleEndian.Uint16(b[10:])), pageHeader
	if n == 0xFFFF {
		n, ids = binary.LittleEndian.Uint64(b[pageHeader:]), pageHeader+8
	}
	if n > uint64(len(b)-ids)/8 {
		return fmt.Errorf("freelist page %d claims %d ids in %d bytes", id, n, len(b))
	}
	return nil
}

// tree checks the B+tree of a bucket rooted at page id, and every bucket
// below it.
func (w *walker) tree(id uint64, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("page %d: tree deeper than %d", id, maxDepth)
	}
	b, err := w.page(id, branchPage|leafPage)
	if err != nil {
		return err
	}
	return w.elements(b, id, depth)
}

// elements checks the elements of page b (id, or 0 for an inline page).
func (w *walker) elements(b []byte, id uint64, depth int) error {
	le := binary.LittleEndian
	flags, n := le.Uint16(b[8:]), int(le.Uint16(b[10:]))
	if pageHeader+n*elementSize > len(b) {
		return fmt.Errorf("page %d claims %d elements in %d bytes", id, n, len(b))
	}
	for i := range n {
		at := pageHeader + i*elementSize
		e := b[at : at+elementSize]
		if flags&branchPage != 0 {
			pos, ksize := uint64(le.Uint32(e)), uint64(le.Uint32(e[4:]))
			if uint64(at)+pos+ksize > uint64(len(b)) {
				return fmt.Errorf("page %d: element %d overruns the page", id, i)
			}
			if err := w.tree(le.Uint64(e[8:]), depth+1); err != nil {
				return err
			}
			continue
		}
		eflags, pos := le.Uint32(e), uint64(le.Uint32(e[4:]))
		ksize, vsize := uint64(le.Uint32(e[8:])), uint64(le.Uint32(e[12:]))
		if uint64(at)+pos+ksize+vsize > uint64(len(b)) {
			return fmt.Errorf("page %d: element %d overruns the page", id, i)
		}
		if eflags&bucketLeaf == 0 {
			continue
		}
		v := b[uint64(at)+pos+ksize : uint64(at)+pos+ksize+vsize]
		if err := w.bucket(v, id, depth); err != nil {
			return err
		}
	}
	return nil
}

// bucket checks a bucket value: a root page id and sequence, and for an
// inline bucket (root 0) the page that follows them.
func (w *walker) bucket(v []byte, id uint64, depth int) error {
	if len(v) < 16 {
		return fmt.Errorf("page %d: bucket value of %d bytes", id, len(v))
	}
	if root := binary.LittleEndian.Uint64(v); root != 0 {
		return w.tree(root, depth+1)
	}
	inline := v[16:]
	if len(inline) < pageHeader {
		return fmt.Errorf("page %d: inline bucket of %d bytes", id, len(inline))
	}
	if depth > maxDepth {
		return fmt.Errorf("page %d: buckets nested deeper than %d", id, maxDepth)
	}
	return w.elements(inline, 0, depth+1)
}
