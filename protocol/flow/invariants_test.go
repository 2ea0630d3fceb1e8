package flow

import "fmt"

// checkInvariants verifies the table's internal structure: every live
// entry is on the idle list once and found by its key, the index holds
// exactly the live entries, and the timer lists match the state bits.
func (t *Table) checkInvariants() error {
	live := map[uint32]bool{}
	prev := uint32(0)
	for i := t.idle.head; i != 0; i = t.ent(i).idleNext {
		e := t.ent(i)
		if live[i] || e.idlePrev != prev {
			return fmt.Errorf("idle list broken at %d", i)
		}
		live[i] = true
		prev = i
		if got := t.lookup(&e.key, e.hash); got != i {
			return fmt.Errorf("entry %d found as %d", i, got)
		}
		if uint32(e.key.hash(t.seed)>>32) != e.hash {
			return fmt.Errorf("entry %d: stale hash", i)
		}
		if e.queued > e.last {
			return fmt.Errorf("entry %d queued %d after its last packet %d", i, e.queued, e.last)
		}
	}
	if prev != t.idle.tail || len(live) != t.live || t.live > t.cfg.maxFlows {
		return fmt.Errorf("idle list has %d entries, live %d, tail %d/%d",
			len(live), t.live, prev, t.idle.tail)
	}
	used := 0
	for _, s := range t.slots {
		if s != 0 {
			used++
			if !live[uint32(s)] {
				return fmt.Errorf("slot for dead entry %d", uint32(s))
			}
		}
	}
	if used != t.live || 2*used > len(t.slots) {
		return fmt.Errorf("%d slots used of %d, %d live", used, len(t.slots), t.live)
	}
	for _, l := range []struct {
		list *list
		bit  uint8
	}{{&t.active, stActive}, {&t.closed, stClosed}} {
		n := 0
		for i := l.list.head; i != 0; i = t.ent(i).timerNext {
			if !live[i] || t.ent(i).state&l.bit == 0 {
				return fmt.Errorf("timer list holds entry %d of state %#x", i, t.ent(i).state)
			}
			n++
		}
		for i := range live {
			if t.ent(i).state&l.bit != 0 {
				n--
			}
		}
		if n != 0 {
			return fmt.Errorf("timer list for bit %#x off by %d", l.bit, n)
		}
	}
	if uint64(len(t.frags.index)) != t.frags.tail-t.frags.head {
		return fmt.Errorf("fragment index has %d keys, ring %d states",
			len(t.frags.index), t.frags.tail-t.frags.head)
	}
	return nil
}
