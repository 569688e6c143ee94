package server

import (
	"net/url"
	"strings"
	"testing"

	"xinyong/internal/workflow"
)

// TestConsoleCataloguePendingChange: a change proposed for an approved
// item shows on its row as a pending change beside the version in force,
// with the change's next step and its withdrawal (no retire button while it
// is pending); withdrawing it leaves the item as it was.
func TestConsoleCataloguePendingChange(t *testing.T) {
	e := newEnv(t)
	adm := e.consoleSession(t, workflow.AccountInput{Username: "boss", Role: "admin"})
	cats, _, err := e.svc.CatalogueItems(e.ctx)
	if err != nil {
		t.Fatal(err)
	}
	item := url.Values{"code": {"GS-BC-001"}, "name": {"甘肃省公共资源交易信用信息"}, "category": {cats[0].Code}, "layer": {"provincial"}, "sharing_scope": {"conditional"},
		"disclosure_scope": {"public"}, "legal_basis": {"《甘肃省社会信用条例》第十条"}, "fields": {"GS_MC 名称 text\nGS_RQ 日期 date"}, "status": {"draft"}}
	e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue", item), "/console/admin/catalogue?done=created")
	for _, to := range []string{"consultation", "approved"} {
		e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue/GS-BC-001/transition", url.Values{"to": {to}}), "/console/admin/catalogue?done=transitioned")
	}
	item.Set("name", "甘肃省公共资源交易信用信息（修订）")
	page := e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue", item), "/console/admin/catalogue?done=created")
	row := rowOf(page, "item-GS-BC-001")
	for _, want := range []string{"已批准", "待批准的修改", "（修订）", `value="consultation"`, `value="withdrawn"`} {
		if !strings.Contains(row, want) {
			t.Errorf("the row of an item with a pending change lacks %q: %s", want, row)
		}
	}
	if strings.Contains(row, `value="retired"`) {
		t.Errorf("the row offers retiring the item while a change is pending: %s", row)
	}
	page = e.redirected(t, adm, e.post(t, adm, "/console/admin/catalogue/GS-BC-001/transition", url.Values{"to": {"withdrawn"}}), "/console/admin/catalogue?done=transitioned")
	row = rowOf(page, "item-GS-BC-001")
	if strings.Contains(row, "待批准的修改") || strings.Contains(row, "（修订）") || !strings.Contains(row, "已批准") || !strings.Contains(row, `value="retired"`) {
		t.Errorf("after withdrawing the change: %s", row)
	}
}
