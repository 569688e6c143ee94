package workflow

import (
	"fmt"

	"xinyong"
)

// recordRows are the record versions of a chunk of leaves [from, to),
// read by the chunk's one scan of the record rows (RecordRowsByLedger):
// the commitment of each content and what each row serves are both
// checked from these rows (checkServedRows), nothing reads them again.
type recordRows struct {
	from int64
	list []servedRow // in the order the scan read them
	// pos holds, by leaf - from, the index in list of the version that
	// claims the leaf (the last read, when two do), -1 for none.
	pos []int32
}

// read scans the record versions of leaves [from, to) into v (in place
// of the previous chunk's, reusing the memory), reporting two versions
// that claim the same leaf.
func (v *recordRows) read(tx xinyong.Tx, from, to int64, add func(int64, string, string, ...any)) error {
	clear(v.list) // drop the previous chunk's rows
	v.from, v.list = from, v.list[:0]
	if n := int(to - from); cap(v.pos) >= n {
		v.pos = v.pos[:n]
	} else {
		v.pos = make([]int32, n)
	}
	for i := range v.pos {
		v.pos[i] = -1
	}
	return tx.RecordRowsByLedger(from, to, func(c xinyong.RecordRow) error {
		i := c.LedgerIdx - from
		if i < 0 || i >= to-from {
			return fmt.Errorf("ledger verify: the store answered record %s v%d at leaf %d for leaves %d to %d", c.ID, c.Version, c.LedgerIdx, from, to-1)
		}
		if p := v.pos[i]; p >= 0 {
			prev := v.list[p].row
			add(c.LedgerIdx, "record:"+c.ID, "two record versions (%s v%d and %s v%d) claim the same leaf", prev.ID, prev.Version, c.ID, c.Version)
		}
		v.pos[i] = int32(len(v.list))
		v.list = append(v.list, servedRow{row: c})
		return nil
	})
}

// at returns the version that claims leaf idx, nil for none.
func (v *recordRows) at(idx int64) *servedRow {
	if i := idx - v.from; i >= 0 && i < int64(len(v.pos)) && v.pos[i] >= 0 {
		return &v.list[v.pos[i]]
	}
	return nil
}

// live reports whether list[i] is the version that claims its leaf (not
// one another version claiming the same leaf replaced).
func (v *recordRows) live(i int) bool {
	return v.pos[v.list[i].row.LedgerIdx-v.from] == int32(i)
}
