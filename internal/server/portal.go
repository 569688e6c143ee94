package server

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"xinyong"
	"xinyong/internal/workflow"
)

// The public portal (issue 5): search, subject pages, the 双公示 lists and
// the procedure pages, as JSON under /api/v1 and as server-rendered pages.
// What is shown is decided by the domain (xinyong.Visible and friends),
// through the workflow; handlers only translate.

func (s *Server) portalRoutes() []route {
	return []route{
		{Method: "GET", Path: "/api/v1/search", Tag: "portal", Auth: "public", Summary: "Search subjects by exact code (USCC or citizen ID number) or by name substring (query q, page); matches carry character offsets for highlighting. Without a token: the public's view (organisations only by name)", Handler: s.getSearch},
		{Method: "GET", Path: "/api/v1/subjects/{code}", Tag: "portal", Auth: "public", Summary: "A subject's profile (code: USCC or the ref of a search result): the records the caller may see; without a token the public view (a natural person only when a record is published with a basis, masked)", Handler: s.getSubject},
		{Method: "GET", Path: "/api/v1/lists/penalties", Tag: "portal", Auth: "public", Summary: "The 双公示 penalty list: records published today, public view; query department (code or id), from, to (decision dates), page", Handler: s.getList("penalty")},
		{Method: "GET", Path: "/api/v1/lists/licenses", Tag: "portal", Auth: "public", Summary: "The 双公示 licence list: records published today, public view; query department (code or id), from, to (decision dates), page", Handler: s.getList("license")},
	}
}

// pageParam reads the page query parameter (1 when absent).
func pageParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("page")
	if v == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 1_000_000 {
		return 0, xinyong.Invalid("bad page", xinyong.FieldError{Field: "page", Rule: "page", Message: "page is a whole number from 1"})
	}
	return n, nil
}

func (s *Server) getSearch(w http.ResponseWriter, r *http.Request) error {
	page, err := pageParam(r)
	if err != nil {
		return err
	}
	res, err := s.Svc.Search(r.Context(), actorOf(r), r.URL.Query().Get("q"), page)
	if err != nil {
		return err
	}
	res.Hits = nonNil(res.Hits)
	writeJSON(w, 200, res)
	return nil
}

func (s *Server) getSubject(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Svc.SubjectProfile(r.Context(), actorOf(r), r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, 200, p)
	return nil
}

func listQuery(r *http.Request, kind string) (workflow.ListQuery, error) {
	page, err := pageParam(r)
	q := r.URL.Query()
	return workflow.ListQuery{Kind: kind, Department: q.Get("department"), From: q.Get("from"), To: q.Get("to"), Page: page}, err
}

func (s *Server) getList(kind string) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		q, err := listQuery(r, kind)
		if err != nil {
			return err
		}
		l, err := s.Svc.PublicList(r.Context(), q)
		if err != nil {
			return err
		}
		writeJSON(w, 200, l)
		return nil
	}
}

// ---- pages ----

func (w *web) installPortal(mux *http.ServeMux) {
	mux.HandleFunc("GET /search", w.search)
	mux.HandleFunc("GET /subjects/{code}", w.subject)
	mux.HandleFunc("GET /lists/licenses", w.list("license"))
	mux.HandleFunc("GET /lists/penalties", w.list("penalty"))
	mux.HandleFunc("GET /procedures/repair", w.procedure("repair"))
	mux.HandleFunc("GET /procedures/objection", w.procedure("objection"))
}

func init() {
	maps.Copy(chinese, portalChinese)
	maps.Copy(english, portalEnglish)
}

var portalChinese = map[string]string{
	"search.title": "信用信息查询", "search.results": "查询结果", "search.found": "共找到", "search.items": "个主体", "search.more": "结果超过 1000 条，请输入更完整的名称。",
	"search.none": "未找到符合条件的信用主体。", "search.hint": "可输入企业名称中的任意连续 2 个及以上汉字，或 18 位统一社会信用代码。",
	"kind": "主体类型", "pages": "分页", "page.prev": "上一页", "page.next": "下一页", "page.of": "页",
	"tab.basic": "基本信息", "tab.license": "行政许可", "tab.penalty": "行政处罚", "tab.serious": "严重失信主体名单", "tab.commitment": "信用承诺", "tab.honour": "守信激励",
	"tabs": "信息类别", "subject.code": "统一社会信用代码", "subject.name": "主体名称", "records.none": "当前没有公示中的信息。",
	"doc.number": "决定文书号", "doc.authority": "作出决定机关", "doc.date": "决定日期", "pub.period": "公示期", "pub.end": "公示截止", "pub.open": "长期",
	"severity": "失信程度", "categories": "处罚类别", "marks": "标注",
	"repair.apply": "申请信用修复", "objection.raise": "提出异议",
	"lists": "双公示", "list.license": "行政许可公示", "list.penalty": "行政处罚公示", "list.filter": "筛选", "department": "部门", "department.all": "全部部门",
	"date.from": "决定日期自", "date.to": "决定日期至", "subject": "信用主体", "list.on": "公示信息截至",
	"procedure.repair": "信用修复办理指南", "procedure.objection": "异议申请办理指南", "truncated": "信息较多，仅显示前 5000 条。",
	"masked": "依法遮蔽个人信息", "in_dispute": "异议处理中",
}

