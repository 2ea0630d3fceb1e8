package actors

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"
)

// outputMode is the mode of a new output before the umask: readable by
// all, as any file a program writes for others to read (a collector or
// an archiver often runs as another user).
const outputMode = 0o644

// maxTempBase bounds the part of an output's name its temporary files
// carry: with the dots around it and the random part after it, their
// names stay within the 255 bytes a file name may have.
const maxTempBase = 200

// tempPrefix is the name of output's temporary files up to their random
// part: a dot, the output's name (at most maxTempBase bytes of it, cut at
// a character boundary), a dot.
func tempPrefix(output string) string {
	b := filepath.Base(output)
	if len(b) > maxTempBase {
		n := maxTempBase
		for n > 0 && !utf8.RuneStart(b[n]) {
			n--
		}
		b = b[:n]
	}
	return "." + b + "."
}

// isTemp tells whether name is a temporary file [createTemp] made with
// prefix: the prefix, a base-36 number, ".tmp". Names of other outputs'
// temporary files do not match, even when they start the same way.
func isTemp(name, prefix string) bool {
	mid, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return false
	}
	mid, ok = strings.CutSuffix(mid, ".tmp")
	if !ok || mid == "" {
		return false
	}
	for _, c := range []byte(mid) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'z') {
			return false
		}
	}
	return true
}

// RemoveTemps deletes the temporary files a writer of output left behind
// when its process died before it could clean up. It returns how many it
// removed.
func RemoveTemps(output string) int {
	dir, prefix := filepath.Dir(output), tempPrefix(output)
	entries, _ := os.ReadDir(dir)
	n := 0
	for _, e := range entries {
		if isTemp(e.Name(), prefix) && os.Remove(filepath.Join(dir, e.Name())) == nil {
			n++
		}
	}
	return n
}

// createTemp creates a new temporary file for output in dir, named by
// [tempPrefix] and a random base-36 number, with [outputMode] masked by
// the process's umask. Unlike
// os.CreateTemp, which makes files only their owner can read, the
// published output then has the mode of any file the user creates.
func createTemp(dir, output string) (*os.File, error) {
	prefix := filepath.Join(dir, tempPrefix(output))
	for range 100 {
		name := prefix + strconv.FormatUint(rand.Uint64(), 36) + ".tmp"
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, outputMode)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("create a temporary file in %s: every name tried exists", dir)
}

// report sends the task the writer's one word on the output.
func (w *writer) report(c actor.Context, d *writerDone) {
	if w.reported || w.cancelled {
		return
	}
	w.reported = true
	c.Send(w.task, d)
}

// cancel answers the task's request to stop. An output already published
// stays published (the task has the writerDone that says so, ahead of
// anything sent now); otherwise the temporary file goes and nothing will
// be published.
func (w *writer) cancel(c actor.Context) {
	if w.reported || w.cancelled {
		return
	}
	w.cancelled = true
	w.err = ErrCancelled // nothing more is encoded
	w.discard()
	c.Send(w.task, &writerCancelled{})
}
