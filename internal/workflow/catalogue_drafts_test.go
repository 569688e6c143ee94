package workflow_test

import (
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// draftEnv: a provincial item approved after consultation — not shared,
// disclosed on authorised query only — that department A provides, and one
// record of it.
type draftEnv struct {
	*grEnv
	item   xinyong.CatalogueItem
	code   string // the subject's code
	agency xinyong.Actor
	n      int
}

func newDraftEnv(t *testing.T) *draftEnv {
	t.Helper()
	e := &draftEnv{grEnv: newGradingEnv(t), code: uscc(t, "91620100MA74QX3K"),
		agency: xinyong.Actor{Kind: "account", ID: "ag", Name: "信贷系统", Role: xinyong.RoleAgency, Organisation: "某银行"}}
	e.item = xinyong.CatalogueItem{
		Code: "GS-CS01", Name: "省级测试信息", Category: "administrative", Layer: xinyong.LayerProvincial,
		Providers: []string{"兰州市市场监督管理局"}, SubjectKinds: []xinyong.SubjectKind{xinyong.KindEnterprise},
		Fields:       []xinyong.FieldSpec{{Code: "GS_NR", Label: "内容", Type: xinyong.FieldText, Required: true}},
		SharingScope: xinyong.ShareNone, DisclosureScope: xinyong.DiscloseAuthorised,
		LegalBasis: "《甘肃省社会信用条例》（测试）", Edition: "2026", Provenance: xinyong.ProvenanceLocal,
	}
	if _, err := e.svc.ProposeItem(e.ctx, e.admin, e.item); err != nil {
		t.Fatal(err)
	}
	for _, to := range []xinyong.ItemStatus{xinyong.ItemConsultation, xinyong.ItemApproved} {
		if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, to, "test"); err != nil {
			t.Fatal(err)
		}
	}
	provides := []string{"XZCF", "SFZX", e.item.Code}
	if _, err := e.svc.UpdateDepartment(e.ctx, xinyong.System, e.deptA.ID, workflow.DepartmentUpdate{Provides: &provides}); err != nil {
		t.Fatal(err)
	}
	if err := e.submit(t); err != nil {
		t.Fatalf("a record of the approved item: %v", err)
	}
	return e
}

// submit records one more decision of the item for the subject.
func (e *draftEnv) submit(t *testing.T) error {
	t.Helper()
	e.n++
	_, err := e.svc.SubmitRecord(e.ctx, e.offA, "", xinyong.RecordInput{
		Item: e.item.Code, SubjectCode: e.code, SubjectName: "兰州某某商贸有限公司",
		Document: xinyong.Document{Type: xinyong.DocAdminRuling, Number: "兰市监裁〔2026〕" + string(rune('0'+e.n)) + "号", Authority: e.deptA.Name, DecisionDate: xinyong.MustDate("2026-05-20")},
		Fields:   map[string]string{"GS_NR": "测试内容"},
	})
	return err
}

// shared is the number of records of the item an agency's query (purpose
// and statutory basis) returns.
func (e *draftEnv) shared(t *testing.T, svc *workflow.Service) int {
	t.Helper()
	res, err := svc.QuerySharedRecords(e.ctx, e.agency, e.code, workflow.SharedQuery{Purpose: "贷款审批", Basis: "《征信业管理条例》第十四条"})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range res.Records {
		if r.Item == e.item.Code {
			n++
		}
	}
	return n
}

func (e *draftEnv) current(t *testing.T) (xinyong.CatalogueItem, []xinyong.CatalogueItem) {
	t.Helper()
	it, hist, err := e.svc.CatalogueItem(e.ctx, e.item.Code)
	if err != nil {
		t.Fatal(err)
	}
	return it, hist
}

// listed is the item as the catalogue listing (API, console, CLI) shows it.
func (e *draftEnv) listed(t *testing.T) xinyong.CatalogueItem {
	t.Helper()
	_, items, err := e.svc.CatalogueItems(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Code == e.item.Code {
			return it
		}
	}
	t.Fatalf("item %s not listed", e.item.Code)
	return xinyong.CatalogueItem{}
}

