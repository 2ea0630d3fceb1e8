// Package task defines an export task as the service keeps it: the
// request, its state, its progress and its outcome. A Task value is the
// whole state of a task: the journal stores it as it is, the API shows it
// as it is, and a task can be resumed anywhere from it.
package task

import (
	"time"
)

// Status is the state of a task.
type Status string

// The states of a task. Queued and Running are live; the others are final.
const (
	Queued    Status = "queued"
	Running   Status = "running"
	Completed Status = "completed"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
	TimedOut  Status = "timed_out"
)

// Statuses lists every state, in the order of the API documentation.
var Statuses = []Status{Queued, Running, Completed, Failed, Cancelled, TimedOut}

// Live reports whether a task in state s may still run.
func (s Status) Live() bool { return s == Queued || s == Running }

// Valid reports whether s is one of [Statuses].
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Request is a normalised export request: paths are absolute and clean,
// timeouts filled in, the analysis list lower-cased and in its given
// order.
type Request struct {
	PcapFiles []string `json:"pcap_files"`
	// OutputPath is the IPFIX file to write; empty when the task only
	// streams to its collector.
	OutputPath string `json:"output_path"`
	DPI        bool   `json:"DPI"`
	// DPIBudget is how many packets with payload DPI reads per flow at
	// most; 0 means the default.
	DPIBudget    int      `json:"dpi_budget,omitempty"`
	AnalysisList []string `json:"analysis_list,omitempty"`
	Biflow       bool     `json:"biflow"`
	// IdleTimeout and ActiveTimeout are in seconds, as in the API.
	IdleTimeout   float64 `json:"idle_timeout"`
	ActiveTimeout float64 `json:"active_timeout"`
	Overwrite     bool    `json:"overwrite,omitempty"`
	// Collector is where records are streamed ("udp://host:port" or
	// "tcp://host:port"), if anywhere.
	Collector string `json:"collector,omitempty"`
	// UDPMessageSize bounds each message (datagram) to a UDP collector;
	// 0 means the default.
	UDPMessageSize int `json:"udp_message_size,omitempty"`
	// UDPRate caps datagrams per second to a UDP collector; 0 means none.
	UDPRate float64 `json:"udp_rate,omitempty"`
	// TemplateRefresh (seconds) and TemplateRefreshMessages say when
	// templates go again to a UDP collector; 0 means the defaults.
	TemplateRefresh         float64 `json:"template_refresh,omitempty"`
	TemplateRefreshMessages int     `json:"template_refresh_messages,omitempty"`
}

// Idle returns the idle timeout as a duration.
func (r *Request) Idle() time.Duration { return seconds(r.IdleTimeout) }

// Active returns the active timeout as a duration.
func (r *Request) Active() time.Duration { return seconds(r.ActiveTimeout) }

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Progress is what a running task has done so far.
type Progress struct {
	FilesDone  int `json:"files_done"` // files the reader is done with, read in full or not
	FilesTotal int `json:"files_total"`
	// FilesWithErrors counts the files that could not be opened or were
	// not read to their end (see the task's errors).
	FilesWithErrors int     `json:"files_with_errors"`
	BytesRead       int64   `json:"bytes_read"`
	BytesTotal      int64   `json:"bytes_total"`
	Percent         float64 `json:"percent"`
	// Packets counts the IP packets decoded, including those
	// SkippedPackets counts; frames that did not decode are BadPackets.
	Packets     uint64 `json:"packets"`
	Bytes       uint64 `json:"bytes"` // IP-level octets of Packets
	ActiveFlows int    `json:"active_flows"`
	// Flows counts the distinct flows (connections) metered so far; a
	// flow cut by the active timeout, or exported in both directions,
	// gives more records than one.
	Flows          uint64 `json:"flows"`
	RecordsWritten uint64 `json:"records_written"`
	BadPackets     uint64 `json:"bad_packets"`
	// SkippedPackets counts the packets of protocols the analysis list
	// left out: decoded, not metered.
	SkippedPackets uint64 `json:"skipped_packets"`
	// FlowsExportedEarly counts the flows the flow tables ended early to
	// stay under their memory cap (--flow-memory): their records carry
	// flowEndReason 5 (lack of resources), or 3 when the connection had
	// already closed.
	FlowsExportedEarly uint64  `json:"flows_exported_early"`
	DPIFailures        uint64  `json:"dpi_failures"`
	PacketsPerSecond   float64 `json:"packets_per_second"`
}

// FileError is a fault in one input file.
type FileError struct {
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
}

// Output describes the published IPFIX file of a completed task.
type Output struct {
	Path    string `json:"path"`
	Bytes   int64  `json:"bytes"`
	Records uint64 `json:"records"`
	SHA256  string `json:"sha256"`
}

