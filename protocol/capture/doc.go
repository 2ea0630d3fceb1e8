// Package capture reads packet capture files as a stream of frames.
//
// It reads classic pcap (the microsecond magic 0xa1b2c3d4, the nanosecond
// magic 0xa1b23c4d and the "modified pcap" magic 0xa1b2cd34, in either byte
// order), pcapng (any number of sections, each in its own byte order, any
// number of interfaces with their own link types, if_tsresol and
// if_tsoffset), and either of them compressed with gzip. [NewReader] tells
// the formats apart by their first bytes, never by a file name.
//
// The Reader reads the input into blocks of 256 KiB and frames records
// and blocks in place: every header is checked before it is used, so
// limits hold before anything is allocated and each fault has its offset
// and reason, and the data of a frame is a slice of the block it lies in,
// never copied. Reading the input is the one part of the product that
// touches every byte, so it is done here rather than by gopacket's pcapgo,
// which copies each record into a buffer of its own and reads the formats
// more narrowly than libpcap (see the choices below). pcapgo serves as the
// independent reference the tests hold this package to: on every file it
// reads to the end, both give the same frames.
//
// A [Reader] hands out one [Frame] per captured packet. Frame.Data points
// into a block the Reader reuses, so it is valid only until the next call
// to [Reader.Next] unless the caller retains the block ([Reader.Block],
// [Block.Retain]): a retained block is not read into again until it is
// released, so a pipeline can hand frames to other goroutines without a
// copy. Reading allocates nothing per frame once the Reader has the
// blocks it needs; a record longer than a block is read into a buffer of
// its own.
//
// # Limits
//
// Every length read from the input is checked before it is used. A pcap
// record may hold at most [MaxRecordLen] captured bytes and a pcapng block may
// be at most [MaxRecordLen] bytes long; a larger value is reported as a
// [FormatError] wrapping [ErrTooLarge]. A section may describe at most
// [MaxInterfaces] interfaces, and an Interface Description Block may be at
// most 256 KiB long. The snapshot length in a file header is never used to
// size a buffer (nor is it a limit: libpcap reads longer records too).
// Records longer than a block are read into a buffer that grows with the
// bytes actually read, so a short hostile file cannot make the Reader
// allocate by a length it claims.
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
//   - pcapng options other than if_tsresol and if_tsoffset are not read. Any
//     if_tsresol is read exactly, binary units included, and a time that
//     does not fit is reported rather than wrapped.
//   - Simple Packet Blocks carry no timestamp: their frames get the time of
//     the frame before them (0 if there is none).
//   - A pcapng timestamp that does not fit in int64 nanoseconds (after year
//     2262) is a [FormatError].
package capture