func (e *draftEnv) reproposeOpen(t *testing.T) xinyong.CatalogueItem {
	t.Helper()
	open := e.item
	open.SharingScope, open.DisclosureScope = xinyong.ShareUnconditional, xinyong.DisclosePublic
	got, err := e.svc.ProposeItem(e.ctx, e.admin, open)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// TestCatalogueDraftOfApprovedItemIsPending: the confirmed defect. A
// re-proposal of an approved provincial item with unconditional sharing and
// public disclosure governed the item's existing record at once — an
// agency's query returned it while the item was a draft — and stopped
// intake of the item. The change now waits as a pending version through
// consultation (DOMAIN.md §1); only its approval makes its scopes govern
// (DOMAIN.md §3).
func TestCatalogueDraftOfApprovedItemIsPending(t *testing.T) {
	e := newDraftEnv(t)
	if n := e.shared(t, e.svc); n != 0 {
		t.Fatalf("an item not shared: the agency sees %d records", n)
	}
	got := e.reproposeOpen(t)
	if got.Status != xinyong.ItemApproved || got.SharingScope != xinyong.ShareNone || got.Pending == nil || got.Pending.Status != xinyong.ItemDraft || got.Pending.SharingScope != xinyong.ShareUnconditional {
		t.Errorf("the proposal's answer: %+v, want the item in force with the change pending", got)
	}
	if n := e.shared(t, e.svc); n != 0 {
		t.Errorf("a draft change governed existing records: the agency sees %d records before consultation and approval", n)
	}
	it, hist := e.current(t)
	if it.Status != xinyong.ItemApproved || it.SharingScope != xinyong.ShareNone || it.DisclosureScope != xinyong.DiscloseAuthorised || it.Version != 3 {
		t.Errorf("the item in force while a change is pending: %s v%d %s/%s", it.Status, it.Version, it.SharingScope, it.DisclosureScope)
	}
	if it.Pending == nil || it.Pending.Version != 4 || it.Pending.Status != xinyong.ItemDraft {
		t.Errorf("the item's pending change: %+v", it.Pending)
	}
	if l := e.listed(t); l.Status != xinyong.ItemApproved || l.Pending == nil || l.Pending.Status != xinyong.ItemDraft || l.Pending.DisclosureScope != xinyong.DisclosePublic {
		t.Errorf("the listing: %s with pending %+v, want the item in force and its change pending for consultation", l.Status, l.Pending)
	}
	if len(hist) != 4 || hist[3].Status != xinyong.ItemDraft {
		t.Errorf("history: %d versions", len(hist))
	}
	// Intake of the item goes on under the version in force.
	if err := e.submit(t); err != nil {
		t.Fatalf("intake of an item in force while a change of it is pending: %v", err)
	}
	// The item is not retired while the change is pending: say which.
	if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemRetired, ""); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("retiring an item with a pending change: %v, want a conflict", err)
	}
	// No approval without consultation.
	if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemApproved, ""); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("approving a draft change: %v, want a conflict", err)
	}
	after, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemConsultation, "征求意见公告")
	if err != nil || after.Status != xinyong.ItemApproved || after.Pending == nil || after.Pending.Status != xinyong.ItemConsultation || after.Pending.Version != 5 {
		t.Fatalf("the change to consultation: %v %+v", err, after)
	}
	if n := e.shared(t, e.svc); n != 0 {
		t.Fatalf("a change under consultation governed existing records: the agency sees %d", n)
	}
	// Approved in another process (a second server on the same store): the
	// catalogue revision makes this one read the new version at once.
	other := &workflow.Service{Store: e.svc.Store, Clock: e.svc.Clock, Signer: e.svc.Signer, Verifier: e.svc.Verifier, IDKey: e.svc.IDKey, Holiday: e.svc.Holiday, Log: e.svc.Log}
	approved, err := other.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemApproved, "批准")
	if err != nil {
		t.Fatal(err)
	}
	if approved.Status != xinyong.ItemApproved || approved.Version != 6 || approved.SharingScope != xinyong.ShareUnconditional || approved.Pending != nil || approved.EffectiveFrom != xinyong.MustDate("2026-06-01") {
		t.Errorf("the approved change: %+v", approved)
	}
	if n := e.shared(t, e.svc); n != 2 {
		t.Errorf("after approval the change's scope governs: the agency sees %d records, want 2", n)
	}
	if l := e.listed(t); l.Version != 6 || l.Pending != nil {
		t.Errorf("listing after approval: v%d pending %+v", l.Version, l.Pending)
	}
	if err := e.submit(t); err != nil {
		t.Errorf("intake after approval: %v", err)
	}
	// Every step audited, each with its ledger leaf.
	var acts []xinyong.Action
	err = e.svc.Store.View(e.ctx, func(tx xinyong.Tx) error {
		evs, err := tx.ListAudit(xinyong.AuditFilter{ObjectType: "catalogue_item", ObjectID: e.item.Code, Limit: 100})
		for _, ev := range evs {
			if ev.LedgerIdx <= 0 {
				t.Errorf("audit event %s without a ledger leaf", ev.Action)
			}
			acts = append(acts, ev.Action)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[xinyong.Action]int{"catalogue.propose": 2, "catalogue.consultation": 2, "catalogue.approved": 2}
	got2 := map[xinyong.Action]int{}
	for _, a := range acts {
		got2[a]++
	}
	for a, n := range want {
		if got2[a] != n {
			t.Errorf("audit: %d %s events, want %d (all: %v)", got2[a], a, n, acts)
		}
	}
}

// TestCatalogueDraftWithdrawn: a change withdrawn (or rejected after
// consultation) leaves the version in force untouched; the history keeps
// it, and version numbers go on after it.
func TestCatalogueDraftWithdrawn(t *testing.T) {
	e := newDraftEnv(t)
	e.reproposeOpen(t)
	// A second proposal replaces the pending one.
	e.reproposeOpen(t)
	if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemConsultation, ""); err != nil {
		t.Fatal(err)
	}
	it, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemWithdrawn, "征求意见后不予采纳")
	if err != nil {
		t.Fatal(err)
	}
	if it.Status != xinyong.ItemApproved || it.Version != 3 || it.SharingScope != xinyong.ShareNone || it.Pending != nil {
		t.Errorf("after the withdrawal: %+v", it)
	}
	if n := e.shared(t, e.svc); n != 0 {
		t.Errorf("a withdrawn change governed: %d records shared", n)
	}
	cur, hist := e.current(t)
	if cur.Version != 3 || cur.Pending != nil || len(hist) != 7 || hist[6].Status != xinyong.ItemWithdrawn || hist[6].Version != 7 {
		t.Errorf("after the withdrawal: v%d pending %v; history %d, last %s v%d", cur.Version, cur.Pending, len(hist), hist[len(hist)-1].Status, hist[len(hist)-1].Version)
	}
	if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemWithdrawn, ""); xinyong.ErrorCode(err) != xinyong.ECONFLICT {
		t.Errorf("withdrawing with nothing pending: %v", err)
	}
	// The item is retired after the withdrawal: its number follows the
	// withdrawn change's.
	ret, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemRetired, "")
	if err != nil || ret.Version != 8 {
		t.Fatalf("retire after a withdrawal: %v v%d", err, ret.Version)
	}
}

