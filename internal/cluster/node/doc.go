// Package node runs an ipfixweb node as a member of a cluster. A [Node]
// registers in etcd on its session lease, keeps a view of the members,
// admits tasks from its API into etcd, claims the tasks placement gives it
// (and orphans of dead nodes) and runs them, writing every checkpoint and
// publishing every output through writes fenced by its ownership. Its
// supervisor actor answers the same messages as a single node's
// supervisor, so the HTTP API is the same, and it receives the protobuf
// messages other nodes send through protoactor-go's remote layer.
//
// A task's inputs are converted one at a time, each into a part file
// beside the output; a finished part is a checkpoint, so a task that
// changes hands goes on with its next input. When every input is done the
// parts are joined into one IPFIX stream (templates and sequence numbers
// renumbered), and the owner records which file it is about to publish
// before it renames it into place.
package node
