package server

import (
	"net/url"
	"strings"
	"testing"

	"xinyong"
	"xinyong/internal/workflow"
)

// listThrough walks a proposed listing through notice, objection, answer,
// decision and listing (the objection path needs no waiting for the
// objection window).
func (f *listingFixture) listThrough(t *testing.T, id string, d xinyong.ListingDecision) xinyong.Listing {
	t.Helper()
	f.step(t, f.offA, id, "notify", nil, 200)
	f.step(t, f.offA, id, "object", xinyong.ObjectionInput{Statement: "当事人陈述，由执法人员记录"}, 200)
	f.step(t, f.offA, id, "verify", xinyong.VerifyInput{Answer: "经核实，异议不成立"}, 200)
	f.step(t, f.offA, id, "decide", d, 200)
	var l xinyong.Listing
	f.step(t, f.offA, id, "list", nil, 200).json(t, &l)
	return l
}

// samrSerious returns the SAMR_SERIOUS list type as stored.
func samrSerious(t *testing.T, e *testEnv) xinyong.ListType {
	t.Helper()
	var lts struct {
		ListTypes []xinyong.ListType `json:"list_types"`
	}
	e.do(t, req{Path: "/api/v1/list-types"}).json(t, &lts)
	for _, lt := range lts.ListTypes {
		if lt.Code == "SAMR_SERIOUS" {
			return lt
		}
	}
	t.Fatal("no list type SAMR_SERIOUS")
	return xinyong.ListType{}
}

func profileOf(t *testing.T, e *testEnv, ref string) workflow.SubjectProfile {
	t.Helper()
	var p workflow.SubjectProfile
	e.do(t, req{Path: "/api/v1/subjects/" + url.PathEscape(ref)}).json(t, &p)
	return p
}

// TestPortalListings: a listed enterprise shows on its 严重失信主体名单 tab, in
// its profile and on the list page; after removal it does not; a listing
// of a list type that is not published never shows.
func TestPortalListings(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	lt := samrSerious(t, e)
	const number = "兰市监认〔2026〕1号"
	l := f.propose(t, f.recA1)
	// Not yet listed: nothing on the tab.
	if p := profileOf(t, e, f.orgCode); len(p.Listings) != 0 {
		t.Fatalf("a proposed listing shows: %+v", p.Listings)
	}
	l = f.listThrough(t, l.ID, decisionBody())
	if !l.Published {
		t.Fatalf("SAMR_SERIOUS is published; the listing is not: %+v", l)
	}

	p := profileOf(t, e, f.orgCode)
	if len(p.Listings) != 1 {
		t.Fatalf("profile listings: %+v", p.Listings)
	}
	v := p.Listings[0]
	if v.ListType != "SAMR_SERIOUS" || v.ListTypeName != lt.Name || v.DecisionNumber != number || v.DecisionDate.IsZero() ||
		v.Authority != "兰州市市场监督管理局" || v.ListedOn.IsZero() || v.EndDate != l.EndDate || v.Basis == "" || v.PeriodMonths != lt.PeriodMonths {
		t.Errorf("public listing view: %+v", v)
	}
	body := e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=serious"}).html(t, 200, `<html lang="zh-CN">`, lt.Name, number, "兰州市市场监督管理局", "认定依据", "列入期限", l.EndDate.String(), "严重失信主体名单 (1)")
	if strings.Contains(body, "当前没有公示中的信息") {
		t.Error("the serious tab says nothing is published beside a listing")
	}
	e.do(t, req{Path: "/subjects/" + f.orgCode + "?tab=serious&lang=en"}).html(t, 200, `<html lang="en">`, "Serious dishonesty lists", number, "Listing period")
	e.do(t, req{Path: "/lists/serious?type=SAMR_SERIOUS"}).html(t, 200, lt.Name, number, "兰州某某商贸有限公司", "/subjects/"+f.orgCode)
	e.do(t, req{Path: "/lists/serious"}).html(t, 200, number)
	e.do(t, req{Path: "/lists/serious?type=NO_SUCH_LIST"}).html(t, 404)
	e.do(t, req{Path: "/lists/serious?page=0"}).html(t, 400)

	// Removed (the underlying record revoked): gone at once.
	f.step(t, f.offA, l.ID, "remove", map[string]string{"reason": "revoked", "note": "复议撤销"}, 200)
	if p := profileOf(t, e, f.orgCode); len(p.Listings) != 0 {
		t.Errorf("a removed listing shows: %+v", p.Listings)
	}
	for _, path := range []string{"/subjects/" + f.orgCode + "?tab=serious", "/lists/serious?type=SAMR_SERIOUS", "/lists/serious"} {
		if body := e.do(t, req{Path: path}).html(t, 200); strings.Contains(body, number) {
			t.Errorf("%s shows the removed listing", path)
		}
	}

	// A list type that is not published: its listing never shows, nor does
	// the list.
	unpub := lt
	unpub.Published = false
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: unpub}); r.Status != 201 {
		t.Fatalf("unpublish the list type: %s", r)
	}
	d := decisionBody()
	d.Number = "兰市监认〔2026〕2号"
	l2 := f.listThrough(t, f.propose(t, f.recA2).ID, d)
	if l2.Published || l2.State != xinyong.ListingListed {
		t.Fatalf("listing of an unpublished list type: %+v", l2)
	}
	if p := profileOf(t, e, f.orgCode); len(p.Listings) != 0 {
		t.Errorf("an unpublished listing shows: %+v", p.Listings)
	}
	e.do(t, req{Path: "/lists/serious?type=SAMR_SERIOUS"}).html(t, 404)
	for _, path := range []string{"/subjects/" + f.orgCode + "?tab=serious", "/lists/serious", "/api/v1/subjects/" + f.orgCode} {
		r := e.do(t, req{Path: path})
		if r.Status != 200 || strings.Contains(string(r.Body), d.Number) || strings.Contains(string(r.Body), "SAMR_SERIOUS") {
			t.Errorf("%s shows the unpublished list: %s", path, r)
		}
	}
	// Published again: it shows (a listing listed while its type was not
	// published stays unpublished).
	if r := e.do(t, req{Method: "POST", Path: "/api/v1/list-types", Token: e.admin, Body: lt}); r.Status != 201 {
		t.Fatalf("republish: %s", r)
	}
	if p := profileOf(t, e, f.orgCode); len(p.Listings) != 0 {
		t.Errorf("a listing listed unpublished shows after the type is republished: %+v", p.Listings)
	}
}

