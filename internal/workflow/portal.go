package workflow

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"xinyong"
)

// The public portal's use cases (issue 5): name and code search, a
// subject's profile, and the 双公示 lists. Each reads in one transaction and
// asks the domain's visibility functions (visibility.go) what to show; none
// decides visibility itself.

// PageSize is how many results a search or list page shows.
const PageSize = 20

// MaxProfileRecords is how many records a profile reads; a subject with
// more is shown truncated (and says so).
const MaxProfileRecords = 5000

// SearchHit is one subject found.
type SearchHit struct {
	// Ref is what /subjects/{ref} takes: the code of an organisation, the
	// row id of a natural person (whose ID number never goes in a URL).
	Ref      string              `json:"ref"`
	Code     string              `json:"code"`
	Name     string              `json:"name"`
	Kind     xinyong.SubjectKind `json:"kind"`
	KindName string              `json:"kind_name"`
	Masked   bool                `json:"masked,omitempty"`
	// Match holds the character offsets [start, end) of the matched text in
	// Name, for highlighting.
	Match [][2]int `json:"match,omitempty"`
}

// SearchResult is one page of a search.
type SearchResult struct {
	Query    string      `json:"query"` // as searched; a citizen ID number masked
	Mode     string      `json:"mode"`  // code, like, bigram or trigram
	Total    int         `json:"total"` // counted up to MaxSearchResults+1
	More     bool        `json:"more"`  // more than MaxSearchResults: narrow the query
	Page     int         `json:"page"`
	Pages    int         `json:"pages"`
	PageSize int         `json:"page_size"`
	Hits     []SearchHit `json:"results"`
}

// Search finds subjects by exact code (a unified social credit code, or a
// citizen ID number) or by a substring of the name, as the actor may see
// them. page counts from 1.
//
// A supervisor (admin, auditor) finds subjects the public does not (a
// minor on record, found by the ID number) or sees them otherwise (a
// person's name in full): each such hit tells non-public information (the
// subject is on record, and how), so it is registered as a supervision
// read of that subject naming no record (supervision.go, DOMAIN.md §7),
// before the answer. Hits the public gets alike register nothing.
func (s *Service) Search(ctx context.Context, actor xinyong.Actor, q string, page int) (SearchResult, error) {
	text, err := xinyong.CheckSearchText(q)
	if err != nil {
		return SearchResult{}, err
	}
	if page < 1 || (page-1)*PageSize >= xinyong.MaxSearchResults {
		return SearchResult{}, xinyong.Invalid("bad page", xinyong.FieldError{Field: "page", Rule: "search.page", Message: "page is a number from 1 to " + strconv.Itoa(xinyong.MaxSearchResults/PageSize) + "; narrow the search to see further"})
	}
	viewer := xinyong.ViewerOf(actor, "", "")
	res := SearchResult{Query: text, Page: page, PageSize: PageSize, Mode: xinyong.SearchMode(text)}
	var reads []supervisionRead
	err = s.view(ctx, func(tx xinyong.Tx) error {
		p := portal{s: s, tx: tx, viewer: viewer, on: xinyong.DateOf(s.Now())}
		found, hitText, err := p.search(&res, text, page)
		if err != nil || !supervises(actor) {
			return err
		}
		pub := portal{s: s, tx: tx, viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, on: p.on}
		for i, subj := range found {
			h, ok, err := pub.hit(subj, hitText)
			if err != nil {
				return err
			}
			if !ok || !reflect.DeepEqual(h, res.Hits[i]) {
				reads = append(reads, supervisionRead{subjectID: subj.ID, subject: true})
			}
		}
		return nil
	})
	if err == nil {
		if _, err = s.registerSupervisionReads(ctx, actor, reads); err != nil {
			return SearchResult{}, err
		}
	}
	res.More = res.Total > xinyong.MaxSearchResults
	res.Pages = (min(res.Total, xinyong.MaxSearchResults) + PageSize - 1) / PageSize
	return res, err
}

