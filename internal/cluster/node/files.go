package node

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/protocol/ipfix"
)

// The files of a task beside its output OUT, all hidden and named with the
// task id, so that the next owner and the end of the task can find them:
//
//	.OUT.ID.aN.pI.part          input I converted by attempt N
//	..OUT.ID.aN.pI.part.*.tmp   the pipeline's file while it writes that part
//	.OUT.ID.aN.out              the joined parts of attempt N, before publishing

func partPath(out, id string, attempt, input int) string {
	return filepath.Join(filepath.Dir(out),
		fmt.Sprintf(".%s.%s.a%d.p%d.part", filepath.Base(out), id, attempt, input))
}

func joinedPath(out, id string, attempt int) string {
	return filepath.Join(filepath.Dir(out),
		fmt.Sprintf(".%s.%s.a%d.out", filepath.Base(out), id, attempt))
}

// taskFiles lists the files of task id beside out.
func taskFiles(out, id string) []string {
	if out == "" {
		return nil // the task only streams
	}
	dir := filepath.Dir(out)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	own := "." + filepath.Base(out) + "." + id + "."
	var files []string
	for _, e := range ents {
		name := e.Name()
		if strings.HasPrefix(name, own) || strings.HasPrefix(name, "."+own) {
			files = append(files, filepath.Join(dir, name))
		}
	}
	return files
}

// removeStrays deletes the files of the task that its record does not
// name: parts of attempts that did not reach a checkpoint, and files of
// owners that lost the task. A stale owner still writing one finds it
// gone when it tries to rename it.
func (r *run) removeStrays(out string) {
	keep := map[string]bool{}
	for _, p := range r.rec.Checkpoint.Parts {
		keep[p.Path] = true
	}
	if r.rec.Publish != nil {
		keep[r.rec.Publish.Temp] = true
	}
	for _, f := range taskFiles(out, r.id) {
		if !keep[f] {
			_ = os.Remove(f)
		}
	}
}

// join writes the parts one after the other into a new file at path,
// renumbering the templates and sequence numbers of each part so the
// result is one IPFIX stream (RFC 5655), and syncs it. It returns the
// file's size and SHA-256.
func join(path string, parts []cluster.Part) (int64, string, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, "", fmt.Errorf("join parts: %w", err)
	}
	sum := sha256.New()
	w := bufio.NewWriterSize(io.MultiWriter(f, sum), 1<<20)
	var size int64
	var shift uint16
	var seq uint32
	for _, p := range parts {
		st, err := splicePart(w, p, shift, seq)
		if err != nil {
			_ = f.Close()
			_ = os.Remove(path)
			return 0, "", err
		}
		size += st.Octets
		if st.TopID >= 256 {
			shift = st.TopID - 255
		}
		seq += uint32(p.DataRecords)
	}
	err = errors.Join(w.Flush(), f.Sync(), f.Close())
	if err != nil {
		_ = os.Remove(path)
		return 0, "", fmt.Errorf("join parts: %w", err)
	}
	return size, hex.EncodeToString(sum.Sum(nil)), nil
}

func splicePart(w io.Writer, p cluster.Part, shift uint16, seq uint32) (ipfix.SpliceStats, error) {
	f, err := os.Open(p.Path)
	if err != nil {
		return ipfix.SpliceStats{}, fmt.Errorf("join parts: %w", err)
	}
	defer f.Close()
	st, err := ipfix.Splice(w, bufio.NewReaderSize(f, 1<<20), shift, seq)
	if err != nil {
		return st, fmt.Errorf("join part %s: %w", p.Path, err)
	}
	return st, nil
}

// place moves the finished file temp to out. Without overwrite it links
// it there, which fails if a file is already at out, unless that file is
// temp itself (a previous owner linked it before it lost the task).
func place(temp, out string, overwrite bool) error {
	if overwrite {
		return os.Rename(temp, out)
	}
	if err := os.Link(temp, out); err != nil {
		if !errors.Is(err, fs.ErrExist) || !sameFile(temp, out) {
			return err
		}
	}
	return os.Remove(temp)
}

func sameFile(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// fileSHA256 returns the SHA-256 of a file's content.
func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// syncDir makes a rename durable; failure only weakens durability.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		_ = d.Close()
	}
}
