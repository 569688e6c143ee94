package workflow_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"xinyong"
	"xinyong/internal/app"
	"xinyong/internal/pgtest"
	"xinyong/internal/workflow"
)

// The public serious-dishonesty list pages (PublicSeriousList) page in the
// store. These tests seed a mix of listings the public sees and listings it
// must never see, straight into the store, and hold every page against the
// domain's own answer: ListingPublic over all listings, newest listing
// first, then by id.

const (
	hiddenListType  = "HIDDEN_LIST" // stored, never published
	unknownListType = "NO_SUCH_LIST"
)

// openListingApp opens a fresh platform on db ("" for SQLite in a temporary
// directory), migrated and bootstrapped, with the clock at clk.
func openListingApp(tb testing.TB, clk *clock, db string) *app.App {
	tb.Helper()
	a, _ := openAppIn(tb, clk, tb.TempDir(), db)
	return a
}

// listingWorld is what seedListings wrote.
type listingWorld struct {
	lts      map[string]xinyong.ListType
	subjects map[string]xinyong.Subject
	listings []xinyong.Listing
	dept     xinyong.Department
}

// seedListings writes n listings on the day on. With mixed, about a third
// are of kinds the public never sees: removed, decided but not listed,
// unpublished, of an unpublished or unknown list type, without a decision
// document, not yet or no longer in force, about a minor. Many share a
// listing day (the id orders them); ids are not in insertion order.
func seedListings(tb testing.TB, svc *workflow.Service, on xinyong.Date, n int, mixed bool) listingWorld {
	tb.Helper()
	ctx := context.Background()
	w := listingWorld{lts: map[string]xinyong.ListType{}, subjects: map[string]xinyong.Subject{}}
	dept, err := svc.CreateDepartment(ctx, xinyong.System, workflow.DepartmentInput{Code: uscc(tb, "11620100MB0001AA"), Name: "兰州市市场监督管理局", Provides: []string{"XZCF"}})
	if err != nil {
		tb.Fatal(err)
	}
	w.dept = dept
	rng := rand.New(rand.NewPCG(6, uint64(n)))
	perm := rng.Perm(n)
	// Persons' 18th birthdays around on: born on this day, a person is an
	// adult on on; born a day later, a minor.
	adultBy := xinyong.Date{Year: on.Year - 18, Month: on.Month, Day: on.Day}
	err = svc.Store.Update(ctx, func(tx xinyong.Tx) error {
		lts, err := tx.ListTypes()
		if err != nil {
			return err
		}
		for _, lt := range lts {
			w.lts[lt.Code] = lt
		}
		hidden := w.lts["SAMR_SERIOUS"]
		hidden.Code, hidden.Name, hidden.Published = hiddenListType, "不公开的名单", false
		if err := tx.PutListType(hidden); err != nil {
			return err
		}
		w.lts[hidden.Code] = hidden
		published := []string{}
		for _, c := range slices.Sorted(func(yield func(string) bool) {
			for c := range w.lts {
				if !yield(c) {
					return
				}
			}
		}) {
			if w.lts[c].Published {
				published = append(published, c)
			}
		}
		at := on.Start().UTC()
		for i := range n {
			id := fmt.Sprintf("L%06d", perm[i])
			subj := xinyong.Subject{ID: fmt.Sprintf("S%06d", i), Kind: xinyong.KindEnterprise, Name: fmt.Sprintf("兰州某某%05d商贸有限公司", i), CreatedAt: at}
			subj.Code = fmt.Sprintf("91620100MA%08d", i)
			person := mixed && i%5 == 0
			if person {
				subj.Kind, subj.Name = xinyong.KindPerson, fmt.Sprintf("王%s国", string(rune('一'+i%1000)))
				subj.Code = fmt.Sprintf("620102%08d%04d", 19800101+i%20, i%10000)
				switch i % 20 {
				case 0:
					subj.Birth = adultBy // 18 today: shown
				case 5:
					subj.Birth = adultBy.AddDays(1) // 18 tomorrow: a minor, never shown
				case 10:
					subj.Birth = on.AddDays(-400) // a minor
				default:
					subj.Birth = xinyong.Date{Year: 1980 + i%20, Month: time.Month(1 + i%12), Day: 1 + i%28}
				}
				if i%40 == 15 {
					subj.Birth = xinyong.Date{} // unknown birth: not a minor
				}
			}
			subj.Key = "key-" + subj.ID // person codes repeat past 10,000
			if err := tx.PutSubject(subj); err != nil {
				return err
			}
			w.subjects[subj.ID] = subj
			listed := on.AddDays(-rng.IntN(60)) // many share a day
			lt := w.lts[published[i%len(published)]]
			l := xinyong.Listing{ID: id, ListType: lt.Code, SubjectID: subj.ID, DepartmentID: dept.ID, State: xinyong.ListingListed, Version: 6,
				Reasons: subj.Name + "严重违法失信", Basis: "《市场监督管理严重违法失信名单管理办法》第二条", ProposedBy: "account:a1", ProposedAt: at, UpdatedAt: at, UpdatedBy: "account:a1",
				Decision: &xinyong.ListingDecision{Number: fmt.Sprintf("兰市监认〔2026〕%06d号", perm[i]), Date: listed, Reason: subj.Name + "严重违法", Basis: "认定依据：当事人" + subj.Name, PeriodMonths: lt.PeriodMonths},
				ListedOn: listed, Published: true}
			if lt.PeriodMonths > 0 {
				l.EndDate = listed.AddMonths(lt.PeriodMonths)
			}
			if mixed {
				switch i % 13 {
				case 1:
					l.State, l.Removal = xinyong.ListingRemoved, &xinyong.ListingRemoval{Date: on, Reason: xinyong.RemovalRevoked, By: "account:a1"}
				case 2:
					l.State, l.ListedOn, l.EndDate, l.Published = xinyong.ListingDecided, xinyong.Date{}, xinyong.Date{}, false
				case 3:
					l.Published = false
				case 4:
					l.ListType = hiddenListType
				case 5:
					l.ListType = unknownListType
				case 6:
					l.Decision = nil
				case 7:
					l.ListedOn = on.AddDays(1 + i%3) // not yet in force
				case 8:
					l.EndDate = on // ends today: no longer in force
				case 9:
					l.EndDate = on.AddDays(-(i % 30)) // ended
				case 10:
					l.EndDate = xinyong.Date{} // until removed
				case 11:
					l.EndDate = on.AddDays(1) // last day in force
				case 12:
					if i%2 == 0 {
						l.ListedOn = xinyong.Date{} // no listing day: in force, listed last
					}
				}
			}
			if err := tx.InsertListing(l); err != nil {
				return err
			}
			w.listings = append(w.listings, l)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

// want is the domain's answer: the decision numbers of the listings of typ
// ("" for all) the public sees on on, in page order.
func (w listingWorld) want(typ string, on xinyong.Date) []string {
	var ls []xinyong.Listing
	for _, l := range w.listings {
		lt, ok := w.lts[l.ListType]
		if (typ == "" || l.ListType == typ) && ok && xinyong.ListingPublic(l, lt, w.subjects[l.SubjectID], on) {
			ls = append(ls, l)
		}
	}
	slices.SortFunc(ls, func(a, b xinyong.Listing) int {
		if d := b.ListedOn.Days() - a.ListedOn.Days(); d != 0 {
			return d
		}
		return strings.Compare(a.ID, b.ID)
	})
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Decision.Number
	}
	return out
}

// TestPublicSeriousListPages: every page of the list, of all list types
// and of each, holds exactly the listings the domain shows, in order, with
// the right total and page count; nothing hidden is on any page; persons
// are masked.
func TestPublicSeriousListPages(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			t.Parallel()
			dsn := ""
			if db == "postgres" {
				dsn = pgtest.DSN(t)
			}
			clk := &clock{now: day("2026-06-01")}
			on := xinyong.MustDate("2026-06-01")
			a := openListingApp(t, clk, dsn)
			w := seedListings(t, a.Service, on, 260, true)
			ctx := context.Background()
			hiddenNumbers, shown := map[string]bool{}, w.want("", on)
			for _, l := range w.listings {
				if l.Decision != nil && !slices.Contains(shown, l.Decision.Number) {
					hiddenNumbers[l.Decision.Number] = true
				}
			}
			if len(hiddenNumbers) < 60 {
				t.Fatalf("the fixture hides only %d listings", len(hiddenNumbers))
			}
			for _, typ := range []string{"", "SAMR_SERIOUS", "SPC_DEFAULTER", "MCA_SOCIAL_ORG"} {
				want := w.want(typ, on)
				if typ == "" && len(want) <= 3*workflow.PageSize {
					t.Fatalf("the fixture shows only %d listings: want several pages", len(want))
				}
				var got []string
				pages := (len(want) + workflow.PageSize - 1) / workflow.PageSize
				for page := 1; page <= pages+1; page++ {
					p, err := a.Service.PublicSeriousList(ctx, typ, page)
					if err != nil {
						t.Fatalf("type %q page %d: %v", typ, page, err)
					}
					if p.Total != len(want) || p.Pages != pages || p.Page != page || p.Type != typ || p.On != on {
						t.Errorf("type %q page %d: total %d pages %d page %d type %q on %s, want %d %d", typ, page, p.Total, p.Pages, p.Page, p.Type, p.On, len(want), pages)
					}
					if typ != "" && p.TypeName != w.lts[typ].Name {
						t.Errorf("type %q: type name %q", typ, p.TypeName)
					}
					if page <= pages && len(p.Listings) != min(workflow.PageSize, len(want)-(page-1)*workflow.PageSize) || page > pages && len(p.Listings) != 0 {
						t.Errorf("type %q page %d has %d listings", typ, page, len(p.Listings))
					}
					if len(p.Types) != 5 || slices.ContainsFunc(p.Types, func(o workflow.ListTypeOption) bool { return o.Code == hiddenListType }) {
						t.Errorf("list type options: %+v", p.Types)
					}
					for _, v := range p.Listings {
						if hiddenNumbers[v.DecisionNumber] {
							t.Errorf("type %q page %d shows hidden listing %s", typ, page, v.DecisionNumber)
						}
						if typ != "" && v.ListType != typ {
							t.Errorf("type %q page %d shows a listing of %s", typ, page, v.ListType)
						}
						if v.SubjectKind == xinyong.KindPerson {
							subj := w.subjects[v.SubjectRef] // a person's ref is the row id
							if !v.Masked || v.SubjectName != xinyong.MaskName(subj.Name) || v.SubjectCode == subj.Code ||
								strings.Contains(v.Basis+v.Authority+v.DecisionNumber, subj.Name) {
								t.Errorf("a person shows unmasked: %+v", v)
							}
						}
						got = append(got, v.DecisionNumber)
					}
				}
				if !slices.Equal(got, want) {
					t.Errorf("type %q: the pages hold\n%v\nwant\n%v", typ, got, want)
				}
			}
			if _, err := a.Service.PublicSeriousList(ctx, hiddenListType, 1); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
				t.Errorf("the unpublished list: %v, want ENOTFOUND", err)
			}
			if _, err := a.Service.PublicSeriousList(ctx, unknownListType, 1); xinyong.ErrorCode(err) != xinyong.ENOTFOUND {
				t.Errorf("an unknown list: %v, want ENOTFOUND", err)
			}
			for _, page := range []int{0, -1, xinyong.MaxSearchResults/workflow.PageSize + 1} {
				if _, err := a.Service.PublicSeriousList(ctx, "", page); xinyong.ErrorCode(err) != xinyong.EINVALID {
					t.Errorf("page %d: %v, want EINVALID", page, err)
				}
			}

			// The next day, what came into force shows and what ended does not.
			clk.Set(day("2026-06-02"))
			next := xinyong.MustDate("2026-06-02")
			want := w.want("", next)
			if slices.Equal(want, w.want("", on)) {
				t.Fatal("the fixture does not change from one day to the next")
			}
			var got []string
			for page := 1; len(got) < len(want); page++ {
				p, err := a.Service.PublicSeriousList(ctx, "", page)
				if err != nil || len(p.Listings) == 0 {
					t.Fatalf("next day page %d: %v (%d listings)", page, err, len(p.Listings))
				}
				for _, v := range p.Listings {
					got = append(got, v.DecisionNumber)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("next day: the pages hold\n%v\nwant\n%v", got, want)
			}
		})
	}
}

