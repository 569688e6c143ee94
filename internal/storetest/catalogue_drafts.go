package storetest

import (
	"time"

	"github.com/pressly/goose/v3"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// testCataloguePending: a proposed change of an item once approved is kept
// apart from the item (xinyong.ChangeIsPending): the item's current version
// is untouched, the pending version is read on its own, appended to the
// history, replaced by a later proposal and removed when decided.
func testCataloguePending(e *env) {
	t := e.t
	now := Start.Truncate(time.Microsecond).UTC()
	live := item("GS01", 1)
	live.Layer, live.Provenance, live.SharingScope, live.DisclosureScope = xinyong.LayerProvincial, xinyong.ProvenanceLocal, xinyong.ShareNone, xinyong.DiscloseAuthorised
	draft := live
	draft.Version, draft.Status, draft.SharingScope, draft.DisclosureScope = 2, xinyong.ItemDraft, xinyong.ShareUnconditional, xinyong.DisclosePublic
	e.update(func(tx xinyong.Tx) {
		_, err := tx.PendingCatalogueItem("GS01")
		wantCode(t, err, xinyong.ENOTFOUND, "PendingCatalogueItem of an empty store")
		all, err := tx.PendingCatalogueItems()
		ok(t, err, "PendingCatalogueItems of an empty store")
		equal(t, "no pending items", len(all), 0)
		wantCode(t, tx.DeletePendingCatalogueItem("GS01"), xinyong.ENOTFOUND, "DeletePendingCatalogueItem of nothing")
		wantCode(t, tx.PutPendingCatalogueItem(draft), xinyong.ENOTFOUND, "PutPendingCatalogueItem of an item that does not exist")
		ok(t, tx.PutCatalogueItem(live), "PutCatalogueItem")
		p := draft
		p.Pending = &xinyong.CatalogueItem{Code: "never stored"}
		ok(t, tx.PutPendingCatalogueItem(p), "PutPendingCatalogueItem")
	})
	live.UpdatedAt, draft.UpdatedAt = now, now
	e.view(func(tx xinyong.Tx) {
		got, err := tx.CatalogueItem("GS01")
		ok(t, err, "CatalogueItem")
		equal(t, "the item keeps its version in force", got, live)
		all, err := tx.CatalogueItems()
		ok(t, err, "CatalogueItems")
		equal(t, "CatalogueItems: the versions in force only", all, []xinyong.CatalogueItem{live})
		p, err := tx.PendingCatalogueItem("GS01")
		ok(t, err, "PendingCatalogueItem")
		equal(t, "the pending version (its Pending never stored)", p, draft)
		hist, err := tx.CatalogueItemHistory("GS01")
		ok(t, err, "CatalogueItemHistory")
		equal(t, "history with the pending version", hist, []xinyong.CatalogueItem{live, draft})
	})
	// A later proposal replaces the pending version; the same version twice
	// is a conflict in the history.
	e.clk.Advance(time.Hour)
	consult := draft
	consult.Version, consult.Status, consult.UpdatedAt = 3, xinyong.ItemConsultation, time.Time{}
	e.update(func(tx xinyong.Tx) { ok(t, tx.PutPendingCatalogueItem(consult), "PutPendingCatalogueItem v3") })
	consult.UpdatedAt = now.Add(time.Hour)
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.PutPendingCatalogueItem(consult) })
	wantCode(t, err, xinyong.ECONFLICT, "PutPendingCatalogueItem of a version in the history")
	withdrawn := consult
	withdrawn.Version, withdrawn.Status = 4, xinyong.ItemWithdrawn
	e.update(func(tx xinyong.Tx) {
		all, err := tx.PendingCatalogueItems()
		ok(t, err, "PendingCatalogueItems")
		equal(t, "PendingCatalogueItems", all, []xinyong.CatalogueItem{consult})
		ok(t, tx.DeletePendingCatalogueItem("GS01"), "DeletePendingCatalogueItem")
		ok(t, tx.AppendCatalogueItemHistory(withdrawn), "AppendCatalogueItemHistory")
	})
	err = e.s.Update(e.ctx, func(tx xinyong.Tx) error { return tx.AppendCatalogueItemHistory(withdrawn) })
	wantCode(t, err, xinyong.ECONFLICT, "AppendCatalogueItemHistory of a version in the history")
	e.view(func(tx xinyong.Tx) {
		_, err := tx.PendingCatalogueItem("GS01")
		wantCode(t, err, xinyong.ENOTFOUND, "PendingCatalogueItem after the delete")
		got, err := tx.CatalogueItem("GS01")
		ok(t, err, "CatalogueItem")
		equal(t, "the item in force after its change was withdrawn", got, live)
		hist, err := tx.CatalogueItemHistory("GS01")
		ok(t, err, "CatalogueItemHistory")
		equal(t, "history", hist, []xinyong.CatalogueItem{live, draft, consult, withdrawn})
	})
}