// AppCount is one line of a summary's application table. Records counts
// the flow records labelled Name; Flows holds the same number, under the
// name the table first had.
type AppCount struct {
	Name    string `json:"name"`
	Flows   uint64 `json:"flows"`
	Records uint64 `json:"records"`
	Bytes   uint64 `json:"bytes"`
}

// Delivery is how a task's stream to its collector went.
type Delivery struct {
	Collector string `json:"collector"`
	// State is "connecting", "connected", "closed" or "failed".
	State    string `json:"state"`
	Messages uint64 `json:"messages"` // handed to the network
	Octets   uint64 `json:"octets"`
	// Connections counts TCP connections made; a reconnection adds one.
	Connections uint64 `json:"connections,omitempty"`
	// Refused counts ICMP port-unreachable reports to UDP datagrams:
	// nobody listened on the collector's port.
	Refused uint64 `json:"refused,omitempty"`
	// RecordsPossiblyLost counts the records of the messages a TCP
	// collector's host had not acknowledged when its connection broke.
	RecordsPossiblyLost uint64 `json:"records_possibly_lost"`
	// RecordsTrimmed counts records sent without their DPI metadata,
	// which did not fit in one datagram.
	RecordsTrimmed uint64     `json:"records_trimmed,omitempty"`
	LastError      string     `json:"last_error,omitempty"`
	DownSince      *time.Time `json:"down_since,omitempty"` // the outage in progress
	// WaitingSince is when the write in progress began, while the
	// collector does not take what is sent.
	WaitingSince *time.Time `json:"waiting_since,omitempty"`
}

// Summary totals a completed task.
type Summary struct {
	Flows   uint64 `json:"flows"`   // distinct flows (connections)
	Records uint64 `json:"records"` // flow records written
	// Packets counts the IP packets decoded, including those the
	// analysis list left out; PacketsMetered only those it kept.
	Packets        uint64 `json:"packets"`
	PacketsMetered uint64 `json:"packets_metered"`
	Bytes          uint64 `json:"bytes"` // IP-level octets of Packets
	// FilesRead counts the inputs read to their end; FilesWithErrors the
	// others (see the task's errors).
	FilesRead       int        `json:"files_read"`
	FilesWithErrors int        `json:"files_with_errors"`
	TopApplications []AppCount `json:"top_applications,omitempty"`
}

// Task is one export task.
type Task struct {
	ID             string      `json:"task_id"`
	Status         Status      `json:"status"`
	Request        Request     `json:"request"`
	IdempotencyKey string      `json:"idempotency_key,omitempty"`
	Fingerprint    string      `json:"fingerprint"`
	SubmittedAt    time.Time   `json:"submitted_at"`
	StartedAt      *time.Time  `json:"started_at,omitempty"`
	FinishedAt     *time.Time  `json:"finished_at,omitempty"`
	Attempt        int         `json:"attempt"`
	Node           string      `json:"node,omitempty"`
	Progress       Progress    `json:"progress"`
	Errors         []FileError `json:"errors"`
	Output         *Output     `json:"output,omitempty"`
	Summary        *Summary    `json:"summary,omitempty"`
	// Delivery is the stream to the collector, when the task has one.
	Delivery *Delivery `json:"delivery,omitempty"`
	// Error says why a task failed, was cancelled or timed out.
	Error string `json:"error,omitempty"`
}

// Clone returns a deep copy of t, so that a copy handed to another actor
// or goroutine shares nothing with the original.
func (t *Task) Clone() *Task {
	c := *t
	c.Request.PcapFiles = append([]string(nil), t.Request.PcapFiles...)
	c.Request.AnalysisList = append([]string(nil), t.Request.AnalysisList...)
	c.Errors = append([]FileError{}, t.Errors...)
	if t.StartedAt != nil {
		v := *t.StartedAt
		c.StartedAt = &v
	}
	if t.FinishedAt != nil {
		v := *t.FinishedAt
		c.FinishedAt = &v
	}
	if t.Output != nil {
		v := *t.Output
		c.Output = &v
	}
	if t.Delivery != nil {
		v := *t.Delivery
		if t.Delivery.DownSince != nil {
			d := *t.Delivery.DownSince
			v.DownSince = &d
		}
		if t.Delivery.WaitingSince != nil {
			w := *t.Delivery.WaitingSince
			v.WaitingSince = &w
		}
		c.Delivery = &v
	}
	if t.Summary != nil {
		v := *t.Summary
		v.TopApplications = append([]AppCount(nil), t.Summary.TopApplications...)
		c.Summary = &v
	}
	return &c
}
