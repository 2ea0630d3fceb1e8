// Package e2e tests a cluster of ipfixweb nodes the way it runs: a real
// etcd (Debian's etcd-server) and each member a separate ipfixweb process
// on its own loopback address (127.0.0.1 to .4), killed, paused and
// stopped with real signals. The tests build the binary with the
// clustertest tag, whose only difference is that IPFIXWEB_TEST_PACE slows
// each task down so a node can be stopped in the middle of one. They take
// about a minute and a half and run only with IPFIXWEB_CLUSTER_TEST=1
// (and not with -short); they are skipped when etcd is not installed.
package e2e
