package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/task"
)

// progressEvery is how often a converting input reports its progress to
// the run.
const progressEvery = 250 * time.Millisecond

// visible checks that this node sees the task's inputs and the output's
// directory: they must be on storage every node mounts under the same
// paths.
func (r *run) visible(spec actors.Spec) error {
	for _, in := range spec.Inputs {
		if _, err := os.Stat(in); err != nil {
			return fmt.Errorf("input %s is not visible on node %s: %w", in, r.n.cfg.Name, err)
		}
	}
	if spec.Output == "" {
		return nil
	}
	dir := filepath.Dir(spec.Output)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("output directory %s is not visible on node %s", dir, r.n.cfg.Name)
	}
	return nil
}

// convert runs the pipeline on segment i, the inputs seg[0] to seg[1]-1,
// into a part file of this attempt. It returns the part, or why the
// pipeline stopped: the run's stop cause, or a fault that fails the task.
func (r *run) convert(spec actors.Spec, i int, seg [2]int) (*cluster.Part, error) {
	s := spec
	s.ID = r.id
	s.Inputs = spec.Inputs[seg[0]:seg[1]]
	if spec.Output != "" {
		s.Output = partPath(spec.Output, r.id, r.claim.Record.Task.Attempt, i)
		s.Overwrite = true
	}
	r.mu.Lock()
	r.cur, r.counted = &actors.Progress{}, actors.Progress{}
	r.mu.Unlock()
	res := actors.Run(r.ctx, r.n.sys, s, progressEvery, r.onProgress)
	r.onProgress(res.Progress) // the metrics count to the end
	r.mu.Lock()
	r.cur = nil
	r.mu.Unlock()
	if r.ctx.Err() != nil {
		if s.Output != "" {
			_ = os.Remove(s.Output) // finished as the run stopped: no checkpoint names it
		}
		return nil, context.Cause(r.ctx)
	}
	p := &cluster.Part{Input: s.Inputs[0], Inputs: len(s.Inputs),
		Attempt: r.claim.Record.Task.Attempt, InputBytes: res.BytesRead, Packets: res.Packets,
		Octets: res.Bytes, Flows: res.Flows, BadPackets: res.BadPackets, Skipped: res.Skipped,
		Evicted: res.Evicted, DPIFailures: res.DPIFailures, FilesWithErrors: res.FilesWithErrors,
		Errors:   cluster.CapErrors(fileErrors(res.Errors)),
		Delivery: actors.DeliveryOf(res.Progress)}
	switch {
	case errors.Is(res.Err, actors.ErrNoOutput):
		p.Unread = true // its errors say why
		return p, nil
	case res.Err != nil:
		return nil, res.Err
	}
	p.Path, p.Bytes, p.SHA256 = s.Output, res.OutputBytes, res.SHA256
	p.DataRecords, p.Records, p.Apps = res.DataRecords, res.Records, res.Apps
	if p.Delivery != nil {
		p.Delivery.RecordsTrimmed = res.Trimmed
	}
	return p, nil
}

// onProgress takes a report of the segment being converted, and adds
// to the metrics what it did since the previous one.
func (r *run) onProgress(p actors.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur == nil {
		return
	}
	*r.cur = p
	c := &r.counted
	r.n.cfg.Metrics.Advance(more(p.Packets, c.Packets), more(p.Bytes, c.Bytes),
		more(p.Flows, c.Flows), more(p.Records, c.Records), more(p.BadPackets, c.BadPackets),
		more(p.DPIFailures, c.DPIFailures))
	*c = p
}

// more returns how much now exceeds before, never less than zero.
func more(now, before uint64) uint64 {
	if now > before {
		return now - before
	}
	return 0
}

// addPart adds a finished input to the checkpoint and writes it. It
// reports whether the write was made.
func (r *run) addPart(p *cluster.Part) bool {
	now := time.Now().UTC()
	r.mu.Lock()
	r.rec.Checkpoint.Parts = append(r.rec.Checkpoint.Parts, *p)
	r.rec.Checkpoint.At = &now
	r.mu.Unlock()
	err := r.persist("checkpoint", func(ctx context.Context) error {
		cancel, err := r.n.store.Checkpoint(ctx, r.claim, r.record())
		if cancel {
			r.stop(errCancelRequested)
		}
		return err
	})
	if surelyRefused(err) && p.Path != "" {
		_ = os.Remove(p.Path) // no checkpoint names it: nobody will use it
	}
	return err == nil
}

// record returns a copy of the run's record with the task's progress and
// errors as of now.
func (r *run) record() *cluster.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	rec := r.rec.Clone()
	rec.Task.Progress = r.progressLocked()
	rec.Task.Errors = []task.FileError{}
	for _, p := range rec.Checkpoint.Parts {
		rec.Task.Errors = append(rec.Task.Errors, p.Errors...)
	}
	rec.Task.Delivery = r.deliveryLocked()
	return rec
}

