package main

import (
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ipfixweb/ipfixweb/internal/cluster"
	"github.com/ipfixweb/ipfixweb/internal/service"
)

// clusterFlags are the flags that make serve a member of a cluster.
type clusterFlags struct {
	etcd string
}

func (f *clusterFlags) register(fs *flag.FlagSet, c *service.ClusterConfig) {
	fs.StringVar(&f.etcd, "cluster-etcd", "", "etcd client URLs, comma-separated, e.g. "+
		"http://127.0.0.1:2379: run as a member of the cluster they coordinate (default: run alone)")
	fs.StringVar(&c.Listen, "cluster-listen", "", "host:port other nodes send messages to "+
		"(required with --cluster-etcd)")
	fs.StringVar(&c.Advertise, "cluster-advertise", "", "host:port other nodes use to reach "+
		"--cluster-listen, when it differs (behind NAT)")
	fs.DurationVar(&c.TTL, "cluster-ttl", cluster.DefaultTTL, "lease time of the node's membership: "+
		"a dead node's tasks move this long after it died; a pause or etcd stall shorter "+
		"than it changes nothing")
	fs.StringVar(&c.Prefix, "cluster-prefix", cluster.DefaultPrefix,
		"etcd key prefix of the deployment")
}

// apply checks the cluster flags and puts the endpoints into c.
func (f *clusterFlags) apply(c *service.Config) error {
	if f.etcd == "" {
		if c.Cluster.Listen != "" || c.Cluster.Advertise != "" {
			return fmt.Errorf("--cluster-listen and --cluster-advertise need --cluster-etcd; " +
				"without it the node would run alone")
		}
		return nil
	}
	for _, u := range strings.Split(f.etcd, ",") {
		if u = strings.TrimSpace(u); u != "" {
			c.Cluster.Etcd = append(c.Cluster.Etcd, u)
		}
	}
	switch {
	case len(c.Cluster.Etcd) == 0:
		return fmt.Errorf("--cluster-etcd: no URL in %q", f.etcd)
	case c.Cluster.Listen == "":
		return fmt.Errorf("--cluster-listen is required with --cluster-etcd")
	case c.Cluster.TTL < time.Second:
		return fmt.Errorf("--cluster-ttl must be at least 1s")
	}
	c.Tune = testTune()
	return nil
}
