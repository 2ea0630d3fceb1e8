package cluster

import "github.com/cespare/xxhash/v2"

// Designated returns the node that should claim task id first among
// nodes, by rendezvous (highest random weight) hashing: each node's weight
// for the task is a well-mixed 64-bit hash of the node name and the task
// id, and the heaviest wins. Adding a node moves only the tasks it now
// wins, about 1/N of them; removing one moves only its own. It returns ""
// for no nodes.
func Designated(id string, nodes []string) string {
	best, top := "", uint64(0)
	for _, n := range nodes {
		w := weight(n, id)
		if best == "" || w > top || (w == top && n < best) {
			best, top = n, w
		}
	}
	return best
}

// weight hashes node and id with xxHash64, whose every output bit depends
// on every input bit: names that differ in one character get unrelated
// weights.
func weight(node, id string) uint64 {
	var d xxhash.Digest
	d.Reset()
	_, _ = d.WriteString(node)
	_, _ = d.Write([]byte{0})
	_, _ = d.WriteString(id)
	return d.Sum64()
}
