// Package ipfix encodes flow records as IPFIX messages (RFC 7011) and
// decodes IPFIX messages and files (RFC 5655: messages back to back)
// strictly, for the inspect command and as the checker of every test.
//
// # Encoder
//
// [Encoder] buffers [flow.Record] values into messages of at most
// [EncoderConfig.MaxMessageSize] octets and hands each complete message to
// an emit function. Each record shape has its own template, numbered from
// 256 in order of first use and written into the stream ahead of (or in
// the same message before) the first data set that uses it. The shape is
// the combination of:
//
//   - address family: sourceIPv4Address/destinationIPv4Address (8/12) with
//     icmpTypeCodeIPv4 (32), or the IPv6 forms (27/28, 139);
//   - biflow (RFC 5103): reverse octets, packets, tcpControlBits and start
//     and end times as PEN 29305 elements; times are zero when the reverse
//     direction saw no packet;
//   - DPI: applicationId (95) and applicationName (96, variable length);
//     applicationId is 5 octets, RFC 6759 classification engine 6
//     (USER-Defined) and the 4-byte [flow.App.ID] (see
//     [ClassificationEngine]). Then the metadata of one group, the one
//     the record's [dpi.Meta] fills in: HTTP through IANA 459, 460, 461,
//     462, 468 and 457 (0 when no response was seen); TLS, QUIC, DNS
//     (query, or query and answer), SSH, mail and FTP greetings, NetBIOS
//     names or DHCP client names through flat enterprise elements under
//     [DPIPEN] ([DPIElements]), strings variable-length. A record carries
//     only its group's elements, and an element is there only when its
//     protocol has it, so collectors never read an empty TLS field on a
//     DNS flow; there are at most ten DPI templates per combination of
//     the other bits, declared as used;
//   - time form: flowStartMilliseconds/flowEndMilliseconds (152/153),
//     unsigned 64-bit ms since 1970, the form collectors read best and good
//     beyond 2106; a record with a time before 1970 uses
//     flowStartNanoseconds/flowEndNanoseconds (156/157, NTP form, 1900 to
//     2036) instead. A time neither form holds is refused, never wrapped;
//   - QinQ: dot1qCustomerVlanId (245) carries the inner VLAN when there is
//     one (vlanId, 58, always carries the outer one);
//   - MPLS: mplsTopLabelStackSection (70, 3 octets) when a label was seen.
//
// Every template also carries sourceTransportPort, destinationTransportPort,
// protocolIdentifier, tcpControlBits (2 octets), ipClassOfService,
// minimumTTL, maximumTTL (52/53: the record has them and they cost two
// octets), octetDeltaCount, packetDeltaCount (8 octets each),
// flowEndReason, vlanId and ingressInterface.
//
// Sequence numbers count the data records (options records included) sent
// before each message, modulo 2^32; template sets do not count. Options
// templates serve RFC 6759 application names ([Encoder.AddAppNames], or
// by themselves with [EncoderConfig.NameApps]), RFC 5610 type records
// ([Encoder.AddElementTypes], [Encoder.DescribeEnterpriseElements]; with
// the range and description fields libfixbuf needs to learn from them)
// and exporting process statistics
// ([Encoder.AddExporterStats]); [Encoder.DeclareOptionsTemplate] and
// [Encoder.AddOptionsRecord] declare and fill any other.
// [Encoder.ResendTemplates] writes every template again at the start of
// the next message; [Encoder.ResendAll] writes again the type records and
// application names with their options templates, then every template, so
// that a collector that joins a UDP stream late can read what follows.
// Add allocates nothing once the record's template exists.
//
// # Decoder
//
// [Decoder] keeps templates per (observation domain, template id) and
// rejects what cannot be decoded with a [*DecodeError] carrying the byte
// offset: a version other than 10, lengths that overrun, sets shorter than
// their header, reserved set ids, malformed templates, records that run
// past their set. What can be decoded past but breaks a rule becomes a
// [Warning] of the message: data sets without a template, sequence number
// jumps, template redefinitions, field lengths the element's type does not
// allow, non-zero padding. [ReadMessages] reads a whole stream;
// [ReadAllStrict] turns warnings into errors.
//
// Fields are named from the built-in registry of IANA elements 1 to 491
// (names as libfixbuf prints them), RFC 5103 reverse elements as
// "reverse" + the IANA name, other enterprise elements from RFC 5610 type
// records seen in the stream, and otherwise "e<pen>id<id>". See [Field]
// for the Go type of each value.
//
// The package does no I/O of its own and keeps no global state.
package ipfix
