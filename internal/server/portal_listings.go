package server

import (
	"maps"
	"net/http"
	"net/url"

	"xinyong"
	"xinyong/internal/workflow"
)

// The public serious-dishonesty lists (issue 6, "Listing — published on
// the portal if the list type allows"): /lists/serious?type=CODE. The
// subject page's 严重失信主体名单 tab shows the subject's own listings from
// its profile (workflow.SubjectProfile.Listings).

func init() {
	maps.Copy(chinese, seriousChinese)
	maps.Copy(english, seriousEnglish)
}

var seriousChinese = map[string]string{
	"list.serious": "严重失信主体名单", "list.type": "名单类型", "list.type.all": "全部名单",
	"listing.decision_number": "认定决定书文号", "listing.decision_date": "认定日期", "listing.authority": "认定部门",
	"listing.period": "列入期限", "listing.listed_on": "列入日期", "listing.end": "移出日期", "listing.basis": "认定依据",
	"listing.months": "个月", "listing.until_removed": "至移出之日止", "listings.none": "当前没有列入严重失信主体名单的信息。",
}

var seriousEnglish = map[string]string{
	"list.serious": "Serious dishonesty lists", "list.type": "List", "list.type.all": "All lists",
	"listing.decision_number": "Decision number", "listing.decision_date": "Decided on", "listing.authority": "Identifying department",
	"listing.period": "Listing period", "listing.listed_on": "Listed on", "listing.end": "Removed on", "listing.basis": "Basis",
	"listing.months": "months", "listing.until_removed": "until removed", "listings.none": "Nobody is on a serious dishonesty list at present.",
}

type seriousCard struct {
	xinyong.PublicListingView
	SubjectHref string
}

type seriousPage struct {
	List     workflow.SeriousListPage
	Listings []seriousCard
	Pager    pager
}

// seriousList is GET /lists/serious?type=CODE&page=N.
func (w *web) seriousList(rw http.ResponseWriter, r *http.Request) {
	page, err := pageParam(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	l, err := w.s.Svc.PublicSeriousList(r.Context(), r.URL.Query().Get("type"), page)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	data := seriousPage{List: l, Pager: newPager(r, page, l.Pages)}
	for _, v := range l.Listings {
		c := seriousCard{PublicListingView: v}
		if v.SubjectRef != "" {
			c.SubjectHref = "/subjects/" + url.PathEscape(v.SubjectRef)
		}
		data.Listings = append(data.Listings, c)
	}
	p := w.page(r, "", data)
	p.Title = p.T("list.serious")
	if l.TypeName != "" {
		p.Title = l.TypeName
	}
	w.render(rw, r, "list_serious", 200, p)
}
