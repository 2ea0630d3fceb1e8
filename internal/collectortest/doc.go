// Package collectortest runs IPFIX collectors on loopback for tests: a UDP
// sink that keeps every datagram, and a TCP collector that reads whole
// connections, or hangs and crashes in the middle of one and comes back
// on the same port.
package collectortest
