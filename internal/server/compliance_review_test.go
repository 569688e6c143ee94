package server

import (
	"strings"
	"testing"

	"xinyong"
)

// TestComplianceCasesMaskPerson: a late 双公示 record about a natural
// person shows on the compliance board's case list (API and console page,
// seen by admins and auditors of every department) with the person's name
// masked, like every other console view of a person.
func TestComplianceCasesMaskPerson(t *testing.T) {
	e := newEnv(t)
	a := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	off := e.token(t, "officer", a.Code, "")
	id, name := citizenID(t, "62010219850312123"), "张三明"
	in := penaltyInput(t, id, name, "兰市监罚〔2026〕901号") // decided 2025-03-03: late
	in.Fields["CF_XDR_LB"] = "自然人"
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: off, Body: in}); r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	month := xinyong.MonthOfTime(e.svc.Now()).String()
	for _, tok := range []string{e.admin, off, e.token(t, "auditor", "", "")} {
		r := e.do(t, req{Path: "/api/v1/compliance/cases?kind=late_disclosure&month=" + month, Token: tok})
		if r.Status != 200 || !strings.Contains(string(r.Body), "兰市监罚〔2026〕901号") {
			t.Fatalf("late cases: %s", r)
		}
		if strings.Contains(string(r.Body), name) || strings.Contains(string(r.Body), id) {
			t.Errorf("the case list shows the person's name or ID in clear: %s", r)
		}
		if !strings.Contains(string(r.Body), xinyong.MaskName(name)) {
			t.Errorf("the case list should name the person masked (%s): %s", xinyong.MaskName(name), r)
		}
	}
}