// TestPortalListingsPerson: a natural person whose records are not public
// is not on the portal until listed on a published list; then the page,
// the profile and the list show the person masked, never an ID number.
// The crawl starts at the list page.
func TestPortalListingsPerson(t *testing.T) {
	f := newListingFixture(t)
	e := f.e
	const name = "王建国"
	id := citizenID(t, "62010219800101123")
	in := penaltyInput(t, id, name, "兰市监罚〔2020〕77号")
	in.Severity = "serious"
	in.Document.DecisionDate = xinyong.MustDate("2020-06-01") // its publication window closed long ago
	in.Fields["CF_XDR_LB"] = "自然人"
	in.Fields["CF_XDR_ZJHM"] = id
	in.Fields["CF_SY"] = name + "（身份证号 " + id + "）无证经营"
	r := e.do(t, req{Method: "POST", Path: "/api/v1/records", Token: f.offA, Body: in})
	if r.Status != 201 {
		t.Fatalf("submit: %s", r)
	}
	var res workflow.SubmitResult
	r.json(t, &res)
	var hits workflow.SearchResult
	e.do(t, req{Path: "/api/v1/search?q=" + id}).json(t, &hits)
	if len(hits.Hits) != 0 {
		t.Fatalf("the person is public before listing: %+v", hits)
	}
	pr := f.e.do(t, req{Method: "POST", Path: "/api/v1/listings", Token: f.offA, Body: xinyong.ListingProposal{
		ListType: "SAMR_SERIOUS", Subject: res.Record.SubjectID, RecordIDs: []string{res.Record.ID}, Reasons: name + "无证经营，情节严重", Basis: "《市场监督管理严重违法失信名单管理办法》第二条"}})
	if pr.Status != 201 {
		t.Fatalf("propose: %s", pr)
	}
	var l xinyong.Listing
	pr.json(t, &l)
	e.do(t, req{Path: "/api/v1/subjects/" + l.SubjectID}).problem(t, 404, xinyong.ENOTFOUND)
	d := decisionBody()
	d.Number = "兰市监认〔2026〕9号"
	d.Reason = name + "（身份证号 " + id + "）无证经营"
	d.Basis = "《市场监督管理严重违法失信名单管理办法》第二条；当事人 " + name + "，身份证号 " + id
	f.listThrough(t, l.ID, d)

	p := profileOf(t, e, l.SubjectID)
	if !p.Subject.Masked || p.Subject.Name != "王*国" || len(p.Listings) != 1 || len(p.Records) != 0 {
		t.Fatalf("the listed person's public profile: %+v", p)
	}
	if v := p.Listings[0]; v.SubjectName != "王*国" || !v.Masked || v.SubjectCode != xinyong.MaskID(id) || !strings.Contains(v.Basis, "王*国") || !strings.Contains(v.Basis, xinyong.MaskID(id)) {
		t.Errorf("the person's listing view: %+v", v)
	}
	e.do(t, req{Path: "/api/v1/search?q=" + id}).json(t, &hits)
	if len(hits.Hits) != 1 || hits.Hits[0].Name != "王*国" {
		t.Errorf("exact ID search of the listed person: %+v", hits)
	}

	// Crawl from the list pages: no full ID number, no unmasked name.
	clean := &portalFixture{hidden: []string{name, id}}
	seen := map[string]bool{}
	queue := []string{"/lists/serious", "/lists/serious?type=SAMR_SERIOUS", "/lists/serious?lang=en"}
	subjects := 0
	for len(queue) > 0 && len(seen) < 100 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		r := e.do(t, req{Path: path})
		if r.Status != 200 {
			t.Errorf("GET %s: %s", path, r)
			continue
		}
		clean.checkClean(t, path, r.Body)
		if strings.HasPrefix(path, "/subjects/") {
			subjects++
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		for _, m := range hrefs.FindAllStringSubmatch(string(r.Body), -1) {
			link := strings.ReplaceAll(m[1], "&amp;", "&")
			if !strings.HasPrefix(link, "/subjects/") && !strings.HasPrefix(link, "/lists/") {
				continue
			}
			queue = append(queue, link)
			if strings.HasPrefix(link, "/subjects/") {
				ref, _, _ := strings.Cut(strings.TrimPrefix(link, "/subjects/"), "?")
				queue = append(queue, "/api/v1/subjects/"+ref)
			}
		}
	}
	if subjects == 0 || !seen["/subjects/"+l.SubjectID+"?tab=serious"] {
		t.Errorf("the crawl did not reach the person's serious tab: %v", seen)
	}
}
