package actors

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/asynkron/protoactor-go/actor"
)

// checkOutput checks the output path again before anything is written
// beside it, so a directory swapped for a link after the task was
// accepted never receives even the temporary file.
func (w *writer) checkOutput() error {
	if w.spec.CheckOutput == nil {
		return nil
	}
	if err := w.spec.CheckOutput(w.spec.Output); err != nil {
		return fmt.Errorf("create output: %w", err)
	}
	return nil
}

// failFast ends the task as soon as the output cannot be written (a full
// or failing disk), rather than reading the rest of the input for
// nothing. The task stops its children, and the temporary file goes with
// the writer.
func (w *writer) failFast(c actor.Context) {
	if w.err == nil || w.closed || w.tmp == nil {
		return
	}
	w.closed = true // nothing more is written; discard still removes the file
	_ = w.tmp.Close()
	w.report(c, &writerDone{Err: outputFault(w.err)})
}

// outputFault adds advice to the errors a person can act on.
func outputFault(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w (the output's file system is full)", err)
	case errors.Is(err, syscall.EROFS):
		return fmt.Errorf("%w (the output's file system is read-only)", err)
	}
	return err
}
