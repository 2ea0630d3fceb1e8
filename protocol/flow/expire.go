package flow

// expire ends what the capture clock has passed: idle connections first
// (so a flow both idle and active ends as idle, B21 M), then closed
// connections whose linger is over, then records past the active timeout,
// then fragment state.
func (t *Table) expire(out []Record) []Record {
	now := t.clock
	for i := t.idle.head; i != 0 && now-t.ent(i).queued > t.cfg.idle; i = t.idle.head {
		e := t.ent(i)
		if now-e.last > t.cfg.idle {
			out = t.end(i, e.idleReason(), out)
			continue
		}
		t.idleRemove(i) // seen since it was queued: queue it again
		e.queued = e.last
		t.idlePush(i)
	}
	for i := t.closed.head; i != 0 && now-t.ent(i).timerAt > t.cfg.linger; i = t.closed.head {
		out = t.end(i, EndOfFlow, out)
	}
	for i := t.active.head; i != 0 && now-t.ent(i).timerAt >= t.cfg.active; i = t.active.head {
		out = t.cut(i, out)
	}
	return t.expireFragments(out)
}

// evict ends the least recently used connection to make room. The idle
// list is only roughly in last-packet order, so an entry seen since it was
// queued gets a second chance at the tail (the CLOCK approximation of LRU).
func (t *Table) evict(out []Record) []Record {
	for {
		i := t.idle.head
		e := t.ent(i)
		if e.last > e.queued {
			t.idleRemove(i)
			e.queued = e.last
			t.idlePush(i)
			continue
		}
		t.stats.Evicted++
		reason := EndResource
		if e.state&stClosed != 0 {
			reason = EndOfFlow
		}
		return t.end(i, reason, out)
	}
}

// end appends the records of entry i and removes it.
func (t *Table) end(i uint32, reason EndReason, out []Record) []Record {
	out = t.emit(t.ent(i), reason, out)
	t.release(i)
	return out
}

// cut ends the current record of entry i on its active timeout. The
// connection stays; its next packet starts a new record.
func (t *Table) cut(i uint32, out []Record) []Record {
	e := t.ent(i)
	out = t.emit(e, EndActive, out)
	t.timerRemove(&t.active, i)
	e.state &^= stActive
	e.dir = [2]side{}
	return out
}

// release takes entry i out of the index and the lists and frees it.
func (t *Table) release(i uint32) {
	e := t.ent(i)
	t.deleteSlot(i, e.hash)
	t.idleRemove(i)
	switch {
	case e.state&stActive != 0:
		t.timerRemove(&t.active, i)
	case e.state&stClosed != 0:
		t.timerRemove(&t.closed, i)
	}
	if e.tag != 0 {
		t.ended = append(t.ended, e.tag)
	}
	e.state = 0
	e.gen++
	e.idleNext = t.free
	t.free = i
	t.live--
}

// emit appends the records of e's current record, if it has packets.
func (t *Table) emit(e *entry, reason EndReason, out []Record) []Record {
	init := e.initiator()
	if t.cfg.biflow {
		fwd, rev := &e.dir[init], &e.dir[init^1]
		if fwd.packets == 0 && rev.packets == 0 {
			return out
		}
		r := Record{Key: e.key.dirKey(init, false), IPVersion: e.key.ipVersion(),
			Fwd: fwd.counters(), Rev: rev.counters(), Biflow: true, EndReason: reason,
			Tag: e.tag}
		if fwd.packets != 0 {
			fwd.fill(&r)
		} else {
			rev.fill(&r)
		}
		t.stats.Records++
		return append(out, r)
	}
	for _, from := range [2]uint8{init, init ^ 1} {
		d := &e.dir[from]
		if d.packets == 0 {
			continue
		}
		r := Record{Key: e.key.dirKey(from, false), IPVersion: e.key.ipVersion(),
			Fwd: d.counters(), EndReason: reason, Tag: e.tag}
		d.fill(&r)
		t.stats.Records++
		out = append(out, r)
	}
	return out
}
