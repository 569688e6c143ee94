package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/workflow"
)

// TestQueryTextsMaskCitizenIDs: a citizen ID number typed into the free
// texts of a query — the purpose and basis of a shared-records query, the
// matter and purpose of a measures check, an auditor's review note, a
// consent's organisation and purpose — is masked before anything is
// stored or committed to the ledger, so that no full ID number reaches the
// query-use register, its CSV export, the subject's "who queried me", the
// answer or the signed receipt (DOMAIN.md §3 masking, §7 the register;
// DESIGN: ID numbers are shown masked everywhere). The receipt carries the
// masked text the check stored, and still verifies.
func TestQueryTextsMaskCitizenIDs(t *testing.T) {
	f := newSharing(t)
	e := f.e
	other := citizenID(t, "62010219900101123")
	r := e.do(t, req{Path: recordsPath(f.orgCode, "purpose", "核查法定代表人"+other+"贷款", "basis", "《征信业管理条例》第十四条 "+other), Token: f.agency})
	if r.Status != 200 {
		t.Fatalf("query: %s", r)
	}
	answers := map[string]string{"answer about the organisation": string(r.Body)}
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", "核查"+f.personID+"贷款", "basis", "依据"), Token: f.agency})
	if r.Status != 200 {
		t.Fatalf("query: %s", r)
	}
	answers["answer about the person"] = string(r.Body)
	var person sharedAnswer
	r.json(t, &person)

	// A measures check: matter and purpose with an ID number.
	r = e.do(t, req{Path: checkPath(f.orgCode, "为"+other+"办理政府采购", "核查"+other), Token: f.agency})
	if r.Status != 200 {
		t.Fatalf("check: %s", r)
	}
	var chk checkAnswer
	r.json(t, &chk)
	answers["measures check"] = string(r.Body)
	var v receiptVerdict
	e.do(t, req{Method: "POST", Path: "/api/v1/receipts/verify", Body: []byte(chk.Receipt), Type: "application/json"}).json(t, &v)
	if !v.Valid {
		t.Errorf("the receipt with masked texts does not verify: %s", v.Reason)
	}
	var rc struct{ Matter, Purpose string }
	json.Unmarshal(chk.Receipt, &rc)
	if want := "为" + xinyong.MaskID(other) + "办理政府采购"; rc.Matter != want {
		t.Errorf("receipt matter %q, want %q", rc.Matter, want)
	}
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) error {
		c, err := tx.MeasureCheck(chk.CheckID)
		if err != nil {
			return err
		}
		if c.Matter != rc.Matter || c.Purpose != rc.Purpose || string(c.Receipt) != string(chk.Receipt) {
			t.Errorf("the stored check (%q, %q) differs from its receipt (%q, %q)", c.Matter, c.Purpose, rc.Matter, rc.Purpose)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	// A review note naming an ID number.
	rv := e.do(t, req{Method: "POST", Path: "/api/v1/query-log/" + person.QueryID + "/review", Token: f.auditor, Body: reviewInput{Note: "核实 " + other + " 的授权"}})
	if rv.Status != 200 {
		t.Fatalf("review: %s", rv)
	}
	answers["review"] = string(rv.Body)

	// A consent whose organisation and purpose hold an ID number; a query
	// stating the same purpose in clear still matches it.
	in := consentInput{Organisation: "某银行", Items: []string{"XZCF"}, Purpose: "为" + other + "担保贷款", ExpiresAt: time.Now().AddDate(0, 1, 0).Format("2006-01-02")}
	cr := f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents", Body: in})
	if cr.Status != 201 {
		t.Fatalf("consent: %s", cr)
	}
	answers["consent"] = string(cr.Body)
	var c xinyong.Consent
	cr.json(t, &c)
	r = e.do(t, req{Path: recordsPath(f.personRef, "purpose", in.Purpose, "consent", c.ID), Token: f.agency})
	if r.Status != 200 {
		t.Fatalf("query on the consent, its purpose typed in clear: %s", r)
	}
	answers["answer on consent"] = string(r.Body)
	answers["consents"] = string(f.asSubject(t, req{Path: "/api/v1/consents"}).Body)

	answers["query log"] = string(e.do(t, req{Path: "/api/v1/query-log", Token: f.auditor}).Body)
	answers["CSV export"] = string(e.do(t, req{Path: "/api/v1/query-log.csv", Token: f.auditor}).Body)
	answers["who queried me"] = string(f.asSubject(t, req{Path: "/api/v1/subjects/me/queries"}).Body)
	var audit []xinyong.AuditEvent
	if err := e.app.Store.View(e.ctx, func(tx xinyong.Tx) (err error) {
		audit, err = tx.ListAudit(xinyong.AuditFilter{Limit: 1000})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(audit)
	answers["audit trail"] = string(b)
	for what, body := range answers {
		for _, id := range []string{other, f.personID} {
			if strings.Contains(body, id) {
				t.Errorf("%s holds a full citizen ID number %s", what, id)
			}
		}
	}
	var log workflow.QueryPage[xinyong.QueryUse]
	e.do(t, req{Path: "/api/v1/query-log", Token: f.auditor}).json(t, &log)
	if len(log.Entries) != 4 {
		t.Errorf("%d entries for four queries", len(log.Entries))
	}
}
