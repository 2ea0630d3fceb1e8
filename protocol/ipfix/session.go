package ipfix

import "encoding/binary"

// TemplateMessages returns what a collector must read first on a new
// transport session before a message the encoder emitted earlier can be
// sent again on it: messages that carry every template and options
// template declared so far, and no data (RFC 7011 §8: on TCP, templates
// are sent once at the start of each session). Each message fits the
// encoder's message size and carries sequence number seq, which should be
// the sequence number of the message they precede: a message without data
// records takes the number of the next data record (RFC 7011 §3.1).
//
// It leaves the encoder's state as it is: the pending message, the
// sequence number and the statistics (these messages are not counted in
// [Encoder.Stats]). The messages are new slices the caller owns. It
// returns nil when no template has been declared.
func (e *Encoder) TemplateMessages(seq uint32) [][]byte {
	var msgs [][]byte
	var msg []byte
	setStart := 0
	closeSet := func() {
		if setStart != 0 {
			binary.BigEndian.PutUint16(msg[setStart+2:], uint16(len(msg)-setStart))
		}
		setStart = 0
	}
	finish := func() {
		closeSet()
		if len(msg) > headerLen {
			msgs = append(msgs, e.stamp(msg, seq))
		}
		msg = nil
	}
	for _, options := range [2]bool{false, true} {
		for _, t := range e.all {
			if (t.scope > 0) != options {
				continue
			}
			need := t.wireLen()
			if setStart == 0 || msg[setStart+1] != byte(t.setID()) {
				need += setHeaderLen
			}
			if msg != nil && len(msg)+need > e.max {
				finish()
			}
			if msg == nil {
				msg = make([]byte, headerLen, e.max)
			}
			if setStart == 0 || msg[setStart+1] != byte(t.setID()) {
				closeSet()
				setStart = len(msg)
				msg = binary.BigEndian.AppendUint16(msg, t.setID())
				msg = append(msg, 0, 0)
			}
			msg = t.appendRecord(msg)
		}
	}
	finish()
	return msgs
}

// stamp fills in the header of a complete message.
func (e *Encoder) stamp(msg []byte, seq uint32) []byte {
	binary.BigEndian.PutUint16(msg[0:], version)
	binary.BigEndian.PutUint16(msg[2:], uint16(len(msg)))
	binary.BigEndian.PutUint32(msg[4:], uint32(e.now().Unix()))
	binary.BigEndian.PutUint32(msg[8:], seq)
	binary.BigEndian.PutUint32(msg[12:], e.domain)
	return msg
}

// MessageSequence returns the sequence number in the header of msg, a
// complete IPFIX message, or 0 when msg is shorter than a header.
func MessageSequence(msg []byte) uint32 {
	if len(msg) < headerLen {
		return 0
	}
	return binary.BigEndian.Uint32(msg[8:])
}
