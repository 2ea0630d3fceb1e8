package flow

// Conn names the connection that the latest [Table.Add] metered its packet
// into, for callers that keep per-connection state beside the table (DPI):
// they learn from it whether the packet opened the connection and which side
// sent it, and tag the connection with [Table.SetTag] so that its records
// carry the tag.
type Conn struct {
	// Tag is the connection's tag, 0 until [Table.SetTag] sets one.
	Tag uint32
	// New is true when the packet opened the connection.
	New bool
	// FromInitiator is true when the packet was sent by the connection's
	// initiator (the side its forward records start from).
	FromInitiator bool

	entry, gen uint32
}

// Last returns the connection the latest call to Add metered its packet
// into (or, during [Table.AddBatchFunc], the packet just metered). ok is
// false when that packet was not metered (a protocol left out, an invalid
// address pair) or was a later fragment held until its first fragment
// comes. After [Table.AddBatch] it is not meaningful.
func (t *Table) Last() (c Conn, ok bool) {
	if !t.lastOK {
		return Conn{}, false
	}
	e := t.ent(t.last)
	return Conn{Tag: e.tag, New: t.lastNew, FromInitiator: t.lastFrom == e.initiator(),
		entry: t.last, gen: e.gen}, true
}

// EndedTags appends to dst the tags of the connections that ended since
// the last call (in any call that ends connections: Add, AddBatch,
// Advance, Flush), and returns it. Connections without a tag are left
// out. A connection can end without a record: after an active-timeout cut
// it may see no packet before it goes idle.
func (t *Table) EndedTags(dst []uint32) []uint32 {
	dst = append(dst, t.ended...)
	t.ended = t.ended[:0]
	return dst
}

// SetTag tags connection c: every record of c from now on carries tag in
// [Record.Tag], until the connection ends. It does nothing when c has
// ended since Last returned it.
func (t *Table) SetTag(c Conn, tag uint32) {
	if c.entry == 0 || c.entry >= t.made {
		return
	}
	// Release bumps gen, so an equal gen is the same connection.
	if e := t.ent(c.entry); e.gen == c.gen {
		e.tag = tag
	}
}
