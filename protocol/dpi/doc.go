// Package dpi labels flows with their application protocol by reading
// their payload (deep packet inspection), and extracts a little metadata
// on the way: HTTP request heads, TLS and QUIC ClientHellos, DNS
// questions, SSH versions and mail and FTP greetings.
//
// Protocols are named and numbered as nDPI 4.2 names and numbers them
// ([Proto]), so applicationId values match what ntopng and nProbe export.
//
// # Sessions
//
// A [Session] classifies one flow. The caller creates it with the flow's
// [FlowInfo] when the flow shows its first payload, feeds it the flow's
// packets with [Session.Add] until Add says it is done, and reads the
// [Verdict]. A session is done when a dissector is sure, when no dissector
// can match any more, or when it has seen [Config.Budget] packets with
// payload. Verdict may be read at any time and gives the best so far.
//
// For TCP the session reassembles the first [MaxStreamBytes] of each
// direction, whatever order segments come in: retransmitted and
// overlapping bytes are kept once, segments beyond a hole wait for it to
// fill, and when the SYN was not seen a segment from before the first one
// seen still goes in front.
//
// # Dissectors
//
// A [Dissector] is a value describing one protocol's recogniser; a
// [Registry] is an immutable, ordered set of them, shared by all sessions.
// Every new flow gets each dissector's [State]; each State looks at the
// data as it comes and answers Continue, Reject, Match or Final. The
// first to match claims the flow. [Builtins] lists the built-in
// dissectors; a dissector is one file plus one line there.
//
// Dissectors read untrusted bytes: they check every length before using
// it and never allocate in proportion to a length read from a packet. A
// panic in a dissector is not recovered here; it reaches the caller of
// Add, whose supervision decides what the flow becomes.
//
// The package does no I/O, starts no goroutines and keeps no mutable
// global state.
package dpi
