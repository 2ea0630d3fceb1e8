package node

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"go.uber.org/zap"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// publish joins the parts of a task whose every input is done and
// publishes the result at the output path.
func (r *run) publish(spec actors.Spec) {
	if r.allUnread() {
		r.finish(task.Failed, actors.ErrNoOutput.Error(), nil, nil)
		return
	}
	if spec.Output == "" {
		r.finish(task.Completed, "", nil, summary(r.rec.Checkpoint.Parts))
		return
	}
	parts := r.producedParts()
	if spec.CheckOutput != nil {
		if err := spec.CheckOutput(spec.Output); err != nil {
			r.finish(task.Failed, fmt.Sprintf("publish output: %v", err), nil, nil)
			return
		}
	}
	attempt := r.claim.Record.Task.Attempt
	in := cluster.Intent{Attempt: attempt}
	if len(parts) == 1 {
		in.Temp, in.Bytes, in.SHA256 = parts[0].Path, parts[0].Bytes, parts[0].SHA256
	} else {
		path := joinedPath(spec.Output, r.id, attempt)
		size, sum, err := join(path, parts)
		if err != nil {
			r.finish(task.Failed, err.Error(), nil, nil)
			return
		}
		in.Temp, in.Bytes, in.SHA256 = path, size, sum
	}
	for _, p := range parts {
		in.Records += p.Records
	}
	r.publishFile(spec, in)
}

// publishFile records in, the file this owner is about to publish, with a
// fenced write, then renames it into place and marks the task completed.
//
// The order is what makes a rename safe from a stale owner. An owner that
// lost the task before it recorded the intent is refused by the fence and
// publishes nothing. Once the intent is recorded, the output's content is
// decided: a new owner takes the named file over by renaming it to a name
// of its own, so of the stale owner's rename and the new owner's, exactly
// one succeeds, and both would publish the same bytes. A new owner that
// finds the file gone checks that the output has the recorded SHA-256.
func (r *run) publishFile(spec actors.Spec, in cluster.Intent) {
	r.mu.Lock()
	r.rec.Publish = &in
	r.mu.Unlock()
	err := r.persist("publish", func(ctx context.Context) error {
		_, err := r.n.store.Checkpoint(ctx, r.claim, r.record())
		return err
	})
	if err != nil {
		if surelyRefused(err) && in.Temp == joinedPath(spec.Output, r.id, in.Attempt) {
			_ = os.Remove(in.Temp)
		}
		return
	}
	if r.isGone() {
		return // handed back meanwhile: the next owner takes the file over
	}
	if err := place(in.Temp, spec.Output, spec.Overwrite); err != nil {
		r.mu.Lock()
		r.rec.Publish = nil
		r.mu.Unlock()
		r.finish(task.Failed, fmt.Sprintf("publish output: %v", err), nil, nil)
		return
	}
	syncDir(filepath.Dir(spec.Output))
	out := &task.Output{Path: spec.Output, Bytes: in.Bytes, Records: in.Records, SHA256: in.SHA256}
	r.finish(task.Completed, "", out, summary(r.producedParts()))
}

// adopt finishes the publishing a previous owner began: the record names
// the file it was about to rename into place.
func (r *run) adopt(spec actors.Spec) {
	in := *r.rec.Publish
	mine := joinedPath(spec.Output, r.id, r.claim.Record.Task.Attempt)
	err := os.Rename(in.Temp, mine)
	switch {
	case err == nil:
		r.log.Info("taking over an output about to be published", zap.String("file", in.Temp))
		in.Temp, in.Attempt = mine, r.claim.Record.Task.Attempt
		r.publishFile(spec, in)
		return
	case !errors.Is(err, fs.ErrNotExist):
		r.finish(task.Failed, fmt.Sprintf("take over the output %s: %v", in.Temp, err), nil, nil)
		return
	}
	if sum, err := fileSHA256(spec.Output); err == nil && sum == in.SHA256 {
		r.log.Info("the previous owner published the output")
		out := &task.Output{Path: spec.Output, Bytes: in.Bytes, Records: in.Records, SHA256: in.SHA256}
		r.finish(task.Completed, "", out, summary(r.producedParts()))
		return
	}
	r.mu.Lock()
	r.rec.Publish = nil
	if !partsPresent(r.rec.Checkpoint.Parts) {
		r.log.Warn("the parts of the checkpoint are gone; converting every input again")
		r.rec.Checkpoint = cluster.Checkpoint{}
	}
	r.mu.Unlock()
	if r.convertAll(spec) {
		r.publish(spec)
	}
}

// producedParts returns the parts that have a file.
func (r *run) producedParts() []cluster.Part {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []cluster.Part
	for _, p := range r.rec.Checkpoint.Parts {
		if p.Path != "" {
			out = append(out, p)
		}
	}
	return out
}

// allUnread reports whether not one input could be read.
func (r *run) allUnread() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.rec.Checkpoint.Parts {
		if !p.Unread {
			return false
		}
	}
	return true
}

func partsPresent(parts []cluster.Part) bool {
	for _, p := range parts {
		if p.Path == "" {
			continue
		}
		if _, err := os.Stat(p.Path); err != nil {
			return false
		}
	}
	return true
}

// finish gives the task its final state with a fenced write, then removes
// its parts.
func (r *run) finish(st task.Status, reason string, out *task.Output, sum *task.Summary) {
	now := time.Now().UTC()
	r.mu.Lock()
	r.cur = nil
	r.mu.Unlock()
	rec := r.record()
	t := rec.Task
	t.Status, t.FinishedAt, t.Error, t.Output, t.Summary = st, &now, reason, out, sum
	rec.Publish = nil
	rec.End(string(st), now)
	err := r.persist("finish", func(ctx context.Context) error {
		return r.n.store.Finish(ctx, r.claim, rec)
	})
	if err != nil {
		return
	}
	for _, f := range taskFiles(t.Request.OutputPath, r.id) {
		_ = os.Remove(f)
	}
	secs := time.Since(r.began).Seconds()
	r.n.cfg.Metrics.Finished(t, secs)
	fields := []zap.Field{zap.String("status", string(st)), zap.Uint64("packets", t.Progress.Packets),
		zap.Uint64("bytes", t.Progress.Bytes), zap.Uint64("flows", t.Progress.Flows),
		zap.Uint64("records", t.Progress.RecordsWritten),
		zap.Uint64("bad_packets", t.Progress.BadPackets),
		zap.Int("file_errors", len(t.Errors)), zap.Float64("seconds", secs)}
	if reason != "" {
		fields = append(fields, zap.String("reason", reason))
	}
	if st == task.Completed {
		r.log.Info("task finished", fields...)
	} else {
		r.log.Warn("task finished", fields...)
	}
}
