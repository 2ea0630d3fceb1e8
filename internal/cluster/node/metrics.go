package node

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ipfixweb/ipfixweb/internal/metrics"
)

// clusterMetrics are the node's cluster figures, in the service's
// registry when it has one.
type clusterMetrics struct {
	members prometheus.Gauge
	claims  prometheus.Counter
	fenced  prometheus.Counter
}

func newClusterMetrics(set *metrics.Set) *clusterMetrics {
	m := &clusterMetrics{
		members: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ipfixweb_cluster_members",
			Help: "Members of the cluster at the node's last sweep."}),
		claims: prometheus.NewCounter(prometheus.CounterOpts{Name: "ipfixweb_cluster_claims_total",
			Help: "Tasks this node claimed (each attempt counts)."}),
		fenced: prometheus.NewCounter(prometheus.CounterOpts{Name: "ipfixweb_cluster_fenced_writes_total",
			Help: "Writes of this node refused because another node owned the task by then."}),
	}
	if set != nil {
		set.Registry.MustRegister(m.members, m.claims, m.fenced)
	}
	return m
}