// search fills res with the page of hits as p's viewer sees them; it
// returns the subjects of the hits (res.Hits[i] is found[i]) and the text
// the hits were matched against ("" for an exact code).
func (p *portal) search(res *SearchResult, text string, page int) (found []xinyong.Subject, hitText string, err error) {
	tx, s := p.tx, p.s
	if code := xinyong.NormalizeCode(text); codeLike.MatchString(code) {
		if _, err := xinyong.ParseCitizenID(code); err == nil {
			res.Query = xinyong.MaskID(code)
		}
		subj, err := tx.SubjectByKey(s.SubjectKey(code))
		switch {
		case err == nil:
			res.Mode = "code"
			hit, ok, err := p.hit(subj, "")
			if err != nil || !ok {
				return nil, "", err
			}
			res.Hits, res.Total = []SearchHit{hit}, 1
			return []xinyong.Subject{subj}, "", nil
		case xinyong.ErrorCode(err) != xinyong.ENOTFOUND:
			return nil, "", err
		}
		if res.Query != text {
			res.Mode = "code" // an ID number is never searched as a name
			return nil, "", nil
		}
	}
	subjects, n, err := tx.SearchSubjects(xinyong.SearchQuery{Text: text, Kinds: xinyong.SearchKinds(p.viewer), PersonsOf: xinyong.SearchPersonsOf(p.viewer), Offset: (page - 1) * PageSize, Limit: PageSize})
	if err != nil {
		return nil, "", err
	}
	res.Total = n
	for _, subj := range subjects {
		hit, ok, err := p.hit(subj, text)
		if err != nil {
			return nil, "", err
		}
		if ok {
			res.Hits = append(res.Hits, hit)
			found = append(found, subj)
		}
	}
	return found, text, nil
}

// codeLike: what an exact code lookup takes (18 characters of a USCC or a
// citizen ID number, after NormalizeCode).
var codeLike = regexp.MustCompile(`^[0-9A-Z]{18}$`)

// uuidLike: a subject row id.
var uuidLike = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// portal carries one read of the portal.
type portal struct {
	s      *Service
	tx     xinyong.Tx
	viewer xinyong.Viewer
	on     xinyong.Date
	items  map[string]xinyong.CatalogueItem
	lts    map[string]xinyong.ListType // portal_listings.go
	depts  map[string]string           // department names by id
}

func (p *portal) item(code string) (xinyong.CatalogueItem, bool, error) {
	if p.items == nil {
		c, err := p.s.catalogue(p.tx)
		if err != nil {
			return xinyong.CatalogueItem{}, false, err
		}
		p.items = c.byCode
	}
	it, ok := p.items[code]
	return it, ok, nil
}

