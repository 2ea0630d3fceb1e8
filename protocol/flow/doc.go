// Package flow meters packets into IPFIX flow records.
//
// A [Table] keeps one entry per connection: both directions of a 5-tuple
// (addresses, ports, protocol and VLAN id) share an entry, and the sender of
// the first packet is the initiator, except that a TCP SYN+ACK seen first
// makes its receiver the initiator. Records come out either as two uniflow
// records (one per direction that saw packets, the default) or as one
// RFC 5103 biflow record with the initiator as the forward direction.
//
// ICMP and ICMPv6 carry type*256+code as the destination port, so an echo
// request and its reply are two connections (also in biflow mode), as in
// YAF; an ICMP error is keyed on its own header, never on what it quotes.
//
// All times are on the capture clock: the latest packet timestamp seen (or a
// later time handed to [Table.Advance]). Idle and active timeouts, the linger
// of closed TCP connections and the fragment timeout are all measured on it,
// so reading a capture quickly gives the same records as watching it live.
//
// Records end for these reasons ([EndReason]):
//   - [EndIdle]: no packet for more than the idle timeout;
//   - [EndActive]: the record has run for the active timeout; the connection
//     stays in the table and its next packet starts a new record;
//   - [EndOfFlow]: TCP RST in either direction or FIN in both, exported once
//     the connection has lingered (so the last ACK still counts); also a TCP
//     connection that saw any FIN and then went idle;
//   - [EndForced]: still open when [Table.Flush] was called;
//   - [EndResource]: pushed out because the table held MaxFlows connections.
//
// Non-first IP fragments carry no ports. The table joins them to the flow of
// their first fragment by (source, destination, protocol, fragment id), in
// whatever order they arrive; fragments whose first never shows up are
// exported as a flow with ports zero.
//
// A Table is not safe for concurrent use. Sharded metering uses one Table
// per shard and [ShardOf] to pick the shard of a packet; a shard that has a
// batch of packets should meter it with [Table.AddBatch].
package flow
