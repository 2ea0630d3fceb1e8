package node

import (
	"context"
	"slices"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
)

// Info is what GET /api/cluster shows: the members this node sees, with
// the tasks each runs.
type Info struct {
	Node     string `json:"node"`
	Draining bool   `json:"draining"`
	// Revision is the etcd revision the member list reflects.
	Revision int64        `json:"revision"`
	Members  []MemberInfo `json:"members"`
	// Queued counts the live tasks nobody runs yet.
	Queued int `json:"queued"`
	// FencedWrites counts this node's writes refused because the task
	// belonged to another node by then.
	FencedWrites int64 `json:"fenced_writes"`
}

// MemberInfo is one member and the tasks it owns.
type MemberInfo struct {
	cluster.Member
	Running []string `json:"running"`
}

// Info returns the node's view of the cluster. The members come from the
// node's own view; the tasks they run are read from etcd.
func (n *Node) Info(ctx context.Context) (*Info, error) {
	snap, err := n.store.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	byNode := map[string][]string{}
	for id, owner := range snap.Owners {
		byNode[owner] = append(byNode[owner], id)
	}
	info := &Info{Node: n.cfg.Name, Draining: n.isDraining(), Revision: n.view.Revision(),
		Queued: len(snap.Orphans), FencedWrites: n.fenced.Load(), Members: []MemberInfo{}}
	for _, m := range n.view.Members() {
		ids := byNode[m.Name]
		slices.Sort(ids)
		if ids == nil {
			ids = []string{}
		}
		info.Members = append(info.Members, MemberInfo{Member: m, Running: ids})
	}
	return info, nil
}
