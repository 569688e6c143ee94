package server

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

func checkPath(subject, matter, purpose string) string {
	v := url.Values{}
	if subject != "" {
		v.Set("subject", subject)
	}
	if matter != "" {
		v.Set("matter", matter)
	}
	if purpose != "" {
		v.Set("purpose", purpose)
	}
	return "/api/v1/measures/check?" + v.Encode()
}

type checkAnswer struct {
	CheckID  string                      `json:"check_id"`
	Measures []xinyong.ApplicableMeasure `json:"measures"`
	Receipt  json.RawMessage             `json:"receipt"`
	QueryID  string                      `json:"query_id"`
}

func (f *sharingFixture) check(t *testing.T, subject string) checkAnswer {
	t.Helper()
	r := f.e.do(t, req{Path: checkPath(subject, "政府采购投标资格审查", "招标投标"), Token: f.agency})
	if r.Status != 200 {
		t.Fatalf("check: %s", r)
	}
	var a checkAnswer
	r.json(t, &a)
	return a
}

// TestMeasuresCheck: an agency's check answers the measures a general
// record triggers (2021-A1 names general) and nothing the list reserves for
// serious records or lists (proportionality); the check is a query-use
// entry; the receipt verifies through the API and the subject's code is
// not on it.
func TestMeasuresCheck(t *testing.T) {
	f := newSharing(t)
	e := f.e
	a := f.check(t, f.orgCode)
	ids := []string{}
	for _, m := range a.Measures {
		ids = append(ids, m.MeasureID)
		if m.Basis == "" || len(m.Records) == 0 {
			t.Errorf("measure %s without basis or trigger: %+v", m.MeasureID, m)
		}
	}
	if !slices.Equal(ids, []string{"2021-A1"}) {
		t.Errorf("measures = %v, want [2021-A1] (a general record: nothing reserved for serious)", ids)
	}
	if string(a.Receipt) == "" || strings.Contains(string(a.Receipt), f.orgCode) {
		t.Fatalf("receipt: %s", a.Receipt)
	}
	err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		q, err := tx.QueryUse(a.QueryID)
		if err != nil {
			return err
		}
		if q.Purpose != "招标投标" || len(q.Records) != 1 {
			t.Errorf("query-use entry = %+v", q)
		}
		c, err := tx.MeasureCheck(a.CheckID)
		if err != nil {
			return err
		}
		if string(c.Receipt) != string(a.Receipt) {
			t.Errorf("stored receipt differs:\n%s\n%s", c.Receipt, a.Receipt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var v receiptVerdict
	e.do(t, req{Method: "POST", Path: "/api/v1/receipts/verify", Body: []byte(a.Receipt), Type: "application/json"}).json(t, &v)
	if !v.Valid {
		t.Fatalf("receipt not valid: %s", v.Reason)
	}
	// A code the platform holds nothing on: an empty answer, still signed.
	b := f.check(t, uscc(t, "91620100MA99WW9W"))
	if len(b.Measures) != 0 || len(b.Receipt) == 0 {
		t.Errorf("unknown subject: %+v", b)
	}
	// Each check's receipt is a ledger leaf that verification recomputes.
	rep, err := e.svc.Verify(e.ctx, "", nil)
	if err != nil || !rep.OK() || rep.Checks != 2 {
		t.Fatalf("ledger verify after two checks: %v %+v", err, rep)
	}
}

// TestReceiptAlteredAPI: every single-byte change of a receipt is invalid.
func TestReceiptAlteredAPI(t *testing.T) {
	f := newSharing(t)
	a := f.check(t, f.orgCode)
	for i := range a.Receipt {
		c := append([]byte(nil), a.Receipt...)
		c[i] ^= 1
		var v receiptVerdict
		r := f.e.do(t, req{Method: "POST", Path: "/api/v1/receipts/verify", Body: c, Type: "application/json"})
		r.json(t, &v)
		if v.Valid || v.Reason == "" {
			t.Fatalf("byte %d changed: %s", i, r)
		}
	}
}

// TestMeasuresCheckRefusals: roles other than agency, a malformed code, no
// purpose, no matter are refused and nothing is registered.
func TestMeasuresCheckRefusals(t *testing.T) {
	f := newSharing(t)
	e := f.e
	good := checkPath(f.orgCode, "贷款审批", "授信")
	e.do(t, req{Path: good}).problem(t, 401, xinyong.EUNAUTHORIZED)
	for _, tok := range []string{e.admin, f.offA, f.auditor} {
		e.do(t, req{Path: good, Token: tok}).problem(t, 403, xinyong.EFORBIDDEN)
	}
	for name, p := range map[string]string{
		"malformed code": checkPath("abc", "贷款审批", "授信"),
		"no code":        checkPath("", "贷款审批", "授信"),
		"ID number":      checkPath(f.personID, "贷款审批", "授信"),
		"no purpose":     checkPath(f.orgCode, "贷款审批", ""),
		"no matter":      checkPath(f.orgCode, "", "授信"),
	} {
		p := e.do(t, req{Path: p, Token: f.agency}).problem(t, 400, xinyong.EINVALID)
		if len(p.Errors) == 0 {
			t.Errorf("%s: no field errors", name)
		}
	}
	err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		qs, err := tx.QueryUses(xinyong.QueryFilter{})
		if len(qs) != 0 {
			t.Errorf("refused checks registered %d query-use entries", len(qs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMeasuresFeedback: applying a returned measure is recorded; applying
// one the check did not return, or one not on the list, is refused and
// counted; another agency cannot report on the check.
func TestMeasuresFeedback(t *testing.T) {
	f := newSharing(t)
	e := f.e
	a := f.check(t, f.orgCode)
	post := func(tok string, lines ...workflow.FeedbackLine) resp {
		return e.do(t, req{Method: "POST", Path: "/api/v1/measures/feedback", Token: tok, Body: feedbackInput{CheckID: a.CheckID, Lines: lines}})
	}
	if r := post(f.agency, workflow.FeedbackLine{MeasureID: "2021-A1", Applied: true, Reason: "暂不受理许可申请"}); r.Status != 201 {
		t.Fatalf("feedback: %s", r)
	}
	post(f.agency, workflow.FeedbackLine{MeasureID: "GPL-22-PROCUREMENT", Applied: true}).problem(t, 400, xinyong.EINVALID)
	post(f.agency, workflow.FeedbackLine{MeasureID: "INVENTED-1", Applied: true}, workflow.FeedbackLine{MeasureID: "2021-A1", Applied: true}).problem(t, 400, xinyong.EINVALID)
	post(f.agency, workflow.FeedbackLine{MeasureID: "INVENTED-2", Applied: false}).problem(t, 400, xinyong.EINVALID) // wrong, not counted
	n, err := e.svc.RefusedFeedback(e.ctx, xinyong.System)
	if err != nil || n != 2 {
		t.Errorf("refused feedback counted %d (%v), want 2", n, err)
	}
	post(f.offA, workflow.FeedbackLine{MeasureID: "2021-A1", Applied: true}).problem(t, 403, xinyong.EFORBIDDEN)
	_, other, err := e.svc.CreateToken(e.ctx, xinyong.System, workflow.TokenInput{Name: "另一系统", Role: "agency", Organisation: "另一银行"})
	if err != nil {
		t.Fatal(err)
	}
	post(other, workflow.FeedbackLine{MeasureID: "2021-A1", Applied: true}).problem(t, 404, xinyong.ENOTFOUND)
	var refusedAudits int
	err = e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		evs, err := tx.ListAudit(xinyong.AuditFilter{Action: workflow.ActFeedbackRefused})
		refusedAudits = len(evs)
		return err
	})
	if err != nil || refusedAudits < 2 {
		t.Errorf("refusal audits = %d (%v)", refusedAudits, err)
	}
}

// TestAddMeasure: only the admin adds supplementary measures, only with a
// basis, never to the national layer.
func TestAddMeasure(t *testing.T) {
	f := newSharing(t)
	e := f.e
	m := xinyong.Measure{Code: "GS-2026-01", Kind: xinyong.MeasureManagement, Item: "列为重点监管对象", Target: "严重失信主体", Means: "增加检查频次",
		Body: "省市场监管局", LegalBasis: "《甘肃省社会信用条例》第三十条", ListTypes: []string{"SAMR_SERIOUS"}}
	e.do(t, req{Method: "POST", Path: "/api/v1/measures", Token: f.agency, Body: m}).problem(t, 403, xinyong.EFORBIDDEN)
	noBasis := m
	noBasis.LegalBasis = ""
	e.do(t, req{Method: "POST", Path: "/api/v1/measures", Token: e.admin, Body: noBasis}).problem(t, 400, xinyong.EINVALID)
	national := m
	national.Layer = xinyong.LayerNational
	e.do(t, req{Method: "POST", Path: "/api/v1/measures", Token: e.admin, Body: national}).problem(t, 400, xinyong.EINVALID)
	unknownList := m
	unknownList.ListTypes = []string{"NO_SUCH_LIST"}
	e.do(t, req{Method: "POST", Path: "/api/v1/measures", Token: e.admin, Body: unknownList}).problem(t, 400, xinyong.EINVALID)
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/measures", Token: e.admin, Body: m}); r.Status != 201 {
		t.Fatalf("add: %s", r)
	}
	e.do(t, req{Method: "POST", Path: "/api/v1/measures", Token: e.admin, Body: m}).problem(t, 409, xinyong.ECONFLICT)
}

// TestMeasuresCheckListing: a current listing triggers the measures of its
// list type (SPC_DEFAULTER: the measures reserved for serious lists), with
// the listing's id; a listing that has ended triggers nothing.
func TestMeasuresCheckListing(t *testing.T) {
	f := newSharing(t)
	e := f.e
	today := xinyong.DateOf(time.Now())
	err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		s, err := tx.SubjectByKey(f.orgCode)
		if err != nil {
			return err
		}
		for _, l := range []xinyong.Listing{
			{ID: "0190a1b2-c3d4-7e5f-8a9b-000000000001", ListType: "SPC_DEFAULTER", SubjectID: s.ID, State: xinyong.ListingListed, Version: 1, ListedOn: today.AddDays(-3)},
			{ID: "0190a1b2-c3d4-7e5f-8a9b-000000000002", ListType: "WAGE_ARREARS", SubjectID: s.ID, State: xinyong.ListingListed, Version: 1, ListedOn: today.AddDays(-30), EndDate: today.AddDays(-1)},
		} {
			if err := tx.InsertListing(l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	a := f.check(t, f.orgCode)
	got := map[string][]string{}
	for _, m := range a.Measures {
		got[m.MeasureID] = m.Listings
	}
	for _, id := range []string{"SPC-HIGH-CONSUMPTION", "SPC-NOTIFY-RESTRICT", "CPC-SC-2025-RESTRICT", "CL-178-OFFICER"} {
		if !slices.Equal(got[id], []string{"0190a1b2-c3d4-7e5f-8a9b-000000000001"}) {
			t.Errorf("%s: listings %v, want the current SPC listing (answer %v)", id, got[id], got)
		}
	}
	if _, ok := got["WAGE-48-RESTRICT"]; ok {
		t.Errorf("an ended listing triggered WAGE-48-RESTRICT: %v", got)
	}
}