var portalEnglish = map[string]string{
	"search.title": "Credit information search", "search.results": "Results", "search.found": "Found", "search.items": "subjects", "search.more": "More than 1000 results: please enter a fuller name.",
	"search.none": "No credit subject matches.", "search.hint": "Enter any 2 or more consecutive characters of a company name, or an 18-character unified social credit code.",
	"kind": "Kind", "pages": "Pages", "page.prev": "Previous", "page.next": "Next", "page.of": "page",
	"tab.basic": "Basic information", "tab.license": "Licences", "tab.penalty": "Penalties", "tab.serious": "Serious dishonesty lists", "tab.commitment": "Credit commitments", "tab.honour": "Honours",
	"tabs": "Categories", "subject.code": "Unified social credit code", "subject.name": "Name", "records.none": "Nothing is published at present.",
	"doc.number": "Decision number", "doc.authority": "Decided by", "doc.date": "Decision date", "pub.period": "Published", "pub.end": "Publication ends", "pub.open": "no fixed end",
	"severity": "Severity", "categories": "Penalty categories", "marks": "Marks",
	"repair.apply": "Apply for credit repair", "objection.raise": "Raise an objection",
	"lists": "Dual publicity", "list.license": "Licences published", "list.penalty": "Penalties published", "list.filter": "Filter", "department": "Department", "department.all": "All departments",
	"date.from": "Decided from", "date.to": "Decided until", "subject": "Subject", "list.on": "Published as of",
	"procedure.repair": "Credit repair: how to apply", "procedure.objection": "Objections: how to apply", "truncated": "Many records: only the first 5000 are shown.",
	"masked": "personal information masked by law", "in_dispute": "objection being handled",
}

// seg is a piece of a highlighted name.
type seg struct {
	Text string
	Mark bool
}

// segments splits name at the match offsets (characters).
func segments(name string, match [][2]int) []seg {
	r := []rune(name)
	var out []seg
	at := 0
	for _, m := range match {
		if m[0] < at || m[1] > len(r) || m[0] >= m[1] {
			continue
		}
		if m[0] > at {
			out = append(out, seg{Text: string(r[at:m[0]])})
		}
		out = append(out, seg{Text: string(r[m[0]:m[1]]), Mark: true})
		at = m[1]
	}
	if at < len(r) {
		out = append(out, seg{Text: string(r[at:])})
	}
	return out
}

// pager is a page navigation: links keep the other query parameters.
type pager struct {
	Page, Pages int
	Prev, Next  string
}

func newPager(r *http.Request, page, pages int) pager {
	p := pager{Page: page, Pages: pages}
	link := func(n int) string {
		q := r.URL.Query()
		q.Del("lang")
		q.Set("page", strconv.Itoa(n))
		return r.URL.Path + "?" + q.Encode()
	}
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return p
}

type searchHitView struct {
	workflow.SearchHit
	Segments []seg
}

type searchPage struct {
	Q       string // what the box shows again ("" for an ID number)
	Asked   bool
	Result  workflow.SearchResult
	Hits    []searchHitView
	Pager   pager
	ShowQ   string // the query as echoed in the heading
	Refused bool
}

