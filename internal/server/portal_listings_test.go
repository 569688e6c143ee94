package server

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
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

// TestPortalSeriousListPages: with more listings than a page, the list
// pages (all lists, and one list type) show each listing the public may see
// exactly once, newest listing first (then by id), the pager links through
// every page, and no hidden listing (removed, unpublished, of an unpublished
// list type, without a decision, not yet or no longer in force, about a
// minor) shows on any page; a listed adult shows masked.
func TestPortalSeriousListPages(t *testing.T) {
	e := newEnv(t)
	d := e.dept(t, "11620100MB0001AA", "兰州市市场监督管理局", "XZCF")
	on := xinyong.DateOf(e.svc.Now())
	at := e.svc.Now().UTC()
	const personName, minorName = "王建国", "李小明"
	personID := citizenID(t, "62010219800101123")
	minorID := citizenID(t, "620102"+on.AddDays(-3000).String()[:4]+"0101123")
	type seeded struct {
		l    xinyong.Listing
		subj xinyong.Subject
	}
	var shown []seeded
	var hidden []string // decision numbers
	err := e.svc.Store.Update(e.ctx, func(tx xinyong.Tx) error {
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
		unpub := samr
		unpub.Code, unpub.Name, unpub.Published = "HIDDEN_LIST", "不公开的名单", false
		if err := tx.PutListType(unpub); err != nil {
			return err
		}
		mk := func(i int, number string, subj xinyong.Subject) xinyong.Listing {
			listed := on.AddDays(-(2 + i/4)) // four a day
			return xinyong.Listing{ID: fmt.Sprintf("L%03d", (i*17)%64), ListType: []string{"SAMR_SERIOUS", "SPC_DEFAULTER"}[i%2], SubjectID: subj.ID, DepartmentID: d.ID,
				State: xinyong.ListingListed, Version: 6, Basis: "《市场监督管理严重违法失信名单管理办法》第二条", ProposedAt: at, UpdatedAt: at,
				Decision: &xinyong.ListingDecision{Number: number, Date: listed, Basis: "当事人" + subj.Name + "，证件号码 " + subj.Code, PeriodMonths: 36},
				ListedOn: listed, EndDate: listed.AddMonths(36), Published: true}
		}
		for i := range 64 {
			subj := xinyong.Subject{ID: fmt.Sprintf("S%03d", i), Kind: xinyong.KindEnterprise, Name: fmt.Sprintf("兰州某某%02d商贸有限公司", i), CreatedAt: at}
			subj.Code = fmt.Sprintf("91620100MA%08d", i)
			switch i {
			case 7:
				subj.Kind, subj.Name, subj.Code = xinyong.KindPerson, personName, personID
			case 11:
				subj.Kind, subj.Name, subj.Code, subj.Birth = xinyong.KindPerson, minorName, minorID, on.AddDays(-3000)
			}
			subj.Key = "key-" + subj.ID
			if err := tx.PutSubject(subj); err != nil {
				return err
			}
			l := mk(i, fmt.Sprintf("兰市监认〔2026〕%03d号", i), subj)
			if i >= 45 { // the hidden kinds, two each (i == 11 is a minor)
				l.Decision.Number = fmt.Sprintf("隐认〔2026〕%03d号", i)
				switch i % 8 {
				case 0:
					l.State = xinyong.ListingRemoved
				case 1:
					l.Published = false
				case 2:
					l.ListType = unpub.Code
				case 3:
					l.Decision = nil
					l.Basis = fmt.Sprintf("隐认〔2026〕%03d号", i)
				case 4:
					l.ListedOn, l.EndDate = on.AddDays(10), on.AddDays(400)
				case 5:
					l.EndDate = on.AddDays(-10)
				case 6:
					l.State, l.ListedOn, l.EndDate = xinyong.ListingDecided, xinyong.Date{}, xinyong.Date{}
				case 7:
					l.ListType = "NO_SUCH_LIST"
				}
			}
			if err := tx.InsertListing(l); err != nil {
				return err
			}
			if i == 11 || i >= 45 {
				hidden = append(hidden, fmt.Sprintf("兰市监认〔2026〕%03d号", i), fmt.Sprintf("隐认〔2026〕%03d号", i))
			} else {
				shown = append(shown, seeded{l, subj})
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(shown, func(a, b seeded) int {
		if d := b.l.ListedOn.Days() - a.l.ListedOn.Days(); d != 0 {
			return d
		}
		return strings.Compare(a.l.ID, b.l.ID)
	})
	numbers := regexp.MustCompile(`兰市监认〔2026〕\d+号`)
	clean := &portalFixture{hidden: append(hidden, personName, minorName, personID, minorID)}
	// walk follows the pager from path and returns the decision numbers in
	// page order.
	var bodies strings.Builder
	walk := func(path string, pages, total int) []string {
		t.Helper()
		var got []string
		for n := 1; path != ""; n++ {
			body := e.do(t, req{Path: path}).html(t, 200, fmt.Sprintf("%d / %d", n, pages), fmt.Sprintf("共找到 %d", total))
			clean.checkClean(t, path, []byte(body))
			bodies.WriteString(body)
			page := numbers.FindAllString(body, -1)
			if n < pages && len(page) != workflow.PageSize {
				t.Errorf("%s: %d listings, want a full page", path, len(page))
			}
			got = append(got, page...)
			next := regexp.MustCompile(`<a href="([^"]*)" rel="next">`).FindStringSubmatch(body)
			path = ""
			if next != nil {
				path = strings.ReplaceAll(next[1], "&amp;", "&")
			}
			if n > pages {
				t.Fatalf("more than %d pages", pages)
			}
		}
		return got
	}
	want := func(typ string) []string {
		var out []string
		for _, s := range shown {
			if typ == "" || s.l.ListType == typ {
				out = append(out, s.l.Decision.Number)
			}
		}
		return out
	}
	if len(shown) != 44 {
		t.Fatalf("%d listings shown, want 44", len(shown))
	}
	if got := walk("/lists/serious", 3, 44); !slices.Equal(got, want("")) {
		t.Errorf("all lists, page by page:\n got %v\nwant %v", got, want(""))
	}
	if got := walk("/lists/serious?type=SPC_DEFAULTER", 2, len(want("SPC_DEFAULTER"))); !slices.Equal(got, want("SPC_DEFAULTER")) {
		t.Errorf("SPC_DEFAULTER, page by page:\n got %v\nwant %v", got, want("SPC_DEFAULTER"))
	}
	if !strings.Contains(bodies.String(), "王*国") || !strings.Contains(bodies.String(), xinyong.MaskID(personID)) {
		t.Error("the listed adult does not show masked")
	}
	body := e.do(t, req{Path: "/lists/serious?type=SAMR_SERIOUS&page=2"}).html(t, 200, "2 / 2", `rel="prev"`)
	if got := numbers.FindAllString(body, -1); !slices.Equal(got, want("SAMR_SERIOUS")[20:]) {
		t.Errorf("SAMR_SERIOUS page 2: %v, want %v", got, want("SAMR_SERIOUS")[20:])
	}
	body = e.do(t, req{Path: "/lists/serious?page=4&lang=en"}).html(t, 200, "Nobody is on a serious dishonesty list at present.")
	clean.checkClean(t, "/lists/serious?page=4", []byte(body))
	e.do(t, req{Path: "/lists/serious?page=51"}).html(t, 400)
	e.do(t, req{Path: "/lists/serious?type=HIDDEN_LIST"}).html(t, 404)
}
