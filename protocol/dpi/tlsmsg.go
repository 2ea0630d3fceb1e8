package dpi

import "encoding/binary"

// TLS record and handshake parsing shared by the TLS and QUIC dissectors
// (RFC 8446 §4.1.2-4.1.3 and §5.1, RFC 5246 §7.4.1). Nothing here
// allocates: the hello types hold slices of the caller's buffer.

const (
	tlsRecordHeader    = 5
	tlsMaxRecord       = 16384 + 2048 // RFC 5246 §6.2.3: ciphertext limit
	tlsHandshake       = 22
	tlsChangeCipher    = 20
	tlsAlert           = 21
	tlsApplicationData = 23
	tlsClientHello     = 1
	tlsServerHello     = 2

	extServerName        = 0x0000
	extSignatureAlgs     = 0x000d
	extALPN              = 0x0010
	extSupportedVersions = 0x002b
)

// tlsRecordOK reports whether b starts with a plausible TLS record header.
func tlsRecordOK(b []byte) bool {
	if len(b) < tlsRecordHeader {
		return false
	}
	switch b[0] {
	case tlsChangeCipher, tlsAlert, tlsHandshake, tlsApplicationData:
	default:
		return false
	}
	return b[1] == 3 && b[2] <= 4 && int(binary.BigEndian.Uint16(b[3:])) <= tlsMaxRecord
}

// tlsFirstHandshake finds the first handshake message of a TLS stream,
// which may span several records. It returns the message type and body;
// complete is false when the body is cut short (more of the stream is
// needed). ok is false when the stream does not start with handshake
// records. When the message spans records its pieces are gathered in
// *scratch (grown as needed, at most the stream's length).
func tlsFirstHandshake(stream []byte, scratch *[]byte) (typ uint8, body []byte, complete, ok bool) {
	if len(stream) < 1 || stream[0] != tlsHandshake {
		return 0, nil, false, false
	}
	if len(stream) < tlsRecordHeader {
		return 0, nil, false, true
	}
	if !tlsRecordOK(stream) {
		return 0, nil, false, false
	}
	msg := stream[tlsRecordHeader:min(len(stream), tlsRecordHeader+int(binary.BigEndian.Uint16(stream[3:])))]
	if need, known := tlsMessageLen(msg); !known || len(msg) < need {
		// The message goes on in the next records: gather their fragments.
		gathered := append((*scratch)[:0], msg...)
		for off := tlsRecordHeader + len(msg); off+tlsRecordHeader <= len(stream); {
			if stream[off] != tlsHandshake || !tlsRecordOK(stream[off:]) {
				break
			}
			end := min(len(stream), off+tlsRecordHeader+int(binary.BigEndian.Uint16(stream[off+3:])))
			gathered = append(gathered, stream[off+tlsRecordHeader:end]...)
			off = end
		}
		*scratch, msg = gathered, gathered
	}
	if len(msg) < 4 {
		return 0, nil, false, true
	}
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	body = msg[4:]
	if len(body) >= n {
		return msg[0], body[:n], true, true
	}
	return msg[0], body, false, true
}

// tlsMessageLen returns the length of the handshake message that starts
// msg, header included, if its header is there.
func tlsMessageLen(msg []byte) (int, bool) {
	if len(msg) < 4 {
		return 0, false
	}
	return 4 + (int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])), true
}

