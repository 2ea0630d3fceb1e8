package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/internal/task"

	"github.com/ipfixweb/ipfixweb/protocol/capture"
	"github.com/ipfixweb/ipfixweb/protocol/flow"
	"github.com/ipfixweb/ipfixweb/protocol/packet"
)

// Messages inside one task's tree. They never leave the node, so they are
// plain Go structs.

// packetBatch carries packets from the reader to one shard. Clock is the
// capture clock when the batch was sent (the latest packet time read from
// any file), so that a shard that receives few packets still expires its
// flows on time. The batch comes back in packetAck to be reused.
//
// With DPI, the payloads of TCP and UDP packets point into the reader's
// input blocks, which the batch holds (blocks) until it is acknowledged.
type packetBatch struct {
	From   *actor.PID // the reader, which takes the ack
	Pkts   []packet.Packet
	Clock  int64
	blocks []*capture.Block // retained by the reader for the payloads
	// dpiRefs counts, while the batch is at its shard, the DPI batches
	// whose segments point into its payloads: the shard acks the batch
	// only once it is 0.
	dpiRefs int
}

type packetAck struct {
	Shard int
	Batch *packetBatch
}

// endOfInput follows the last packetBatch to every shard.
type endOfInput struct{}

// noInput tells the task that not one input could be read, so there is no
// output to write.
type noInput struct{}

// recordBatch carries finished flow records from a shard to the writer.
type recordBatch struct {
	From    *actor.PID
	Shard   int
	Records []flow.Record
}

type recordAck struct{ Batch *recordBatch }

// shardDone follows a shard's last recordBatch to the writer.
type shardDone struct{ Shard int }

// pump makes the reader read the next slice of input.
type pump struct{}

// readerProgress is sent by the reader to the task after each pump.
type readerProgress struct {
	FilesDone  int
	BytesRead  int64
	Packets    uint64
	Bytes      uint64
	BadPackets uint64
	Errors     []FileError // new errors since the last report
	Done       bool
}

// shardProgress is sent by a shard to the task after each batch.
type shardProgress struct {
	Shard   int
	Active  int
	Flows   uint64 // connections opened
	Skipped uint64
	Evicted uint64 // connections exported early: the flow table was at its cap

	DPIActive   int    // live DPI actors
	DPITracked  int    // connections with a DPI slot
	DPIPeak     int    // most live DPI actors at once
	DPIFlows    uint64 // DPI actors spawned: flows inspected
	DPIFailures uint64 // DPI actors that panicked
}

// writerProgress is sent by the writer to the task.
type writerProgress struct {
	Records uint64
	Trimmed uint64 // records sent without DPI metadata that did not fit
}

// writerDone reports the published output, or the reason there is none.
type writerDone struct {
	Bytes    int64
	SHA256   string
	Records  uint64
	Messages uint64
	// DataRecords counts every data record written, options records
	// included: the sequence numbers of the file count them.
	DataRecords uint64
	Apps        []task.AppCount
	Trimmed     uint64
	Err         error
}

// writerCancel asks the writer to publish nothing; it answers with
// [writerCancelled], unless it has already sent its [writerDone].
type writerCancel struct{}

// writerCancelled tells the task that the writer will publish nothing.
type writerCancelled struct{}

// GetProgress asks a task actor for a [Progress] snapshot; the answer is a
// Progress value.
type GetProgress struct{}

// Cancel stops a task: the reader stops, nothing is published and the
// task ends with [ErrCancelled].
type Cancel struct{}

// TaskProgress is sent by a task actor to whoever is to be told, every
// [Spec.ProgressEvery].
type TaskProgress struct {
	ID       string
	Progress Progress
	Elapsed  time.Duration
}

// progressTick makes a task report its progress.
type progressTick struct{}

// TaskFinished is sent by a task actor to whoever is to be told (see
// [TaskProps]) once every child has stopped.
type TaskFinished struct {
	ID     string
	Result Result
}