// records returns the subject's records the viewer sees, as views, newest
// decision first, how many of them show the subject in clear, and whether
// the subject has more than MaxProfileRecords.
func (p *portal) records(subj xinyong.Subject) ([]xinyong.RecordView, int, bool, error) {
	var out []xinyong.RecordView
	clear := 0
	read := 0
	for after := ""; read < MaxProfileRecords; {
		page, err := p.tx.ListRecords(xinyong.RecordFilter{SubjectID: subj.ID, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, 0, false, err
		}
		dis, err := disputed(p.tx, page) // open objections (objections.go)
		if err != nil {
			return nil, 0, false, err
		}
		rep, err := recordRepairs(p.tx, page) // repair outcomes (repairs.go)
		if err != nil {
			return nil, 0, false, err
		}
		for _, r := range page {
			it, ok, err := p.item(r.Item)
			if err != nil {
				return nil, 0, false, err
			}
			if !ok {
				continue // a record of no known item: nothing can decide it, nothing shows
			}
			// Consent comes with the sharing path (sharing.go); the public
			// portal reads none.
			vis := xinyong.Visible(xinyong.VisibilityInput{Viewer: p.viewer, Record: r, Item: it, Subject: subj, On: p.on, Objection: dis[r.ID], Repair: rep[r.ID]})
			if vis.Visible {
				out = append(out, vis.Apply(r, it))
				if !vis.MaskSubject {
					clear++
				}
			}
		}
		read += len(page)
		if len(page) < 1000 {
			slices.SortStableFunc(out, func(a, b xinyong.RecordView) int {
				return b.Document.DecisionDate.Days() - a.Document.DecisionDate.Days()
			})
			return out, clear, false, nil
		}
		after = page[len(page)-1].ID
	}
	slices.SortStableFunc(out, func(a, b xinyong.RecordView) int {
		return b.Document.DecisionDate.Days() - a.Document.DecisionDate.Days()
	})
	return out, clear, true, nil
}

// card decides whether the viewer sees the subject and how it is shown;
// recs are the records the viewer sees (nil: read them if the decision
// needs them).
func (p *portal) card(subj xinyong.Subject, recs []xinyong.RecordView, clear int, haveRecs bool) (SubjectCard, bool, error) {
	n := len(recs)
	visible, masked := xinyong.SubjectVisible(p.viewer, subj, n, clear)
	if (!visible || masked) && subj.Kind == xinyong.KindPerson {
		if !haveRecs {
			rs, c, _, err := p.records(subj)
			if err != nil {
				return SubjectCard{}, false, err
			}
			n, clear = len(rs), c
		}
		if n == 0 {
			// A published listing in force is public too.
			ls, err := p.listings(subj)
			if err != nil {
				return SubjectCard{}, false, err
			}
			n = len(ls)
		}
		visible, masked = xinyong.SubjectVisible(p.viewer, subj, n, clear)
	}
	if !visible {
		return SubjectCard{}, false, nil
	}
	c := SubjectCard{Ref: subjectRef(subj), Code: xinyong.MaskIDIfPerson(subj.Code), Name: subj.Name, Kind: subj.Kind, KindName: subj.Kind.Chinese(), Masked: masked}
	if masked {
		c.Name = xinyong.MaskName(subj.Name)
	}
	return c, true, nil
}

func (p *portal) hit(subj xinyong.Subject, text string) (SearchHit, bool, error) {
	c, ok, err := p.card(subj, nil, 0, false)
	if err != nil || !ok {
		return SearchHit{}, false, err
	}
	if text != "" && !xinyong.NameSearchShows(subj, c.Masked) {
		return SearchHit{}, false, nil
	}
	h := SearchHit{Ref: c.Ref, Code: c.Code, Name: c.Name, Kind: c.Kind, KindName: c.KindName, Masked: c.Masked}
	if !c.Masked && text != "" {
		h.Match = xinyong.MatchSpans(c.Name, text)
	}
	return h, true, nil
}

// subjectRef is the reference of a subject in URLs.
func subjectRef(s xinyong.Subject) string {
	if s.Kind == xinyong.KindPerson {
		return s.ID
	}
	return s.Code
}

// SubjectCard is a subject as the viewer sees it.
type SubjectCard struct {
	Ref      string              `json:"ref"`
	Code     string              `json:"code"`
	Name     string              `json:"name"`
	Kind     xinyong.SubjectKind `json:"kind"`
	KindName string              `json:"kind_name"`
	Masked   bool                `json:"masked,omitempty"`
}

// SubjectProfile is a subject's page: who it is and the records the viewer
// sees.
type SubjectProfile struct {
	Subject   SubjectCard          `json:"subject"`
	On        xinyong.Date         `json:"on"` // the day the publication windows were read on
	Records   []xinyong.RecordView `json:"records"`
	Truncated bool                 `json:"truncated,omitempty"`
	// Listings: the subject's serious-dishonesty listings published and in
	// force on the day (portal_listings.go).
	Listings []xinyong.PublicListingView `json:"listings"`
	// QueryID: the query-use entry of a supervision read that showed
	// non-public records (supervision.go).
	QueryID string `json:"query_id,omitempty"`
}

// lookupSubject finds a subject by the reference a URL carries: a unified
// social credit code (or an admin-accepted code) or a subject id. A citizen
// ID number is refused: it would sit in access logs; search for it instead.
func (s *Service) lookupSubject(tx xinyong.Tx, ref string) (xinyong.Subject, error) {
	bad := func(msg string) error {
		return xinyong.Invalid("bad subject reference", xinyong.FieldError{Field: "code", Rule: "subject.ref", Message: msg})
	}
	if ref == "" || len(ref) > 64 {
		return xinyong.Subject{}, bad("give the subject's unified social credit code (18 characters) or the reference its search result links to")
	}
	if uuidLike.MatchString(ref) {
		return tx.Subject(ref)
	}
	code := xinyong.NormalizeCode(ref)
	if !codeLike.MatchString(code) {
		return xinyong.Subject{}, bad("a unified social credit code has 18 characters, digits and capital letters")
	}
	if _, err := xinyong.ParseCitizenID(code); err == nil {
		return xinyong.Subject{}, bad("a citizen ID number is never put in an address (addresses are logged): search for it on the search page")
	}
	subj, err := tx.SubjectByKey(code)
	if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
		return subj, xinyong.Errorf(xinyong.ENOTFOUND, "no credit subject %s", code)
	}
	return subj, err
}

