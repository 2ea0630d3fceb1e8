package flow

// The index is an open-addressing hash table with linear probing. Each
// slot holds the key's 32-bit hash in its high half and the entry index in
// its low half (0: empty), so most probes that miss never touch an entry.
// It stays at most half full; deletion shifts later slots back instead of
// leaving tombstones.

// lookup returns the entry holding k, or 0.
func (t *Table) lookup(k *fkey, h uint32) uint32 {
	slots := t.slots
	mask := uint32(len(slots) - 1)
	for j := h & mask; ; j = (j + 1) & mask {
		s := slots[j]
		if s == 0 {
			return 0
		}
		if uint32(s>>32) == h && t.ent(uint32(s)).key.equal(k) {
			return uint32(s)
		}
	}
}

// insertSlot indexes entry i, whose key is not indexed yet, under hash h.
func (t *Table) insertSlot(i, h uint32) {
	if 2*(t.live+1) > len(t.slots) {
		t.growIndex()
	}
	mask := uint32(len(t.slots) - 1)
	j := h & mask
	for t.slots[j] != 0 {
		j = (j + 1) & mask
	}
	t.slots[j] = uint64(h)<<32 | uint64(i)
}

// deleteSlot removes entry i, indexed under hash h.
func (t *Table) deleteSlot(i, h uint32) {
	slots := t.slots
	mask := uint32(len(slots) - 1)
	j := h & mask
	for uint32(slots[j]) != i {
		j = (j + 1) & mask
	}
	// Move back every later slot of the run whose home is not between the
	// hole and itself, so lookups never stop early at the hole.
	hole := j
	for {
		j = (j + 1) & mask
		s := slots[j]
		if s == 0 {
			break
		}
		home := uint32(s>>32) & mask
		if (j-home)&mask >= (j-hole)&mask {
			slots[hole] = s
			hole = j
		}
	}
	slots[hole] = 0
}

func (t *Table) growIndex() {
	old := t.slots
	t.slots = t.mem.words(2 * len(old))
	defer t.mem.dropWords(old)
	mask := uint32(len(t.slots) - 1)
	for _, s := range old {
		if s == 0 {
			continue
		}
		j := uint32(s>>32) & mask
		for t.slots[j] != 0 {
			j = (j + 1) & mask
		}
		t.slots[j] = s
	}
}
