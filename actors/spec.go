package actors

import (
	"fmt"
	"os"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/export"
	"github.com/ipfixweb/ipfixweb/internal/task"
	"github.com/ipfixweb/ipfixweb/protocol/dpi"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
)

// Spec describes one conversion task. Its zero value is not usable: Inputs
// are required, and Output or Collector (or both).
type Spec struct {
	ID     string
	Inputs []string // capture files, read in order into one output
	// Output is the final path of the IPFIX file; empty when the task
	// only streams to its collector.
	Output string
	// Collector, when set, receives the records as they are encoded,
	// over UDP or TCP: the same messages as the file, when there is one.
	Collector *export.Config

	// Overwrite lets the output replace an existing file; without it the
	// task fails rather than replace one.
	Overwrite bool
	// Open opens an input; nil means [pathpolicy.OpenRegular], which
	// refuses a named pipe or a device without waiting on it. The service
	// passes its path policy's check here, so inputs are checked again
	// when opened.
	Open func(path string) (*os.File, error)
	// CheckOutput, when set, is called just before the output is
	// published; an error fails the task and nothing is published.
	CheckOutput func(path string) error
	// ProgressEvery is how often the task sends a [TaskProgress] to the
	// actor it notifies; 0 means never.
	ProgressEvery time.Duration

	Meter flow.Config
	// DPI labels each flow's application: records get applicationName,
	// applicationId and the metadata DPI read.
	DPI bool
	// DPIBudget is how many packets with payload each flow's inspection
	// reads at most; 0 means dpi.DefaultBudget.
	DPIBudget int
	// DPIRegistry is the set of dissectors; nil means
	// dpi.DefaultRegistry().
	DPIRegistry *dpi.Registry
	// MaxDPIActors bounds the DPI actors alive at once in the task, shared
	// evenly by the shards (at least one each); 0 means
	// DefaultMaxDPIActors.
	MaxDPIActors int

	ObservationDomain uint32

	// Shards is the number of flow-table actors, at most [MaxShards]; 0
	// means GOMAXPROCS.
	Shards int
	// BatchSize is the number of packets per batch; 0 means 512.
	BatchSize int
	// Window is the number of unacknowledged batches a sender may have
	// in flight towards one receiver; 0 means 4.
	Window int
	// FlowMemory caps the memory of the task's flow tables, in bytes,
	// shared by the shards; 0 means [DefaultFlowMemory]. Past it the
	// least recently used flows are exported early with flowEndReason 5
	// (lack of resources). Meter.MaxFlows, when set, wins.
	FlowMemory int64

	// Fault, when not nil, is called by each stage ("reader", "shard",
	// "writer") before it handles a batch, with the number of batches it
	// has handled so far, and by the writer ("publish", 0) when the
	// output is complete on disk, just before it is moved to its path. A
	// panic it raises is handled like any other fault of that stage: the
	// task fails, the process goes on. It exists for fault-injection
	// tests and is nil in production.
	Fault func(stage string, n uint64)
}

// fault calls s.Fault when it is set.
func (s *Spec) fault(stage string, n *uint64) {
	if s.Fault != nil {
		s.Fault(stage, *n)
	}
	*n++
}

// FileError is a fault in one input: the file could not be opened, or its
// contents stopped making sense at Offset.
type FileError struct {
	File   string `json:"file"`
	Offset int64  `json:"offset"`
	Reason string `json:"reason"`
}

func (e FileError) Error() string {
	return fmt.Sprintf("%s: offset %d: %s", e.File, e.Offset, e.Reason)
}

// Progress is a snapshot of a running task.
type Progress struct {
	FilesDone   int    `json:"files_done"`
	FilesTotal  int    `json:"files_total"`
	BytesRead   int64  `json:"bytes_read"`
	BytesTotal  int64  `json:"bytes_total"`
	Packets     uint64 `json:"packets"`
	Bytes       uint64 `json:"bytes"` // IP-level octets of the metered packets
	BadPackets  uint64 `json:"bad_packets"`
	Skipped     uint64 `json:"skipped_packets"` // protocols left out by the analysis list
	ActiveFlows int    `json:"active_flows"`
	Flows       uint64 `json:"flows"` // distinct flows (connections) metered
	// Evicted counts the connections the flow tables ended early to stay
	// under their memory cap: their records carry flowEndReason 5, or 3
	// when the connection had already closed.
	Evicted uint64 `json:"flows_exported_early"`
	Records uint64 `json:"records"` // flow records written
	// Trimmed counts records that went without their DPI metadata, which
	// did not fit in one message (a UDP datagram).
	Trimmed     uint64 `json:"records_trimmed"`
	DPIFailures uint64 `json:"dpi_failures"` // flows whose inspection failed
	DPIFlows    uint64 `json:"dpi_flows"`    // flows inspected (DPI actors spawned)
	DPIActors   int    `json:"dpi_actors"`   // DPI actors alive now
	DPITracked  int    `json:"dpi_tracked"`  // TCP and UDP connections the shards track for DPI
	// DPIPeak is the sum over shards of the most DPI actors each had at
	// once: at least the most the task had at once.
	DPIPeak int `json:"dpi_peak"`
	// Delivery is the collector stream's figures; nil without one.
	Delivery *export.Stats `json:"delivery,omitempty"`
	// FilesWithErrors counts the files that could not be opened or were
	// not read to their end; FilesDone counts both kinds with the others.
	FilesWithErrors int `json:"files_with_errors"`
}

// Percent is the share of the input bytes read, 0 to 100.
func (p Progress) Percent() float64 {
	if p.BytesTotal <= 0 {
		return 0
	}
	v := 100 * float64(p.BytesRead) / float64(p.BytesTotal)
	return min(v, 100)
}

// Result is the outcome of a task.
type Result struct {
	Progress
	Errors []FileError

	OutputBytes int64
	SHA256      string
	// Apps counts the flow records per application, most flows first,
	// when DPI ran.
	Apps     []task.AppCount
	Messages uint64
	// DataRecords is the data records in the output, options records
	// included (what IPFIX sequence numbers count).
	DataRecords uint64
	Elapsed     time.Duration

	// Err is set when the task did not produce an output: cancelled,
	// a pipeline fault, or the output could not be written.
	Err error
}