// testCataloguePendingMigration: migration 0016 repairs the state the old
// code left behind — a re-proposal of an item once approved written over it
// — by making the proposal pending and the latest approved or retired
// version current again; an item never approved is left alone.
func testCataloguePendingMigration(e *env) {
	t := e.t
	db, isDB := e.s.(*sqlstore.DB)
	if !isDB {
		t.Skip("a migration test needs a *sqlstore.DB")
	}
	p, err := goose.NewProvider(db.D.Goose, db.W, db.Migrations)
	ok(t, err, "goose provider")
	_, err = p.DownTo(e.ctx, 15)
	ok(t, err, "migrate down to 15")
	prov := func(it xinyong.CatalogueItem, version int, st xinyong.ItemStatus, share xinyong.SharingScope) xinyong.CatalogueItem {
		it.Layer, it.Provenance, it.Version, it.Status, it.SharingScope = xinyong.LayerProvincial, xinyong.ProvenanceLocal, version, st, share
		return it
	}
	// The old code: every version written over the item.
	a1, a2 := prov(item("A1", 0), 1, xinyong.ItemApproved, xinyong.ShareNone), prov(item("A1", 0), 2, xinyong.ItemDraft, xinyong.ShareUnconditional)
	b1 := prov(item("B1", 0), 1, xinyong.ItemDraft, xinyong.ShareConditional)
	c1, c2, c3 := prov(item("C1", 0), 1, xinyong.ItemApproved, xinyong.ShareNone), prov(item("C1", 0), 2, xinyong.ItemRetired, xinyong.ShareNone), prov(item("C1", 0), 3, xinyong.ItemConsultation, xinyong.ShareUnconditional)
	d1, d2 := prov(item("D1", 0), 1, xinyong.ItemDraft, xinyong.ShareNone), prov(item("D1", 0), 2, xinyong.ItemConsultation, xinyong.ShareNone)
	e.update(func(tx xinyong.Tx) {
		for _, it := range []xinyong.CatalogueItem{a1, a2, b1, c1, c2, c3, d1, d2} {
			ok(t, tx.PutCatalogueItem(it), "PutCatalogueItem "+it.Code)
		}
	})
	_, err = p.Up(e.ctx)
	ok(t, err, "migrate up")
	now := Start.Truncate(time.Microsecond).UTC()
	for _, it := range []*xinyong.CatalogueItem{&a1, &a2, &b1, &c1, &c2, &c3, &d1, &d2} {
		it.UpdatedAt = now
	}
	e.view(func(tx xinyong.Tx) {
		for _, tt := range []struct {
			code    string
			current xinyong.CatalogueItem
			pending *xinyong.CatalogueItem
		}{
			{"A1", a1, &a2}, {"B1", b1, nil}, {"C1", c2, &c3}, {"D1", d2, nil},
		} {
			got, err := tx.CatalogueItem(tt.code)
			ok(t, err, "CatalogueItem "+tt.code)
			equal(t, tt.code+": current version after the repair", got, tt.current)
			p, err := tx.PendingCatalogueItem(tt.code)
			if tt.pending == nil {
				wantCode(t, err, xinyong.ENOTFOUND, tt.code+": no pending version")
				continue
			}
			ok(t, err, "PendingCatalogueItem "+tt.code)
			equal(t, tt.code+": pending version after the repair", p, *tt.pending)
		}
		rev, err := tx.Meta("catalogue.rev")
		ok(t, err, "catalogue revision")
		equal(t, "a new catalogue revision", rev, "migration-0016")
	})
}
