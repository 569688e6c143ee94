package server

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/report"
)

type reportDoc struct {
	Report       report.Report       `json:"report"`
	Verification report.Verification `json:"verification"`
}

// seriousOf returns the serious-list section of a served report.json.
func seriousOf(t *testing.T, r resp) (reportDoc, report.Section) {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("report.json: %s", r)
	}
	var doc reportDoc
	r.json(t, &doc)
	for _, s := range doc.Report.Sections {
		if s.Key == report.SecSeriousList {
			return doc, s
		}
	}
	t.Fatalf("no serious-list section: %s", r)
	return doc, report.Section{}
}

// TestReportListingsAPI: an enterprise listed through the procedure over
// HTTP has the listing in its report.json (list type, decision number) and
// report.pdf; the report verifies by number and as a document; after the
// remove step a new report says there is no listing; a listing of a list
// type that is not published is not in the public report.
func TestReportListingsAPI(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	lt := samrSerious(t, e)
	path := "/api/v1/subjects/" + f.orgCode + "/report.json"
	if _, s := seriousOf(t, e.do(t, req{Path: path})); len(s.Listings) != 0 || !strings.Contains(s.Empty, "no listing on record") {
		t.Fatalf("before listing: %+v", s)
	}
	l := f.listThrough(t, f.propose(t, f.recA1).ID, decisionBody())
	number := decisionBody().Number

	r := e.do(t, req{Path: path})
	doc, s := seriousOf(t, r)
	if len(s.Listings) != 1 || s.Empty != "" {
		t.Fatalf("listed: serious-list section %+v", s)
	}
	if v := s.Listings[0]; v.DecisionNumber != number || v.ListType != lt.Code || v.ListTypeName != lt.Name || v.Authority != "兰州市市场监督管理局" ||
		v.ListedOn != l.ListedOn || v.EndDate != l.EndDate {
		t.Errorf("listing entry %+v, listing %+v", v, l)
	}
	var c reportCheck
	v := e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: r.Body})
	v.json(t, &c)
	if v.Status != 200 || !c.Genuine {
		t.Fatalf("verify document: %s", v)
	}
	v = e.do(t, req{Path: "/api/v1/reports/" + doc.Report.Number + "/verify"})
	v.json(t, &c)
	if v.Status != 200 || !c.Genuine || c.Digest != doc.Verification.Digest {
		t.Fatalf("verify number: %s", v)
	}
	alt := strings.Replace(string(r.Body), number, "兰市监认〔2026〕8号", 1)
	v = e.do(t, req{Method: "POST", Path: "/api/v1/reports/verify", Type: "application/json", Body: []byte(alt)})
	c = reportCheck{}
	v.json(t, &c)
	if v.Status != 200 || c.Genuine {
		t.Errorf("a report with a changed decision number verifies: %s", v)
	}
	pdf := e.do(t, req{Path: "/api/v1/subjects/" + f.orgCode + "/report.pdf"})
	if pdf.Status != 200 {
		t.Fatalf("report.pdf: %s", pdf)
	}
	text := pdfText(t, pdf.Body)
	for _, want := range []string{"严重失信主体名单信息", lt.Name, number, l.ListedOn.String(), l.EndDate.String()} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q", want)
		}
	}
	if strings.Contains(text, "nolistingonrecord") {
		t.Error("the PDF says there is no listing beside one")
	}

	// The remove step: a new report has none.
	f.step(t, f.offA, l.ID, "remove", map[string]string{"reason": "revoked", "note": "复议撤销"}, 200)
	r = e.do(t, req{Path: path})
	if _, s := seriousOf(t, r); len(s.Listings) != 0 || !strings.Contains(s.Empty, "no listing on record") || strings.Contains(string(r.Body), number) {
		t.Errorf("after removal: %+v", s)
	}

	// A list type that is not published: not in the public report.
	unpub := lt
	unpub.Published = false
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: unpub}); r.Status != 201 {
		t.Fatalf("unpublish the list type: %s", r)
	}
	d := decisionBody()
	d.Number = "兰市监认〔2026〕2号"
	if l2 := f.listThrough(t, f.propose(t, f.recA2).ID, d); l2.State != xinyong.ListingListed || l2.Published {
		t.Fatalf("listing of an unpublished list type: %+v", l2)
	}
	r = e.do(t, req{Path: path})
	if _, s := seriousOf(t, r); len(s.Listings) != 0 || strings.Contains(string(r.Body), d.Number) || strings.Contains(string(r.Body), "SAMR_SERIOUS") {
		t.Errorf("the public report shows a listing of an unpublished list type: %+v", s)
	}
}