// TestCatalogueDraftOfRetiredItem: a retired item's records are still shown
// under its last version; a proposal to bring it back is pending too, and
// its scopes govern only once approved after consultation.
func TestCatalogueDraftOfRetiredItem(t *testing.T) {
	e := newDraftEnv(t)
	if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, xinyong.ItemRetired, ""); err != nil {
		t.Fatal(err)
	}
	e.reproposeOpen(t)
	if cur, _ := e.current(t); cur.Status != xinyong.ItemRetired || cur.Pending == nil {
		t.Errorf("a retired item re-proposed: %s, pending %v", cur.Status, cur.Pending)
	}
	if n := e.shared(t, e.svc); n != 0 {
		t.Errorf("a draft for a retired item governed its records: %d shared", n)
	}
	if err := e.submit(t); xinyong.ErrorCode(err) != xinyong.EINVALID {
		t.Errorf("intake of a retired item with a draft pending: %v, want refused", err)
	}
	for _, to := range []xinyong.ItemStatus{xinyong.ItemConsultation, xinyong.ItemApproved} {
		if _, err := e.svc.TransitionItem(e.ctx, e.admin, e.item.Code, to, ""); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.shared(t, e.svc); n != 1 {
		t.Errorf("after approval: %d shared, want 1", n)
	}
	if err := e.submit(t); err != nil {
		t.Errorf("intake of the item approved again: %v", err)
	}
}

// TestCatalogueNewItemDraftsReplace: an item never approved keeps today's
// behaviour: a proposal replaces it.
func TestCatalogueNewItemDraftsReplace(t *testing.T) {
	e := newGradingEnv(t)
	it := xinyong.CatalogueItem{Code: "GS-NEW", Name: "新信息", Category: "administrative", LegalBasis: "测试依据", SharingScope: xinyong.ShareNone, DisclosureScope: xinyong.DiscloseAuthorised}
	if _, err := e.svc.ProposeItem(e.ctx, e.admin, it); err != nil {
		t.Fatal(err)
	}
	it.SharingScope = xinyong.ShareConditional
	got, err := e.svc.ProposeItem(e.ctx, e.admin, it)
	if err != nil || got.Version != 2 || got.Status != xinyong.ItemDraft || got.SharingScope != xinyong.ShareConditional || got.Pending != nil {
		t.Fatalf("a new item proposed again: %v %+v", err, got)
	}
	if cur, _, err := e.svc.CatalogueItem(e.ctx, "GS-NEW"); err != nil || cur.Version != 2 || cur.Pending != nil {
		t.Errorf("current: %v %+v", err, cur)
	}
}
