package server

import (
	"testing"
	"time"

	"xinyong"
)

// TestCatalogueDraftOfApprovedItemOverAPI: the confirmed defect, end to end
// over the API. An approved provincial item not shared and disclosed on
// authorised query only, with one record: an agency's query (purpose and
// statutory basis) returns no record of it. An admin re-proposes the item
// with unconditional sharing and public disclosure: the proposal is a
// pending change of the item in force — listed for consultation, but the
// agency still sees nothing and intake of the item goes on — until the
// change is approved after consultation (DOMAIN.md §1, §3).
func TestCatalogueDraftOfApprovedItemOverAPI(t *testing.T) {
	e := newEnv(t)
	item := map[string]any{
		"code": "GS-CS02", "name": "省级测试信息", "category": "administrative", "layer": "provincial",
		"providers": []string{"兰州市市场监督管理局"}, "subject_kinds": []string{"enterprise"},
		"fields":        []map[string]any{{"code": "GS_NR", "label": "内容", "type": "text", "required": true}},
		"sharing_scope": "none", "disclosure_scope": "authorised", "legal_basis": "《甘肃省社会信用条例》（测试）", "edition": "2026",
	}
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/catalogue/items", Token: e.admin, Body: item}); r.Status != 201 {
		t.Fatalf("propose: %s", r)
	}
	transition := func(to string) resp {
		return e.do(t, req{Method: "POST", Path: "/api/v1/catalogue/items/GS-CS02/transition", Token: e.admin, Body: map[string]string{"status": to, "note": "test"}})
	}
	for _, to := range []string{"consultation", "approved"} {
		if r := transition(to); r.Status != 200 {
			t.Fatalf("%s: %s", to, r)
		}
	}
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "GS-CS02")
	off := e.token(t, "officer", d.Code, "")
	agency := e.token(t, "agency", "", "某银行")
	code := uscc(t, "91620100MA74QX3K")
	n := 0
	submit := func() resp {
		n++
		in := xinyong.RecordInput{
			Item: "GS-CS02", SubjectCode: code, SubjectName: "兰州某某商贸有限公司",
			Document: xinyong.Document{Type: xinyong.DocAdminRuling, Number: "兰市监裁〔2026〕" + string(rune('0'+n)) + "号", Authority: d.Name, DecisionDate: xinyong.DateOf(time.Now()).AddDays(-10)},
			Fields:   map[string]string{"GS_NR": "测试内容"},
		}
		return e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in})
	}
	if r := submit(); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	shared := func() int {
		t.Helper()
		r := e.do(t, req{Path: recordsPath(code, "purpose", "贷款审批", "basis", "《征信业管理条例》第十四条"), Token: agency})
		if r.Status != 200 {
			t.Fatalf("agency query: %s", r)
		}
		var a sharedAnswer
		r.json(t, &a)
		return len(a.Records)
	}
	if got := shared(); got != 0 {
		t.Fatalf("an item not shared: the agency sees %d records", got)
	}

	item["sharing_scope"], item["disclosure_scope"] = "unconditional", "public"
	r := e.do(t, req{Method: "POST", Path: "/api/v1/catalogue/items", Token: e.admin, Body: item})
	var proposed xinyong.CatalogueItem
	if r.Status != 201 {
		t.Fatalf("re-propose: %s", r)
	}
	r.json(t, &proposed)
	if proposed.Status != xinyong.ItemApproved || proposed.Pending == nil || proposed.Pending.Status != xinyong.ItemDraft {
		t.Errorf("re-propose answer: %s, want the item in force with its pending change", r)
	}
	if got := shared(); got != 0 {
		t.Errorf("a draft governed the item's records: the agency sees %d records while the item's change is a draft", got)
	}
	// The listing shows the change for consultation, as a change of the
	// item in force.
	var list struct {
		Items []xinyong.CatalogueItem `json:"items"`
	}
	e.do(t, req{Path: "/api/v1/catalogue"}).json(t, &list)
	found := false
	for _, it := range list.Items {
		if it.Code == "GS-CS02" {
			found = true
			if it.Status != xinyong.ItemApproved || it.SharingScope != xinyong.ShareNone || it.Pending == nil || it.Pending.SharingScope != xinyong.ShareUnconditional || it.Pending.Status != xinyong.ItemDraft {
				t.Errorf("listed: %+v", it)
			}
		}
	}
	if !found {
		t.Error("the item is not listed")
	}
	if r := submit(); r.Status != 201 {
		t.Errorf("intake while a change is pending: %s", r)
	}
	if r := transition("consultation"); r.Status != 200 {
		t.Fatalf("consultation: %s", r)
	}
	if got := shared(); got != 0 {
		t.Errorf("a change under consultation governed the item's records: the agency sees %d", got)
	}
	if r := transition("approved"); r.Status != 200 {
		t.Fatalf("approve: %s", r)
	}
	if got := shared(); got != 2 {
		t.Errorf("after approval: the agency sees %d records, want 2", got)
	}
	var one struct {
		Item    xinyong.CatalogueItem   `json:"item"`
		History []xinyong.CatalogueItem `json:"history"`
	}
	e.do(t, req{Path: "/api/v1/catalogue/items/GS-CS02"}).json(t, &one)
	if one.Item.Status != xinyong.ItemApproved || one.Item.SharingScope != xinyong.ShareUnconditional || one.Item.Pending != nil || len(one.History) != 6 {
		t.Errorf("after approval: %+v, %d versions", one.Item, len(one.History))
	}
}
