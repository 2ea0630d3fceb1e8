package actors

import "github.com/ipfixweb/ipfixweb/protocol/flow"

// DefaultFlowMemory is the memory a task's flow tables may use when
// [Spec.FlowMemory] is 0: about a million connections in uniflow.
const DefaultFlowMemory = 1 << 30

// Floors under the per-shard limits a small budget gives.
const (
	minFlowsPerShard     = 1024
	minFragmentsPerShard = 1024
)

// withFlowMemory turns s.FlowMemory into the limits of each shard's flow
// table: a sixteenth of a shard's share goes to fragment tracking, the
// rest to connections. Past MaxFlows a table exports its least recently
// used connection early, with flowEndReason 5 (lack of resources). Limits
// set in s.Meter are kept as they are.
func withFlowMemory(s Spec) Spec {
	mem := s.FlowMemory
	if mem <= 0 {
		mem = DefaultFlowMemory
	}
	share := mem / int64(max(s.Shards, 1))
	if s.Meter.MaxFragments <= 0 {
		n := share / 16 / flow.FragmentBytes(1)
		s.Meter.MaxFragments = int(max(minFragmentsPerShard, min(n, flow.DefaultMaxFragments)))
	}
	if s.Meter.MaxFlows <= 0 {
		s.Meter.MaxFlows = flow.MaxFlowsFor(share, s.Meter.Biflow, s.Meter.MaxFragments,
			minFlowsPerShard)
	}
	return s
}

// MaxShards bounds Spec.Shards: each shard costs memory of its own
// outside the flow-memory cap (about 8 KiB before it meters a packet), so
// a number far past any machine's cores would only exhaust memory.
const MaxShards = 1024
