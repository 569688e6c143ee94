package server

import (
	"net/url"
	"strings"
	"testing"

	"xinyong/internal/workflow"
)

// TestSignedInViewsOfPersons: an account or a token alone reveals no
// natural person (DOMAIN.md §7: a query of non-public information is
// registered, and the portal's views are not). The department that
// recorded a person finds it by name and sees it in clear; another
// department and an agency see a person only as the public does (a
// published record, masked; never by name); the admin sees it masked.
func TestSignedInViewsOfPersons(t *testing.T) {
	f := newPortal(t)
	e := f.e
	other := e.dept(t, "11620100MB0002BB", "兰州市税务局", "XZCF")
	otherOfficer := e.token(t, "officer", other.Code, "")
	agency := e.token(t, "agency", "", "某银行")
	admin := e.token(t, "admin", "", "")
	search := func(token, q string) workflow.SearchResult {
		t.Helper()
		var res workflow.SearchResult
		e.do(t, req{Path: "/api/v1/search?q=" + url.QueryEscape(q), Token: token}).json(t, &res)
		return res
	}
	// The recording department finds the minor by name, in clear.
	res := search(f.officer, "李小")
	if len(res.Hits) != 1 || res.Hits[0].Name != f.minorName || res.Hits[0].Masked {
		t.Fatalf("the recording department's name search: %+v", res.Hits)
	}
	minorRef := res.Hits[0].Ref
	var page struct {
		Subject workflow.SubjectCard `json:"subject"`
	}
	e.do(t, req{Path: "/api/v1/subjects/" + minorRef, Token: f.officer}).json(t, &page)
	if page.Subject.Name != f.minorName || page.Subject.Masked {
		t.Errorf("the recording department's page of the minor: %+v", page.Subject)
	}
	// Nobody else finds a person by name.
	for who, tok := range map[string]string{"another department": otherOfficer, "an agency": agency, "the admin": admin, "the public": ""} {
		for _, q := range []string{"李小", "张三"} {
			if r := search(tok, q); len(r.Hits) != 0 || r.Total != 0 {
				t.Errorf("%s's name search %q found %+v (total %d: nor may the count tell)", who, q, r.Hits, r.Total)
			}
		}
	}
	// The minor's page (no public record): not found for another
	// department, an agency and the public; masked for the admin.
	for who, tok := range map[string]string{"another department": otherOfficer, "an agency": agency, "the public": ""} {
		if r := e.do(t, req{Path: "/api/v1/subjects/" + minorRef, Token: tok}); r.Status != 404 || strings.Contains(string(r.Body), f.minorName) {
			t.Errorf("%s opens the minor's page: %s", who, r)
		}
	}
	e.do(t, req{Path: "/api/v1/subjects/" + minorRef, Token: admin}).json(t, &page)
	if !page.Subject.Masked || page.Subject.Name == f.minorName {
		t.Errorf("the admin's page of the minor: %+v", page.Subject)
	}
	// The adult with a published penalty: found by the exact ID number,
	// and its page opened, masked, by another department and an agency as
	// by the public.
	for who, tok := range map[string]string{"another department": otherOfficer, "an agency": agency, "the public": ""} {
		r := search(tok, f.personID)
		if len(r.Hits) != 1 || !r.Hits[0].Masked || r.Hits[0].Name == f.personName {
			t.Errorf("%s's search by ID number: %+v", who, r.Hits)
			continue
		}
		page.Subject = workflow.SubjectCard{}
		e.do(t, req{Path: "/api/v1/subjects/" + r.Hits[0].Ref, Token: tok}).json(t, &page)
		if !page.Subject.Masked || page.Subject.Name == f.personName {
			t.Errorf("%s's page of the adult: %+v", who, page.Subject)
		}
	}
}
