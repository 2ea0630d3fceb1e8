// Package actors runs a conversion task as a tree of protoactor-go actors:
//
//	task            progress, cancel, the end of the task
//	 ├─ reader      opens each capture in turn, decodes, hashes packets to shards
//	 ├─ shard/0..N  flow tables on the capture clock
//	 │   └─ dpi     with DPI, one per flow while it is being classified
//	 └─ writer      IPFIX encoding into a temporary file, renamed when complete,
//	                and to a collector over UDP or TCP (internal/export)
//
// Packets and records travel in batches. Each sender holds at most a fixed
// window of unacknowledged batches per receiver, and every batch comes back
// with its acknowledgement to be reused, so memory stays flat whatever the
// size of the input. The end of input travels down the same path as the
// data, so every flow is flushed before the writer closes the file.
//
// The writer acknowledges a batch only once its messages are written to
// the file's buffer and to the collector's socket. A collector that reads
// slowly, or is away while a TCP sender reconnects, thus holds the shards
// and the reader through the same windows; the task shares a context with
// the writer (see link) so that cancelling it, or its deadline, ends a
// send that waits on the collector.
//
// With DPI, each shard spawns an actor per TCP or UDP connection at its
// first payload and supervises it (see the shard's DPI bookkeeping): the
// actor reads the connection's first payloads in the reader's batches,
// which go back to the reader only once the actors are done with them;
// it reports its verdict and stops, and a record that ends first waits
// for that verdict. A panic in a dissector stops only its actor. Flows
// that other flows announce (FTP data) are found through the announcer's
// shard, which is theirs too (shard_expect.go).
//
// A stop (cancel, timeout, or the node's drain) stops the reader and the
// shards at once and asks the writer to publish nothing. The writer may
// be publishing the output at that moment; then it says so, and the task
// completed: its result always agrees with what is at the output path.
//
// [Run] is the entry point for callers that want a result; a supervisor
// spawns [TaskProps] as its child and receives [TaskFinished]. The node's
// supervisor (supervisor*.go) owns admission, the queue, deadlines and the
// journal: each state change of a task is written to the journal before
// it is answered or published on the board that status and list requests
// read (package taskview).
package actors