// TestReportListingsPersonScopes: a natural person's own report states
// every listing in force, published or not (the person was notified and
// holds the decisions); a report given under the person's consent states
// only what the public list pages show (a consent covers catalogue items,
// not listings). Neither shows the full ID number.
func TestReportListingsPersonScopes(t *testing.T) {
	f := newSharing(t)
	e := f.e
	on := xinyong.DateOf(e.svc.Now())
	at := e.svc.Now().UTC()
	const shown, ownOnly, gone = "兰市监认〔2026〕31号", "兰市监认〔2026〕32号", "兰市监认〔2026〕33号"
	err := e.app.Store.Update(e.ctx, func(tx xinyong.Tx) error {
		ds, err := tx.Departments()
		if err != nil {
			return err
		}
		var dept string
		for _, d := range ds {
			if d.Name == "兰州市市场监督管理局" {
				dept = d.ID
			}
		}
		lts, err := tx.ListTypes()
		if err != nil {
			return err
		}
		var samr xinyong.ListType
		for _, lt := range lts {
			if lt.Code == "SAMR_SERIOUS" {
				samr = lt
			}
		}
		hidden := samr
		hidden.Code, hidden.Name, hidden.Published = "HIDDEN_LIST", "不公开的名单", false
		if err := tx.PutListType(hidden); err != nil {
			return err
		}
		for i, x := range []struct {
			id, number, listType string
			listed, end          xinyong.Date
		}{
			{"RL1", shown, samr.Code, on.AddDays(-30), on.AddDays(300)},
			{"RL2", ownOnly, hidden.Code, on.AddDays(-20), xinyong.Date{}},
			{"RL3", gone, "SPC_DEFAULTER", on.AddDays(-400), on.AddDays(-5)}, // period over
		} {
			l := xinyong.Listing{ID: x.id, ListType: x.listType, SubjectID: f.personRef, DepartmentID: dept, State: xinyong.ListingListed, Version: 6,
				Basis: "《市场监督管理严重违法失信名单管理办法》第二条", ProposedAt: at, UpdatedAt: at,
				Decision: &xinyong.ListingDecision{Number: x.number, Date: x.listed, Basis: "当事人" + f.personName + "，证件号码 " + f.personID},
				ListedOn: x.listed, EndDate: x.end, Published: i != 1}
			if err := tx.InsertListing(l); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	numbers := func(s report.Section) []string {
		var out []string
		for _, l := range s.Listings {
			out = append(out, l.DecisionNumber)
		}
		return out
	}

	r := f.asSubject(t, req{Path: "/api/v1/subjects/" + f.personRef + "/report.json"})
	doc, s := seriousOf(t, r)
	if doc.Report.Scope != report.ScopeSubject || strings.Join(numbers(s), " ") != ownOnly+" "+shown || s.Empty != "" {
		t.Errorf("own report: scope %s, listings %v", doc.Report.Scope, numbers(s))
	}
	if len(s.Listings) == 2 {
		if end := s.Listings[0].Fields[len(s.Listings[0].Fields)-2]; end.Label != report.LabelListingEnd || end.Value != report.NoFixedEnd {
			t.Errorf("a listing without an end: %+v", s.Listings[0].Fields)
		}
	}
	if strings.Contains(string(r.Body), f.personID) || strings.Contains(string(r.Body), gone) {
		t.Errorf("own report shows the full ID number or a listing whose period ended: %s", r)
	}

	in := map[string]any{"organisation": "某银行", "items": []string{"XZCF"}, "purpose": "贷款审批", "expires_at": time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)}
	cr := f.asSubject(t, req{Method: "POST", Path: "/api/v1/consents", Body: in})
	var c xinyong.Consent
	cr.json(t, &c)
	if cr.Status != 201 {
		t.Fatalf("grant: %s", cr)
	}
	r = e.do(t, req{Path: "/api/v1/subjects/" + f.personRef + "/report.json?consent=" + c.ID + "&purpose=" + url.QueryEscape("贷款审批"), Token: f.agency})
	doc, s = seriousOf(t, r)
	if doc.Report.Scope != report.ScopeConsent || strings.Join(numbers(s), " ") != shown {
		t.Errorf("consent report: scope %s, listings %v", doc.Report.Scope, numbers(s))
	}
	if b := string(r.Body); strings.Contains(b, f.personID) || strings.Contains(b, ownOnly) || strings.Contains(b, "HIDDEN_LIST") || strings.Contains(b, gone) {
		t.Errorf("consent report shows more than the public list: %s", r)
	}
}
