// Package capture reads packet capture files as a stream of frames.
//
// It reads classic pcap (the microsecond magic 0xa1b2c3d4, the nanosecond
// magic 0xa1b23c4d and the "modified pcap" magic 0xa1b2cd34, in either byte
// order), pcapng (any number of sections, each in its own byte order, any
// number of interfaces with their own link types, if_tsresol and
// if_tsoffset), and either of them compressed with gzip. [NewReader] tells
// the formats apart by their first bytes, never by a file name.
//
// The records and blocks that hold packets are read by gopacket's pcapgo
// (pcapgo.Reader and pcapgo.NgReader with zero-copy reads). This package
// stands between the input and pcapgo: it removes gzip itself, so offsets
// count the decompressed stream; it checks every header before pcapgo
// reads it, so limits hold before anything is allocated and each fault
// has its offset and reason; and it hands pcapgo one record or block at a
// time, rewritten where pcapgo reads the format differently from libpcap
// (the comments at each rewrite say why).
//
// A [Reader] hands out one [Frame] per captured packet. Frame.Data points
// into a buffer the Reader reuses, so it is valid only until the next call
// to [Reader.Next]. Reading allocates nothing per frame, with two
// exceptions that come from pcapgo: a record over 256 KiB is read into a
// new buffer, and a pcapng packet whose interface has a link type of 256
// or more (Linux SLL2 is 276) costs one 2-byte allocation, as pcapgo boxes
// the link type into an interface value for every packet.
//
// # Limits
//
// Every length read from the input is checked before it is used. A pcap
// record may hold at most [MaxRecordLen] captured bytes and a pcapng block may
// be at most [MaxRecordLen] bytes long; a larger value is reported as a
// [FormatError] wrapping [ErrTooLarge]. A section may describe at most
// [MaxInterfaces] interfaces, and an Interface Description Block may be at
// most 256 KiB long. The snapshot length in a file header is never used to
// size a buffer beyond 256 KiB. Records larger than that are read into a
// buffer that grows with the bytes actually read, so a short hostile file
// cannot make the Reader allocate by a length it claims.
//
// A gzipped input may decompress to [GzipRatioFloor] bytes, and beyond
// that to at most [MaxGzipRatio] times the compressed bytes read so far;
// a decompression bomb stops with a [FormatError] wrapping [ErrTooLarge].
//
// # Errors
//
// Faults in the input are reported as *[FormatError], which carries the
// byte offset of the file header, record or block at fault (counted in the
// decompressed stream for gzip files) and wraps one of the sentinel errors,
// so callers can test them with [errors.Is] and print them as
// "file: offset N: reason". An input that ends in the middle of a header,
// record or block gives an error wrapping [ErrTruncated] after every complete
// frame before it has been returned.
//
// # Choices where the formats leave room
//
//   - The pcap header's time zone and significant-figures fields are ignored,
//     as libpcap and Wireshark ignore them. Only the low 16 bits of the link
//     type field are the link type; the FCS bits above them are ignored.
//   - pcap files of version 2.2 and older store the captured and original
//     lengths the other way round; version 2.3 files may do either. Both are
//     read the way libpcap reads them.
//   - A pcap record whose captured length is above its original length is
//     read as it is, as libpcap reads it.
//   - A pcapng section whose major version is not 1 is skipped up to the next
//     Section Header Block, as the pcapng specification asks. Any minor
//     version is read.
//   - pcapng options other than if_tsresol and if_tsoffset are not read.
//   - Simple Packet Blocks carry no timestamp: their frames get the time of
//     the frame before them (0 if there is none).
//   - A pcapng timestamp that does not fit in int64 nanoseconds (after year
//     2262) is a [FormatError].
package capture
