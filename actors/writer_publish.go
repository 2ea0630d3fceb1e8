package actors

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"

	"github.com/asynkron/protoactor-go/actor"
)

// outputMode is the mode of a new output before the umask: readable by
// all, as any file a program writes for others to read (a collector or
// an archiver often runs as another user).
const outputMode = 0o644

// createTemp creates a new temporary file for output in dir, named by
// [tempPattern], with [outputMode] masked by the process's umask. Unlike
// os.CreateTemp, which makes files only their owner can read, the
// published output then has the mode of any file the user creates.
func createTemp(dir, output string) (*os.File, error) {
	prefix := filepath.Join(dir, "."+filepath.Base(output)+".")
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