// TestPublicSeriousListCap: past MaxSearchResults the list counts every
// listing but pages only to MaxSearchResults (as before).
func TestPublicSeriousListCap(t *testing.T) {
	clk := &clock{now: day("2026-06-01")}
	on := xinyong.MustDate("2026-06-01")
	a := openListingApp(t, clk, "")
	w := seedListings(t, a.Service, on, xinyong.MaxSearchResults+30, false)
	want := w.want("", on)
	last := xinyong.MaxSearchResults / workflow.PageSize
	p, err := a.Service.PublicSeriousList(context.Background(), "", last)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != len(want) || p.Pages != last || len(p.Listings) != workflow.PageSize {
		t.Fatalf("last page: total %d pages %d listings %d, want %d %d %d", p.Total, p.Pages, len(p.Listings), len(want), last, workflow.PageSize)
	}
	for i, v := range p.Listings {
		if v.DecisionNumber != want[(last-1)*workflow.PageSize+i] {
			t.Errorf("last page listing %d: %s, want %s", i, v.DecisionNumber, want[(last-1)*workflow.PageSize+i])
		}
	}
}

// BenchmarkPublicSeriousList reads pages of the list among 50,000 listings
// (XINYONG_BENCH_POSTGRES=1 with XINYONG_TEST_POSTGRES set: on PostgreSQL).
func BenchmarkPublicSeriousList(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			dsn := ""
			if db == "postgres" {
				dsn = pgtest.DSN(b)
			}
			clk := &clock{now: day("2026-06-01")}
			on := xinyong.MustDate("2026-06-01")
			a := openListingApp(b, clk, dsn)
			seedListings(b, a.Service, on, 50000, true)
			ctx := context.Background()
			for _, c := range []struct {
				name string
				typ  string
				page int
			}{{"all/page1", "", 1}, {"all/page50", "", 50}, {"SAMR_SERIOUS/page1", "SAMR_SERIOUS", 1}} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						p, err := a.Service.PublicSeriousList(ctx, c.typ, c.page)
						if err != nil || len(p.Listings) != workflow.PageSize {
							b.Fatalf("%v (%d listings)", err, len(p.Listings))
						}
					}
				})
			}
		})
	}
}
