package actors

import (
	"time"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// progress takes a running task's report: its status shows it, and the
// metrics count what it did since its last report.
func (s *supervisor) progress(m *TaskProgress) {
	l := s.live[m.ID]
	if l == nil || l.t.Status != task.Running {
		return
	}
	l.t.Progress = progressOf(m.Progress, m.Elapsed)
	l.t.Delivery = deliveryOf(m.Progress)
	s.count(l)
	s.publish(l.t)
}

// count adds to the metrics what a task's progress has over what they
// already counted of it.
func (s *supervisor) count(l *live) {
	p, c := &l.t.Progress, &l.counted
	s.cfg.Metrics.Advance(more(p.Packets, c.Packets), more(p.Bytes, c.Bytes), more(p.Flows, c.Flows),
		more(p.RecordsWritten, c.RecordsWritten), more(p.BadPackets, c.BadPackets),
		more(p.DPIFailures, c.DPIFailures))
	l.counted = *p
}

// more returns how much now exceeds before, never less than zero.
func more(now, before uint64) uint64 {
	if now > before {
		return now - before
	}
	return 0
}

func progressOf(p Progress, elapsed time.Duration) task.Progress {
	out := task.Progress{FilesDone: p.FilesDone, FilesTotal: p.FilesTotal,
		FilesWithErrors: p.FilesWithErrors, BytesRead: p.BytesRead, BytesTotal: p.BytesTotal,
		Percent: p.Percent(), Packets: p.Packets, Bytes: p.Bytes, ActiveFlows: p.ActiveFlows,
		Flows: p.Flows, RecordsWritten: p.Records, BadPackets: p.BadPackets,
		SkippedPackets: p.Skipped, FlowsExportedEarly: p.Evicted, DPIFailures: p.DPIFailures}
	if s := elapsed.Seconds(); s > 0 {
		out.PacketsPerSecond = float64(p.Packets) / s
	}
	return out
}

// summaryOf totals a completed run from its final progress.
func summaryOf(p *task.Progress, apps []task.AppCount) *task.Summary {
	return &task.Summary{Flows: p.Flows, Records: p.RecordsWritten, Packets: p.Packets,
		PacketsMetered: p.Packets - min(p.SkippedPackets, p.Packets), Bytes: p.Bytes,
		FilesRead: p.FilesTotal - p.FilesWithErrors, FilesWithErrors: p.FilesWithErrors,
		TopApplications: apps}
}

func fileErrors(errs []FileError) []task.FileError {
	out := make([]task.FileError, 0, len(errs))
	for _, e := range errs {
		out = append(out, task.FileError{File: e.File, Offset: e.Offset, Reason: e.Reason})
	}
	return out
}
