package cluster

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/task"
)

// Record is a task as the cluster keeps it in etcd: the task as the API
// shows it, and what a node needs to resume it.
type Record struct {
	Task *task.Task `json:"task"`
	// Checkpoint is what finished attempts have kept: the inputs already
	// converted and their output parts.
	Checkpoint Checkpoint `json:"checkpoint"`
	// Publish is set between the moment the owner fixed which file
	// becomes the output and the moment the task is marked completed.
	Publish *Intent `json:"publish,omitempty"`
	// History lists the attempts, oldest first, at most [maxHistory].
	History []Attempt `json:"history,omitempty"`
}

// maxHistory caps Record.History, which etcd stores in every revision of
// the record.
const maxHistory = 16

// Checkpoint is the progress a task keeps across owners. The inputs are
// converted in segments of consecutive inputs (see [Segments]), one
// segment at a time, each into a part file beside the output; Parts[i] is
// the part of segment i. A new owner starts at segment len(Parts).
type Checkpoint struct {
	Parts []Part `json:"parts,omitempty"`
	// At is when the last part was added.
	At *time.Time `json:"at,omitempty"`
}

// InputsDone returns how many inputs the parts cover.
func (c *Checkpoint) InputsDone() int {
	n := 0
	for _, p := range c.Parts {
		n += p.Inputs
	}
	return n
}

// MaxSegments bounds the segments of a task, and so the parts its record
// holds in etcd, whose values are small (1.5 MiB at most by default).
const MaxSegments = 64

// Segments splits n inputs into at most MaxSegments runs of consecutive
// inputs, as even as can be: one input each when n is at most
// MaxSegments. Each is [first, end).
func Segments(n int) [][2]int {
	k := max(1, (n+MaxSegments-1)/MaxSegments)
	var out [][2]int
	for lo := 0; lo < n; lo += k {
		out = append(out, [2]int{lo, min(n, lo+k)})
	}
	return out
}

// Part is the output of one segment of inputs, or the reason it has none.
type Part struct {
	Input  string `json:"input"`  // the first input of the segment
	Inputs int    `json:"inputs"` // how many inputs the segment has
	// Path is the part file; empty when the input could not be read or
	// the task only streams to a collector.
	Path string `json:"path,omitempty"`
	// Unread means not one input of the segment could be read: Errors
	// says why.
	Unread      bool   `json:"unread,omitempty"`
	Bytes       int64  `json:"bytes"`
	SHA256      string `json:"sha256,omitempty"`
	DataRecords uint64 `json:"data_records"` // every data record: sequence numbers count them
	Records     uint64 `json:"records"`      // flow records
	Attempt     int    `json:"attempt"`

	InputBytes int64  `json:"input_bytes"`
	Packets    uint64 `json:"packets"`
	Octets     uint64 `json:"octets"`
	Flows      uint64 `json:"flows"`
	BadPackets uint64 `json:"bad_packets"`
	// FilesWithErrors counts the segment's inputs that could not be
	// opened or were not read to their end.
	FilesWithErrors int    `json:"files_with_errors,omitempty"`
	Skipped         uint64 `json:"skipped_packets"`
	Evicted         uint64 `json:"flows_exported_early,omitempty"`
	DPIFailures     uint64 `json:"dpi_failures"`
	// Errors lists the faults of the segment's inputs, the first
	// [MaxPartErrors] of them and then a line counting the others.
	Errors []task.FileError `json:"errors,omitempty"`
	Apps   []task.AppCount  `json:"apps,omitempty"`
	// Delivery is the stream of this segment to the task's collector.
	Delivery *task.Delivery `json:"delivery,omitempty"`
}

// MaxPartErrors bounds the file errors a part keeps.
const MaxPartErrors = 32

// CapErrors keeps the first MaxPartErrors of errs and, when there were
// more, a last line that says how many were left out.
func CapErrors(errs []task.FileError) []task.FileError {
	if len(errs) <= MaxPartErrors {
		return errs
	}
	out := append([]task.FileError(nil), errs[:MaxPartErrors]...)
	return append(out, task.FileError{Reason: fmt.Sprintf("and %d more file errors, not kept",
		len(errs)-MaxPartErrors)})
}

// Intent names the finished file an owner is about to publish at the
// output path. Once it is recorded the content of the output is decided:
// whoever publishes, it is this file.
type Intent struct {
	Temp    string `json:"temp"`
	Bytes   int64  `json:"bytes"`
	SHA256  string `json:"sha256"`
	Records uint64 `json:"records"`
	Attempt int    `json:"attempt"`
}

// Attempt is one claim of a task.
type Attempt struct {
	Attempt   int        `json:"attempt"`
	Node      string     `json:"node"`
	FromInput int        `json:"from_input"` // inputs already converted when it began
	Began     time.Time  `json:"began"`
	Ended     *time.Time `json:"ended,omitempty"`
	// Outcome is how the attempt ended: the task's final status,
	// "handed_back" after a drain, or empty while it runs or when its
	// node vanished.
	Outcome string `json:"outcome,omitempty"`
}

func (r *Record) encode() (string, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return "", fmt.Errorf("encode task %s: %w", r.Task.ID, err)
	}
	return string(b), nil
}

func decodeRecord(key string, v []byte) (*Record, error) {
	r := new(Record)
	if err := json.Unmarshal(v, r); err != nil {
		return nil, fmt.Errorf("task record %s: %w", key, err)
	}
	if r.Task == nil {
		return nil, fmt.Errorf("task record %s has no task", key)
	}
	return r, nil
}

// Clone returns a deep copy of r.
func (r *Record) Clone() *Record {
	c := *r
	c.Task = r.Task.Clone()
	c.Checkpoint.Parts = make([]Part, len(r.Checkpoint.Parts))
	for i, p := range r.Checkpoint.Parts {
		p.Errors = append([]task.FileError(nil), p.Errors...)
		p.Apps = append([]task.AppCount(nil), p.Apps...)
		if p.Delivery != nil {
			d := *p.Delivery
			p.Delivery = &d
		}
		c.Checkpoint.Parts[i] = p
	}
	if r.Checkpoint.At != nil {
		v := *r.Checkpoint.At
		c.Checkpoint.At = &v
	}
	if r.Publish != nil {
		v := *r.Publish
		c.Publish = &v
	}
	c.History = make([]Attempt, len(r.History))
	for i, a := range r.History {
		if a.Ended != nil {
			v := *a.Ended
			a.Ended = &v
		}
		c.History[i] = a
	}
	return &c
}

// begin appends an attempt to the history, dropping the oldest past
// maxHistory.
func (r *Record) begin(a Attempt) {
	r.History = append(r.History, a)
	if n := len(r.History); n > maxHistory {
		r.History = append(r.History[:0:0], r.History[n-maxHistory:]...)
	}
}

// End marks the running attempt ended with outcome.
func (r *Record) End(outcome string, at time.Time) {
	if n := len(r.History); n > 0 && r.History[n-1].Ended == nil {
		r.History[n-1].Ended = &at
		r.History[n-1].Outcome = outcome
	}
}