// SubjectProfile returns the subject's page as the actor may see it. A
// subject the actor may not see is "not found", like one that does not
// exist. A supervision read (supervision.go) registers every record
// returned that goes beyond the public's view of it.
func (s *Service) SubjectProfile(ctx context.Context, actor xinyong.Actor, ref string) (SubjectProfile, error) {
	out, _, err := s.subjectProfile(ctx, actor, ref, nil)
	return out, err
}

// ShownRecords picks, from the records of a profile (as the actor sees
// them, in the profile's order), those a page renders; an error fails the
// page (nothing is registered).
type ShownRecords func(recs []xinyong.RecordView) ([]xinyong.RecordView, error)

// SubjectProfilePage is SubjectProfile for a page that renders only some
// of the profile's records (the portal page: one tab, one page of it),
// chosen by shown; it returns them too. A supervision read registers only
// the records rendered that go beyond the public's view (DOMAIN.md §7:
// the items returned), not the whole profile: each page change registers
// what that page showed, and the subject's "who queried me" names only
// records the reader saw. When the page shows the subject beyond the
// public's view without rendering such a record (a subject the public
// does not see, tabs counting records the public does not see) the entry
// names no record.
func (s *Service) SubjectProfilePage(ctx context.Context, actor xinyong.Actor, ref string, shown ShownRecords) (SubjectProfile, []xinyong.RecordView, error) {
	return s.subjectProfile(ctx, actor, ref, shown)
}

// subjectProfile reads the profile, picks the records shown (shown nil:
// every one) and registers a supervision read of them.
func (s *Service) subjectProfile(ctx context.Context, actor xinyong.Actor, ref string, shown ShownRecords) (SubjectProfile, []xinyong.RecordView, error) {
	var out SubjectProfile
	var rendered []xinyong.RecordView
	var subjID string
	var public []xinyong.RecordView
	cardBeyond := false
	err := s.view(ctx, func(tx xinyong.Tx) error {
		subj, err := s.lookupSubject(tx, ref)
		if err != nil {
			return err
		}
		p := portal{s: s, tx: tx, viewer: xinyong.ViewerOf(actor, "", ""), on: xinyong.DateOf(s.Now())}
		recs, clear, truncated, err := p.records(subj)
		if err != nil {
			return err
		}
		card, ok, err := p.card(subj, recs, clear, true)
		if err != nil {
			return err
		}
		if !ok {
			return xinyong.Errorf(xinyong.ENOTFOUND, "no credit subject %s", strings.TrimSpace(ref))
		}
		ls, err := p.listings(subj)
		if err != nil {
			return err
		}
		out, subjID = SubjectProfile{Subject: card, On: p.on, Records: recs, Truncated: truncated, Listings: ls}, subj.ID
		if supervises(actor) {
			// What the public sees of the subject is no query; the rest
			// of a supervision view is (supervision.go): records the
			// public does not see or sees otherwise, and every record
			// when the subject itself is shown otherwise (a person's
			// full name).
			pub := portal{s: s, tx: tx, viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, on: p.on}
			var pubClear int
			if public, pubClear, _, err = pub.records(subj); err != nil {
				return err
			}
			pubCard, pubOK, err := pub.card(subj, public, pubClear, true)
			if err != nil {
				return err
			}
			cardBeyond = !pubOK || pubCard != card
		}
		return nil
	})
	rendered = out.Records
	if err == nil && shown != nil {
		rendered, err = shown(out.Records)
	}
	if err == nil {
		read := supervisionRead{subjectID: subjID, subject: cardBeyond}
		read.ids, read.items = beyondPublic(rendered, public, cardBeyond)
		if shown != nil && !read.subject {
			// The page counts every record the reader sees (its tabs).
			more, _ := beyondPublic(out.Records, public, false)
			read.subject = len(more) > 0
		}
		var qids []string
		if qids, err = s.registerSupervisionReads(ctx, actor, []supervisionRead{read}); len(qids) > 0 {
			out.QueryID = qids[0]
		}
	}
	if err != nil {
		out, rendered = SubjectProfile{}, nil
	}
	if out.Records == nil {
		out.Records = []xinyong.RecordView{}
	}
	if out.Listings == nil {
		out.Listings = []xinyong.PublicListingView{}
	}
	return out, rendered, err
}

// ListQuery selects a 双公示 list page.
type ListQuery struct {
	Kind       string // penalty or license
	Department string // a department's id or code; "" for all
	From, To   string // decision dates YYYY-MM-DD, inclusive; "" for open
	Page       int    // from 1
}

// DepartmentOption is a department in the list filter.
type DepartmentOption struct {
	ID   string `json:"id"`
	Code string `json:"code"`
	Name string `json:"name"`
}