// grease reports whether v is a GREASE value (RFC 8701 §2).
func grease(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

// clientHello holds the parts of a ClientHello the dissectors use, as
// slices of the message. Fields past the point where the message was cut
// are empty.
type clientHello struct {
	legacyVersion uint16
	ciphers       []byte // 2 bytes each
	exts          []byte // the extensions block
	serverName    []byte // the first host_name of server_name
	alpn          []byte // the protocol_name_list of ALPN
	versions      []byte // supported_versions list, 2 bytes each
	sigAlgs       []byte // signature_algorithms list, 2 bytes each
	hasSNI        bool
	complete      bool // the whole message was parsed
}

// parseClientHello reads a ClientHello body (RFC 8446 §4.1.2). complete
// says whether body is the whole message; a cut body yields what it
// holds. ok is false when the fixed part does not parse.
func parseClientHello(body []byte, complete bool) (ch clientHello, ok bool) {
	if len(body) < 2 || body[0] != 3 {
		return ch, !complete && len(body) < 2
	}
	r := tlsReader{b: body}
	ch.legacyVersion = r.u16()
	r.skip(32) // random
	r.vec8()   // legacy_session_id
	ch.ciphers = r.vec16()
	r.vec8() // legacy_compression_methods
	if r.bad {
		return ch, !complete // cut before the extensions: nothing to read yet
	}
	if r.off == len(body) {
		ch.complete = complete
		return ch, true // no extensions at all
	}
	n := int(r.u16())
	if r.bad {
		return ch, !complete
	}
	end := r.off + n
	if end > len(body) {
		if complete {
			return ch, false // the block runs past the message
		}
		end = len(body)
	}
	ch.exts = body[r.off:end]
	ch.complete = complete
	walkExtensions(ch.exts, func(typ uint16, data []byte) {
		switch typ {
		case extServerName:
			ch.hasSNI = true
			ch.serverName = firstHostName(data)
		case extALPN:
			if len(data) >= 2 {
				ch.alpn = data[2:min(len(data), 2+int(binary.BigEndian.Uint16(data)))]
			}
		case extSupportedVersions:
			if len(data) >= 1 {
				ch.versions = data[1:min(len(data), 1+int(data[0]))]
			}
		case extSignatureAlgs:
			if len(data) >= 2 {
				ch.sigAlgs = data[2:min(len(data), 2+int(binary.BigEndian.Uint16(data)))]
			}
		}
	})
	return ch, true
}

// maxVersion returns the highest version the client offers: the highest
// non-GREASE entry of supported_versions, else the legacy version.
func (ch *clientHello) maxVersion() uint16 {
	best := uint16(0)
	for i := 0; i+1 < len(ch.versions); i += 2 {
		if v := binary.BigEndian.Uint16(ch.versions[i:]); !grease(v) && tlsVersionRank(v) > tlsVersionRank(best) {
			best = v
		}
	}
	if best == 0 {
		return ch.legacyVersion
	}
	return best
}

// tlsVersionRank orders TLS and DTLS versions (DTLS counts down).
func tlsVersionRank(v uint16) int {
	if v>>8 == 0xfe {
		return int(0xff - v&0xff)
	}
	return int(v)
}

// walkExtensions calls f for each complete extension of an extensions
// block and stops at the first that is cut short.
func walkExtensions(b []byte, f func(typ uint16, data []byte)) {
	for len(b) >= 4 {
		typ, n := binary.BigEndian.Uint16(b), int(binary.BigEndian.Uint16(b[2:]))
		if len(b) < 4+n {
			return
		}
		f(typ, b[4:4+n])
		b = b[4+n:]
	}
}

// firstHostName returns the first host_name entry of a server_name
// extension (RFC 6066 §3).
func firstHostName(b []byte) []byte {
	if len(b) < 2 {
		return nil
	}
	list := b[2:min(len(b), 2+int(binary.BigEndian.Uint16(b)))]
	for len(list) >= 3 {
		typ, n := list[0], int(binary.BigEndian.Uint16(list[1:]))
		if len(list) < 3+n {
			return nil
		}
		if typ == 0 {
			return list[3 : 3+n]
		}
		list = list[3+n:]
	}
	return nil
}

// alpnList calls f for each protocol name of an ALPN protocol_name_list.
func alpnList(b []byte, f func(name []byte)) {
	for len(b) >= 1 {
		n := int(b[0])
		if len(b) < 1+n {
			return
		}
		f(b[1 : 1+n])
		b = b[1+n:]
	}
}

// serverHello holds what the dissectors use of a ServerHello.
type serverHello struct {
	version uint16 // negotiated: supported_versions if present, else legacy
	alpn    []byte // the protocol the server selected
}

// parseServerHello reads a complete ServerHello body (RFC 8446 §4.1.3).
func parseServerHello(body []byte) (sh serverHello, ok bool) {
	r := tlsReader{b: body}
	sh.version = r.u16()
	r.skip(32) // random
	r.vec8()   // legacy_session_id_echo
	r.skip(3)  // cipher_suite, legacy_compression_method
	if r.bad {
		return sh, false
	}
	if r.off == len(body) {
		return sh, true
	}
	ext := r.vec16()
	if r.bad {
		return sh, false
	}
	walkExtensions(ext, func(typ uint16, data []byte) {
		switch typ {
		case extSupportedVersions:
			if len(data) == 2 {
				sh.version = binary.BigEndian.Uint16(data)
			}
		case extALPN:
			alpnList(data[min(len(data), 2):], func(name []byte) {
				if sh.alpn == nil {
					sh.alpn = name
				}
			})
		}
	})
	return sh, true
}

// tlsReader reads the vectors of a TLS message. bad is set at the first
// read that runs past the end, and cut with it (the data ended, as
// opposed to a length that makes no sense).
type tlsReader struct {
	b        []byte
	off      int
	bad, cut bool
}

func (r *tlsReader) take(n int) []byte {
	if r.bad || n > len(r.b)-r.off {
		r.bad, r.cut = true, true
		return nil
	}
	v := r.b[r.off : r.off+n]
	r.off += n
	return v
}

func (r *tlsReader) skip(n int) { r.take(n) }

func (r *tlsReader) u16() uint16 {
	if v := r.take(2); v != nil {
		return binary.BigEndian.Uint16(v)
	}
	return 0
}

func (r *tlsReader) vec8() []byte {
	if v := r.take(1); v != nil {
		return r.take(int(v[0]))
	}
	return nil
}

func (r *tlsReader) vec16() []byte {
	if v := r.take(2); v != nil {
		return r.take(int(binary.BigEndian.Uint16(v)))
	}
	return nil
}
