// Package export sends IPFIX messages to a collector, over UDP (RFC 7011
// §10.3) or TCP (RFC 7011 §10.4), for the writer of a task.
//
// A [Sender] takes complete messages, one at a time, from one goroutine
// (its owner); only [Sender.Stats] may be called from others. Encoding is
// not its business: the owner's encoder sizes messages to
// [Config.MessageSize] for UDP, resends templates on the schedule of
// [Config.RefreshInterval] and [Config.RefreshMessages], and gives a TCP
// sender, through [Config.Greeting], the templates a new connection must
// start with.
//
// UDP: each message is one datagram. A collector that is not listening
// is not an error: the ICMP port-unreachable reports the socket returns
// are counted in [Stats.Refused] and the datagram is sent again once.
// [Config.Rate] paces datagrams so a slow collector is not flooded.
//
// TCP: the sender connects when opened and again whenever the collector
// goes away, with exponential backoff, for at most [Config.RetryFor] of
// outage; then Send fails with an [*UnreachableError]. A new connection
// starts with the greeting, then the message whose write failed, so the
// collector reads templates first and no message is cut. IPFIX over TCP
// has no acknowledgements: what the sender can know is which octets the
// collector's host had not acknowledged when the connection broke (on
// Linux, the socket's send queue, SIOCOUTQ, measured after each write),
// and [Stats.PossiblyLost] counts the data records of those messages.
// Octets the collector's host acknowledged but its program never read
// (its receive buffer, when it crashed) cannot be known from this side.
//
// Writes block while the collector does not read: the sender holds no
// queue of its own, so its owner, and whatever feeds it, waits too.
// Every wait ends when the context given to Open, Send or Close ends.
package export
