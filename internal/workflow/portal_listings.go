package workflow

import (
	"context"
	"slices"
	"strings"

	"xinyong"
)

// Serious-dishonesty listings on the portal (issue 6, "Listing — published
// on the portal if the list type allows"): the subject page's 严重失信主体名单
// tab and the public list pages. xinyong.ListingPublic decides, and
// Listing.PublicView shapes, what the public sees.

// listTypes returns the list types by code (read once per portal read).
func (p *portal) listTypes() (map[string]xinyong.ListType, error) {
	if p.lts == nil {
		lts, err := p.tx.ListTypes()
		if err != nil {
			return nil, err
		}
		p.lts = make(map[string]xinyong.ListType, len(lts))
		for _, lt := range lts {
			p.lts[lt.Code] = lt
		}
	}
	return p.lts, nil
}

// authority returns the name of the identifying department.
func (p *portal) authority(deptID string) (string, error) {
	if p.depts == nil {
		ds, err := p.tx.Departments()
		if err != nil {
			return "", err
		}
		p.depts = make(map[string]string, len(ds))
		for _, d := range ds {
			p.depts[d.ID] = d.Name
		}
	}
	return p.depts[deptID], nil
}

// publicListing returns the public view of l when the public sees it.
func (p *portal) publicListing(l xinyong.Listing, subj xinyong.Subject) (xinyong.PublicListingView, bool, error) {
	lts, err := p.listTypes()
	if err != nil {
		return xinyong.PublicListingView{}, false, err
	}
	lt, ok := lts[l.ListType]
	if !ok || !xinyong.ListingPublic(l, lt, subj, p.on) {
		return xinyong.PublicListingView{}, false, nil
	}
	auth, err := p.authority(l.DepartmentID)
	if err != nil {
		return xinyong.PublicListingView{}, false, err
	}
	v := l.PublicView(lt, subj, auth)
	v.SubjectRef = subjectRef(subj)
	return v, true, nil
}

// listings returns the subject's published listings in force on the day,
// newest listing first.
func (p *portal) listings(subj xinyong.Subject) ([]xinyong.PublicListingView, error) {
	ls, err := p.tx.Listings(xinyong.ListingFilter{SubjectID: subj.ID, State: xinyong.ListingListed})
	if err != nil {
		return nil, err
	}
	out := []xinyong.PublicListingView{}
	for _, l := range ls {
		v, ok, err := p.publicListing(l, subj)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, v)
		}
	}
	slices.SortStableFunc(out, func(a, b xinyong.PublicListingView) int { return b.ListedOn.Days() - a.ListedOn.Days() })
	return out, nil
}

// ListTypeOption is a published list type on the list page.
type ListTypeOption struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// SeriousListPage is one page of the public serious-dishonesty lists.
type SeriousListPage struct {
	Type     string                      `json:"type,omitempty"` // "" for every published list type
	TypeName string                      `json:"type_name,omitempty"`
	Types    []ListTypeOption            `json:"types"`
	On       xinyong.Date                `json:"on"`
	Total    int                         `json:"total"`
	Page     int                         `json:"page"`
	Pages    int                         `json:"pages"`
	Listings []xinyong.PublicListingView `json:"listings"`
}

// PublicSeriousList returns a page of the published serious-dishonesty
// listings in force today, of one published list type (typ) or of all
// ("" ). An unknown or unpublished list type is "not found".
func (s *Service) PublicSeriousList(ctx context.Context, typ string, page int) (SeriousListPage, error) {
	typ = strings.TrimSpace(typ)
	out := SeriousListPage{Type: typ, Page: page, Types: []ListTypeOption{}, Listings: []xinyong.PublicListingView{}}
	if page < 1 || (page-1)*PageSize >= xinyong.MaxSearchResults {
		return out, xinyong.Invalid("bad page", xinyong.FieldError{Field: "page", Rule: "list.page", Message: "page is a number from 1 to 50"})
	}
	err := s.view(ctx, func(tx xinyong.Tx) error {
		p := portal{s: s, tx: tx, viewer: xinyong.Viewer{Kind: xinyong.ViewerPublic}, on: xinyong.DateOf(s.Now())}
		out.On = p.on
		lts, err := p.listTypes()
		if err != nil {
			return err
		}
		for _, code := range slices.Sorted(func(yield func(string) bool) {
			for c := range lts {
				if !yield(c) {
					return
				}
			}
		}) {
			if lts[code].Published {
				out.Types = append(out.Types, ListTypeOption{Code: code, Name: lts[code].Name})
			}
		}
		if typ != "" {
			lt, ok := lts[typ]
			if !ok || !lt.Published {
				return xinyong.Errorf(xinyong.ENOTFOUND, "no published serious-dishonesty list %s", typ)
			}
			out.TypeName = lt.Name
		}
		// The store pages through the listings ListingPublic would show
		// (conditions stated here: the published list types, the day, the
		// age of majority); ListingPublic still decides each one.
		types := []string{typ}
		if typ == "" {
			types = types[:0]
			for _, o := range out.Types {
				types = append(types, o.Code)
			}
		}
		ls, n, err := tx.PublicListings(xinyong.PublicListingQuery{ListTypes: types, On: p.on, AdultBornBy: xinyong.AdultBornBy(p.on),
			Offset: (page - 1) * PageSize, Limit: PageSize})
		if err != nil {
			return err
		}
		out.Total = n
		out.Pages = (min(out.Total, xinyong.MaxSearchResults) + PageSize - 1) / PageSize
		for _, sl := range ls {
			v, ok, err := p.publicListing(sl.Listing, sl.Subject)
			if err != nil {
				return err
			}
			if ok {
				out.Listings = append(out.Listings, v)
			}
		}
		return nil
	})
	return out, err
}