// ListPage is one page of a 双公示 list.
type ListPage struct {
	Kind        string               `json:"kind"`
	Department  string               `json:"department,omitempty"`
	From        string               `json:"from,omitempty"`
	To          string               `json:"to,omitempty"`
	On          xinyong.Date         `json:"on"`
	Total       int                  `json:"total"`
	More        bool                 `json:"more"`
	Page        int                  `json:"page"`
	Pages       int                  `json:"pages"`
	Records     []xinyong.RecordView `json:"records"`
	Departments []DepartmentOption   `json:"departments"`
	// Subjects maps a record's id to its subject's page reference.
	Subjects map[string]string `json:"subjects,omitempty"`
}

// PublicList returns a page of the public 双公示 list of a kind: the
// records published today, as the public sees them.
func (s *Service) PublicList(ctx context.Context, q ListQuery) (ListPage, error) {
	out := ListPage{Kind: q.Kind, Page: q.Page, From: q.From, To: q.To, Records: []xinyong.RecordView{}, Subjects: map[string]string{}}
	var v xinyong.Validation
	if q.Kind != "penalty" && q.Kind != "license" {
		v.Add("kind", "enum", "the lists are penalty (行政处罚) and license (行政许可)")
	}
	var from, to xinyong.Date
	if q.From != "" {
		d, err := xinyong.ParseDate(q.From)
		if err != nil {
			v.Add("from", "date", "from is a date YYYY-MM-DD")
		}
		from = d
	}
	if q.To != "" {
		d, err := xinyong.ParseDate(q.To)
		if err != nil {
			v.Add("to", "date", "to is a date YYYY-MM-DD")
		}
		to = d
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		v.Add("to", "date.order", "to is on or after from")
	}
	if q.Page < 1 || (q.Page-1)*PageSize >= xinyong.MaxSearchResults {
		v.Add("page", "list.page", "page is a number from 1 to %d; narrow the filter to see further", xinyong.MaxSearchResults/PageSize)
	}
	if err := v.Err("bad list filter"); err != nil {
		return out, err
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		p := portal{s: s, tx: tx, viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, on: xinyong.DateOf(s.Now())}
		out.On = p.on
		ds, err := tx.Departments()
		if err != nil {
			return err
		}
		deptID := ""
		for _, d := range ds {
			out.Departments = append(out.Departments, DepartmentOption{ID: d.ID, Code: d.Code, Name: d.Name})
			if q.Department != "" && (d.ID == q.Department || d.Code == xinyong.NormalizeCode(q.Department)) {
				deptID, out.Department = d.ID, d.ID
			}
		}
		if q.Department != "" && deptID == "" {
			return xinyong.Invalid("bad list filter", xinyong.FieldError{Field: "department", Rule: "department.known", Message: "no such department"})
		}
		// The store counts only what the public may see (item disclosure,
		// natural persons, minors): a total counting hidden records would
		// tell that one exists.
		cat, err := s.catalogue(tx)
		if err != nil {
			return err
		}
		items, personItems := xinyong.PublicItems(cat.items)
		recs, n, err := tx.PublishedRecords(xinyong.PublishedFilter{Kind: q.Kind, DepartmentID: deptID, From: from, To: to, On: p.on, Offset: (q.Page - 1) * PageSize, Limit: PageSize,
			Public: true, Items: items, PersonItems: personItems})
		if err != nil {
			return err
		}
		out.Total = n
		dis, err := disputed(tx, recs)
		if err != nil {
			return err
		}
		rep, err := recordRepairs(tx, recs) // repair outcomes (repairs.go)
		if err != nil {
			return err
		}
		for _, r := range recs {
			it, ok, err := p.item(r.Item)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			subj, err := tx.Subject(r.SubjectID)
			if err != nil {
				return err
			}
			vis := xinyong.Visible(xinyong.VisibilityInput{Viewer: p.viewer, Record: r, Item: it, Subject: subj, On: p.on, Objection: dis[r.ID], Repair: rep[r.ID]})
			if !vis.Visible {
				continue
			}
			out.Records = append(out.Records, vis.Apply(r, it))
			out.Subjects[r.ID] = subjectRef(subj)
		}
		return nil
	})
	out.More = out.Total > xinyong.MaxSearchResults
	out.Pages = (min(out.Total, xinyong.MaxSearchResults) + PageSize - 1) / PageSize
	return out, err
}
