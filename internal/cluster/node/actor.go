package node

import (
	"context"

	"github.com/asynkron/protoactor-go/actor"

	"github.com/ipfixweb/ipfixweb/actors"
	"github.com/ipfixweb/ipfixweb/internal/cluster/clusterpb"
)

// supervisor is the node's named actor. It answers the API's messages
// (the same as a single node's supervisor answers) and the other nodes'
// protobuf messages. Each answer needs etcd, so it is worked out in a
// goroutine of its own and sent to the asker from there: a slow etcd
// holds up that one request, not the actor.
type supervisor struct{ n *Node }

func (s *supervisor) Receive(c actor.Context) {
	sender := c.Sender()
	if sender == nil {
		return
	}
	n := s.n
	var work func(ctx context.Context) any
	switch m := c.Message().(type) {
	case *actors.Submit:
		work = func(ctx context.Context) any { return n.submit(ctx, m) }
	case *actors.GetTask:
		work = func(ctx context.Context) any { return n.get(ctx, m.ID) }
	case *actors.FindKey:
		work = func(ctx context.Context) any {
			ctx, cancel := context.WithTimeout(ctx, askLimit)
			defer cancel()
			return n.findKey(ctx, m.Key, m.Fingerprint)
		}
	case *actors.ListTasks:
		work = func(ctx context.Context) any { return n.list(ctx, m) }
	case *actors.CancelTask:
		work = func(ctx context.Context) any { return n.cancelTask(ctx, m.ID) }
	case *actors.GetLoad:
		work = func(ctx context.Context) any { return n.load(ctx) }
	case *clusterpb.TaskPlaced:
		work = func(ctx context.Context) any { return n.placed(ctx, m) }
	case *clusterpb.CancelRequested:
		c.Respond(&clusterpb.Ack{Node: n.cfg.Name, Done: n.cancelLocal(m.TaskId)})
		return
	default:
		return
	}
	if !n.goReq(func() { n.sys.Root.Send(sender, work(n.ctx)) }) {
		c.Respond(closedReply(c.Message()))
	}
}

// goReq runs fn in a goroutine Close waits for, unless the node is
// closing.
func (n *Node) goReq(fn func()) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return false
	}
	n.reqs.Go(fn)
	return true
}

// closedReply is the answer to msg of a node that is closing.
func closedReply(msg any) any {
	switch msg.(type) {
	case *actors.Submit, *actors.FindKey:
		return &actors.SubmitReply{Err: actors.ErrDraining}
	case *actors.ListTasks:
		return &actors.ListReply{Err: actors.ErrDraining}
	case *actors.GetLoad:
		return &actors.Load{Draining: true}
	case *clusterpb.TaskPlaced:
		return &clusterpb.Ack{Reason: "node is closing"}
	default:
		return &actors.TaskReply{Err: actors.ErrDraining}
	}
}
