package storetest

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"xinyong"
)

func context0() context.Context { return context.Background() }

func contextTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d)
}

func testLedgerHead(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		h, err := tx.LockLedger()
		ok(t, err, "LockLedger")
		if h.Size != 0 || h.Root != nil {
			t.Errorf("initial LockLedger = %+v, want size 0 and no root", h)
		}
		ok(t, tx.SetLedgerHead(xinyong.LedgerHead{Size: 3, Root: bytes.Repeat([]byte{0xab}, 32)}), "SetLedgerHead")
		h, err = tx.LedgerHead()
		ok(t, err, "LedgerHead in the same tx")
		equal(t, "LedgerHead in the same tx", h.Size, int64(3))
	})
	e.view(func(tx xinyong.Tx) {
		h, err := tx.LedgerHead()
		ok(t, err, "LedgerHead")
		equal(t, "LedgerHead", h, xinyong.LedgerHead{Size: 3, Root: bytes.Repeat([]byte{0xab}, 32)})
	})
	e.update(func(tx xinyong.Tx) {
		h, err := tx.LockLedger()
		ok(t, err, "LockLedger")
		equal(t, "LockLedger after SetLedgerHead", h, xinyong.LedgerHead{Size: 3, Root: bytes.Repeat([]byte{0xab}, 32)})
		ok(t, tx.SetLedgerHead(xinyong.LedgerHead{Size: 1 << 40, Root: []byte{1}}), "SetLedgerHead large")
	})
	e.view(func(tx xinyong.Tx) {
		h, err := tx.LedgerHead()
		ok(t, err, "LedgerHead")
		equal(t, "large LedgerHead", h, xinyong.LedgerHead{Size: 1 << 40, Root: []byte{1}})
	})
}

func entry(i int64) xinyong.LedgerEntry {
	return xinyong.LedgerEntry{Index: i, Kind: "record", ObjectType: "record", ObjectID: fmt.Sprintf("r%d", i), Version: int(i%3) + 1,
		Commitment: bytes.Repeat([]byte{byte(i)}, 32), At: base.Add(time.Duration(i) * time.Second)}
}

func testLedgerEntries(e *env) {
	t := e.t
	var es []xinyong.LedgerEntry
	for i := range int64(5) {
		es = append(es, entry(i))
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.AppendLedgerEntries(es[:3]), "AppendLedgerEntries")
		ok(t, tx.AppendLedgerEntries(nil), "AppendLedgerEntries empty")
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.AppendLedgerEntries(es[3:]), "AppendLedgerEntries more") })
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AppendLedgerEntries([]xinyong.LedgerEntry{entry(2)}) })
	wantCode(t, err, xinyong.ECONFLICT, "AppendLedgerEntries of an existing index")
	e.view(func(tx xinyong.Tx) {
		for _, r := range []struct{ from, to int64 }{{0, 5}, {1, 3}, {4, 100}, {3, 3}, {5, 9}, {0, 1}} {
			var got []xinyong.LedgerEntry
			ok(t, tx.LedgerEntries(r.from, r.to, func(le xinyong.LedgerEntry) error { got = append(got, le); return nil }), "LedgerEntries")
			want := es[min(r.from, 5):min(r.to, 5)]
			if len(want) == 0 && len(got) == 0 {
				continue
			}
			equal(t, fmt.Sprintf("LedgerEntries [%d, %d)", r.from, r.to), got, want)
		}
		got, err := tx.LedgerEntry(3)
		ok(t, err, "LedgerEntry")
		equal(t, "LedgerEntry 3", got, es[3])
		_, err = tx.LedgerEntry(5)
		wantCode(t, err, xinyong.ENOTFOUND, "LedgerEntry past the end")
		_, err = tx.LedgerEntry(-1)
		wantCode(t, err, xinyong.ENOTFOUND, "LedgerEntry -1")
	})
}

func testLedgerNodes(e *env) {
	t := e.t
	ctx := e.ctx
	keys := []int64{0, 1, 2, 1 << 40}
	hashes := [][]byte{bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32), bytes.Repeat([]byte{4}, 32)}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.WriteLedgerNodes(ctx, keys[:2], hashes[:2]), "WriteLedgerNodes")
		ok(t, tx.WriteLedgerNodes(ctx, nil, nil), "WriteLedgerNodes empty")
		got, err := tx.ReadLedgerNodes(ctx, keys[:2])
		ok(t, err, "ReadLedgerNodes in the same tx")
		equal(t, "nodes in the same tx", got, hashes[:2])
	})
	e.update(func(tx xinyong.Tx) { ok(t, tx.WriteLedgerNodes(ctx, keys[2:], hashes[2:]), "WriteLedgerNodes more") })
	e.view(func(tx xinyong.Tx) {
		got, err := tx.ReadLedgerNodes(ctx, []int64{1 << 40, 0, 2, 1, 0})
		ok(t, err, "ReadLedgerNodes")
		equal(t, "ReadLedgerNodes (in the order asked)", got, [][]byte{hashes[3], hashes[0], hashes[2], hashes[1], hashes[0]})
		got, err = tx.ReadLedgerNodes(ctx, nil)
		ok(t, err, "ReadLedgerNodes none")
		if len(got) != 0 {
			t.Errorf("ReadLedgerNodes(nil) = %v", got)
		}
		if _, err := tx.ReadLedgerNodes(ctx, []int64{0, 99}); err == nil {
			t.Errorf("ReadLedgerNodes with a missing key succeeded")
		}
	})
}

func testCheckpoints(e *env) {
	t := e.t
	cp := func(size int64) xinyong.StoredCheckpoint {
		return xinyong.StoredCheckpoint{Size: size, Root: bytes.Repeat([]byte{byte(size)}, 32),
			Note: []byte(fmt.Sprintf("xinyong.example/log\n%d\nroot\n\n— key sig\n", size)), CreatedAt: base.Add(time.Duration(size) * time.Minute)}
	}
	e.update(func(tx xinyong.Tx) {
		for _, s := range []int64{1, 3, 2} {
			ok(t, tx.PutCheckpoint(cp(s)), "PutCheckpoint")
		}
	})
	// The same size again is a no-op: the first checkpoint of a size stays.
	again := cp(3)
	again.Note, again.CreatedAt = []byte("other"), base.Add(time.Hour*24)
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutCheckpoint(cp(3)), "PutCheckpoint same")
		ok(t, tx.PutCheckpoint(again), "PutCheckpoint same size")
	})
	e.view(func(tx xinyong.Tx) {
		got, err := tx.LatestCheckpoint()
		ok(t, err, "LatestCheckpoint")
		equal(t, "LatestCheckpoint", got, cp(3))
		all, err := tx.Checkpoints(0)
		ok(t, err, "Checkpoints(0)")
		equal(t, "Checkpoints (largest first)", all, []xinyong.StoredCheckpoint{cp(3), cp(2), cp(1)})
		two, err := tx.Checkpoints(2)
		ok(t, err, "Checkpoints(2)")
		equal(t, "Checkpoints(2)", two, []xinyong.StoredCheckpoint{cp(3), cp(2)})
	})
}