func (w *web) search(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	data := searchPage{}
	p := w.page(r, "", nil)
	p.Title = p.T("search.title")
	if strings.TrimSpace(q) == "" {
		p.Data = data
		w.render(rw, r, "search", 200, p)
		return
	}
	page, err := pageParam(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	res, err := w.s.Svc.Search(r.Context(), actorOf(r), q, page)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data.Asked, data.Result, data.ShowQ = true, res, res.Query
	if res.Query == strings.TrimSpace(q) {
		data.Q = res.Query
	}
	for _, h := range res.Hits {
		data.Hits = append(data.Hits, searchHitView{SearchHit: h, Segments: segments(h.Name, h.Match)})
	}
	data.Pager = newPager(r, page, res.Pages)
	p.Data = data
	w.render(rw, r, "search", 200, p)
}

// tabs of the subject page, in order.
var tabs = []string{"basic", "license", "penalty", "serious", "commitment", "honour"}

// tabOf files a catalogue item under a tab.
func tabOf(it xinyong.CatalogueItem) string {
	switch {
	case it.Kind == "license":
		return "license"
	case it.Kind == "penalty":
		return "penalty"
	}
	switch it.Category {
	case "serious_list", "judicial":
		return "serious"
	case "commitment":
		return "commitment"
	case "honour":
		return "honour"
	}
	return "basic"
}

type tabLink struct {
	Key, Href string
	Count     int
	Current   bool
}

type fieldRow struct{ Label, Value string }

type recordCard struct {
	xinyong.RecordView
	Rows []fieldRow
}

type subjectPage struct {
	Profile   workflow.SubjectProfile
	Tab       string
	Tabs      []tabLink
	Records   []recordCard
	Pager     pager
	Truncated bool
}

const recordsPerPage = 20

func (w *web) subject(rw http.ResponseWriter, r *http.Request) {
	tab := r.URL.Query().Get("tab")
	if tab == "" {
		tab = "basic"
	}
	if !slices.Contains(tabs, tab) {
		w.fail(rw, r, xinyong.Invalid("bad tab", xinyong.FieldError{Field: "tab", Rule: "enum", Message: "tab is one of " + strings.Join(tabs, ", ")}))
		return
	}
	page, err := pageParam(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	_, items, err := w.s.Svc.CatalogueItems(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	byCode := make(map[string]xinyong.CatalogueItem, len(items))
	for _, it := range items {
		byCode[it.Code] = it
	}
	// The page renders one tab, one page of it: a supervision read
	// registers those records only (workflow.SubjectProfilePage).
	pages := 1
	prof, shown, err := w.s.Svc.SubjectProfilePage(r.Context(), actorOf(r), r.PathValue("code"), func(recs []xinyong.RecordView) ([]xinyong.RecordView, error) {
		var inTab []xinyong.RecordView
		for _, rv := range recs {
			if tabOf(byCode[rv.Item]) == tab {
				inTab = append(inTab, rv)
			}
		}
		pages = max(1, (len(inTab)+recordsPerPage-1)/recordsPerPage)
		if page > pages {
			return nil, xinyong.Errorf(xinyong.ENOTFOUND, "this tab has %d pages", pages)
		}
		return inTab[min((page-1)*recordsPerPage, len(inTab)):min(page*recordsPerPage, len(inTab))], nil
	})
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := subjectPage{Profile: prof, Tab: tab, Truncated: prof.Truncated}
	counts := map[string]int{}
	for _, rv := range prof.Records {
		counts[tabOf(byCode[rv.Item])]++
	}
	counts["serious"] += len(prof.Listings) // published listings (portal_listings.go)
	base := "/subjects/" + url.PathEscape(prof.Subject.Ref)
	for _, t := range tabs {
		data.Tabs = append(data.Tabs, tabLink{Key: "tab." + t, Href: base + "?tab=" + t, Count: counts[t], Current: t == tab})
	}
	for _, rv := range shown {
		data.Records = append(data.Records, recordCard{RecordView: rv, Rows: fieldRows(byCode[rv.Item], rv)})
	}
	data.Pager = newPager(r, page, pages)
	p := w.page(r, prof.Subject.Name, data)
	w.render(rw, r, "subject", 200, p)
}

// fieldRows lists a record's shown fields in the item's order, with labels.
func fieldRows(it xinyong.CatalogueItem, rv xinyong.RecordView) []fieldRow {
	var out []fieldRow
	for _, f := range it.Fields {
		if v, ok := rv.Fields[f.Code]; ok && v != "" {
			if f.Unit != "" {
				v += " " + f.Unit
			}
			out = append(out, fieldRow{Label: f.Label, Value: v})
		}
	}
	return out
}

type listCard struct {
	xinyong.RecordView
	SubjectHref string
}

type listPage struct {
	List    workflow.ListPage
	Kind    string // penalty or license
	Records []listCard
	Pager   pager
}

func (w *web) list(kind string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		q, err := listQuery(r, kind)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		l, err := w.s.Svc.PublicList(r.Context(), q)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		data := listPage{List: l, Kind: kind, Pager: newPager(r, q.Page, l.Pages)}
		for _, rv := range l.Records {
			c := listCard{RecordView: rv}
			if ref := l.Subjects[rv.ID]; ref != "" {
				c.SubjectHref = "/subjects/" + url.PathEscape(ref)
			}
			data.Records = append(data.Records, c)
		}
		p := w.page(r, "", data)
		p.Title = p.T("list." + kind)
		w.render(rw, r, "list", 200, p)
	}
}

func (w *web) procedure(which string) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p := w.page(r, "", which)
		p.Title = p.T("procedure." + which)
		w.render(rw, r, "procedure", 200, p)
	}
}
