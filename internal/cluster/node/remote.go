package node

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
	"go.uber.org/zap"
	"google.golang.org/protobuf/proto"

	"github.com/ipfixweb/ipfixweb/internal/cluster/clusterpb"
)

// startRemote starts protoactor-go's remote endpoint on the listen
// address. Its writer to an unreachable node retries once: every message
// to another node waits for its answer at most AskTimeout anyway.
func (n *Node) startRemote() (err error) {
	host, port, err := splitHostPort(n.cfg.Listen)
	if err != nil {
		return err
	}
	var opts []remote.ConfigOption
	if n.cfg.Advertise != "" {
		opts = append(opts, remote.WithAdvertisedHost(n.cfg.Advertise))
	}
	rc := remote.Configure(host, port, opts...)
	rc.MaxRetryCount = 1
	r := remote.NewRemote(n.sys, rc)
	defer func() {
		// Start panics when it cannot listen.
		if v := recover(); v != nil {
			err = fmt.Errorf("start cluster endpoint on %s: %v", n.cfg.Listen, v)
		}
	}()
	r.Start()
	n.remote = r
	return nil
}

func (n *Node) stopRemote() {
	if n.remote != nil {
		n.remote.Shutdown(false)
		n.remote = nil
	}
}

// ask sends msg to the supervisor of the node at addr and waits for its
// Ack at most AskTimeout.
func (n *Node) ask(addr string, msg proto.Message) (*clusterpb.Ack, error) {
	pid := actor.NewPID(addr, SupervisorName)
	v, err := n.sys.Root.RequestFuture(pid, msg, n.cfg.AskTimeout).Result()
	if err != nil {
		return nil, fmt.Errorf("ask node at %s: %w", addr, err)
	}
	ack, ok := v.(*clusterpb.Ack)
	if !ok {
		return nil, fmt.Errorf("ask node at %s: answer %T", addr, v)
	}
	return ack, nil
}

// tell sends msg to the node called name in the background, logging
// what went wrong: the message only hastens what etcd already decides.
func (n *Node) tell(name string, msg proto.Message) {
	addr := ""
	for _, m := range n.view.Members() {
		if m.Name == name {
			addr = m.Remote
		}
	}
	if addr == "" {
		return
	}
	n.reqs.Go(func() {
		begin := time.Now()
		ack, err := n.ask(addr, msg)
		if err != nil {
			n.log.Info("node did not answer", zap.String("to", name), zap.Error(err))
			return
		}
		n.log.Debug("node answered", zap.String("to", name), zap.Bool("done", ack.Done),
			zap.String("reason", ack.Reason), zap.Duration("took", time.Since(begin)))
	})
}