// progressLocked adds the progress of the input being converted to the
// totals of the finished ones.
func (r *run) progressLocked() task.Progress {
	out := task.Progress{FilesTotal: len(r.rec.Task.Request.PcapFiles),
		BytesTotal: r.rec.Task.Progress.BytesTotal}
	var attemptPackets uint64
	for _, p := range r.rec.Checkpoint.Parts {
		out.FilesDone += p.Inputs
		out.FilesWithErrors += p.FilesWithErrors
		out.BytesRead += p.InputBytes
		out.Packets += p.Packets
		out.Bytes += p.Octets
		out.Flows += p.Flows
		out.RecordsWritten += p.Records
		out.BadPackets += p.BadPackets
		out.SkippedPackets += p.Skipped
		out.FlowsExportedEarly += p.Evicted
		out.DPIFailures += p.DPIFailures
		if p.Attempt == r.rec.Task.Attempt {
			attemptPackets += p.Packets
		}
	}
	if c := r.cur; c != nil {
		out.FilesDone += c.FilesDone
		out.FilesWithErrors += c.FilesWithErrors
		out.BytesRead += c.BytesRead
		out.Packets += c.Packets
		out.Bytes += c.Bytes
		out.Flows += c.Flows
		out.RecordsWritten += c.Records
		out.BadPackets += c.BadPackets
		out.SkippedPackets += c.Skipped
		out.FlowsExportedEarly += c.Evicted
		out.DPIFailures += c.DPIFailures
		out.ActiveFlows = c.ActiveFlows
		attemptPackets += c.Packets
	}
	if out.BytesTotal == 0 {
		out.BytesTotal = inputSize(r.rec.Task.Request.PcapFiles)
		r.rec.Task.Progress.BytesTotal = out.BytesTotal
	}
	if out.BytesTotal > 0 {
		out.Percent = min(100, 100*float64(out.BytesRead)/float64(out.BytesTotal))
	}
	if secs := time.Since(r.began).Seconds(); secs > 0 {
		out.PacketsPerSecond = float64(attemptPackets) / secs
	}
	return out
}

func inputSize(files []string) int64 {
	var n int64
	for _, f := range files {
		if st, err := os.Stat(f); err == nil {
			n += st.Size()
		}
	}
	return n
}

func fileErrors(errs []actors.FileError) []task.FileError {
	out := make([]task.FileError, 0, len(errs))
	for _, e := range errs {
		out = append(out, task.FileError{File: e.File, Offset: e.Offset, Reason: e.Reason})
	}
	return out
}

// summary totals the parts of a task whose every input is done, as a
// single node's summary counts one run. The top applications merge each
// part's top ten, so an application that was eleventh or lower in every
// part can be missing.
func summary(parts []cluster.Part) *task.Summary {
	s := &task.Summary{}
	apps := map[string]*task.AppCount{}
	for _, p := range parts {
		s.Flows += p.Flows
		s.Records += p.Records
		s.Packets += p.Packets
		s.PacketsMetered += p.Packets - min(p.Skipped, p.Packets)
		s.Bytes += p.Octets
		s.FilesRead += p.Inputs - p.FilesWithErrors
		s.FilesWithErrors += p.FilesWithErrors
		for _, a := range p.Apps {
			if apps[a.Name] == nil {
				apps[a.Name] = &task.AppCount{Name: a.Name}
			}
			apps[a.Name].Flows += a.Flows
			apps[a.Name].Records += a.Records
			apps[a.Name].Bytes += a.Bytes
		}
	}
	for _, a := range apps {
		s.TopApplications = append(s.TopApplications, *a)
	}
	sort.Slice(s.TopApplications, func(i, j int) bool {
		a, b := s.TopApplications[i], s.TopApplications[j]
		if a.Flows != b.Flows {
			return a.Flows > b.Flows
		}
		return a.Name < b.Name
	})
	if len(s.TopApplications) > 10 {
		s.TopApplications = s.TopApplications[:10]
	}
	return s
}

// deliveryLocked totals the collector stream of the attempt: the figures
// of the finished inputs' streams and of the current one, with the state
// of the latest.
func (r *run) deliveryLocked() *task.Delivery {
	var out *task.Delivery
	add := func(d *task.Delivery) {
		if d == nil {
			return
		}
		if out == nil {
			v := *d
			out = &v
			return
		}
		msgs, octets, conns := out.Messages+d.Messages, out.Octets+d.Octets, out.Connections+d.Connections
		refused, lost := out.Refused+d.Refused, out.RecordsPossiblyLost+d.RecordsPossiblyLost
		trimmed := out.RecordsTrimmed + d.RecordsTrimmed
		*out = *d
		out.Messages, out.Octets, out.Connections = msgs, octets, conns
		out.Refused, out.RecordsPossiblyLost, out.RecordsTrimmed = refused, lost, trimmed
	}
	for _, p := range r.rec.Checkpoint.Parts {
		if p.Attempt == r.rec.Task.Attempt {
			add(p.Delivery)
		}
	}
	if r.cur != nil {
		add(actors.DeliveryOf(*r.cur))
	}
	return out
}
