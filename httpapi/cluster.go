package httpapi

import (
	"context"

	"github.com/valyala/fasthttp"
)

// clusterView answers GET /api/cluster: the members this node sees, with
// their addresses and running tasks. A node running alone has none.
func (s *Server) clusterView(ctx *fasthttp.RequestCtx) {
	if s.cfg.Cluster == nil {
		writeError(ctx, &FieldError{Status: 404,
			Reason: "this node runs alone; start it with --cluster-etcd to join a cluster"})
		return
	}
	c, cancel := context.WithTimeout(context.Background(), s.cfg.AskTimeout)
	defer cancel()
	v, err := s.cfg.Cluster(c)
	if err != nil {
		s.unavailable(ctx, err)
		return
	}
	writeJSON(ctx, 200, v)
}
