// Package dpi labels flows with their application protocol by reading
// their payload (deep packet inspection), and extracts a little metadata
// on the way: HTTP request heads, TLS and QUIC ClientHellos, DNS
// questions, SSH versions, mail and FTP greetings, NetBIOS names and DHCP
// host names.
//
// Protocols are named and numbered as nDPI 4.2 names and numbers them
// ([Proto]), so applicationId values match what ntopng and nProbe export.
// Where nDPI names an application inside the protocol (NetBIOS.SMBv1,
// GTP.GTP_U), [Verdict.App] holds it.
//
// A label is given only when the payload shows the protocol. A guess from
// a well-known port alone is marked ([Verdict.Guess]) and is never a DPI
// verdict. Short or weak signatures are held to more than one sign: NTP,
// DHCPv6, GTP, RADIUS, TFTP, Syslog, MsSQL-TDS, IKE and the LAN discovery
// broadcasts are read only on their ports; RTP needs two packets of one
// stream; OpenVPN and WireGuard need a second packet that agrees with the
// first.
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
// # Flows announced by other flows
//
// Some flows are recognised only through another: an FTP data connection
// carries no signature, but its control connection names the port it
// will use (PASV, EPSV, PORT, EPRT). The FTP control dissector reports
// each such announcement as an [Expectation], and the caller passes it on:
//
//  1. After each [Session.Add], [Session.Expectations] gives what the
//     flow announced so far, oldest first (at most [MaxExpectations]); the
//     caller passes on those past the ones it saw before. The call costs
//     nothing.
//  2. The caller keeps them until the announced flow begins, for example
//     in an [ExpectTable] (bounded, expiring in capture time), and for
//     each new flow asks [ExpectTable.Take], or checks
//     [Expectation.Matches] itself.
//  3. It starts the new flow's session with [FlowInfo.Expected] set to
//     the announced protocol; the ftp_data dissector then labels the
//     flow FTP_DATA at its first payload.
//
// A caller that reads sessions concurrently with the flows may learn of
// an announcement only after the announced flow began. It can wait:
// [Session.Announcing] says whether a session may still announce flows
// (a dissector with [Dissector.Announces] is still in the running), and
// [Registry.Announces] whether any session of a transport may. An
// announced flow joins the same two addresses as its announcer with the
// same IP protocol ([Expectation.Matches]), so only the sessions of that
// address pair need be waited for. The control connection's session
// keeps reading for announcements until its budget is spent or the
// client switches to TLS, so a long control connection's later
// transfers are not seen.
//
// The package does no I/O, starts no goroutines and keeps no mutable
// global state.
package dpi
