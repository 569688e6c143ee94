package sqlite_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"xinyong"

	"xinyong/internal/storetest"
)

// TestSearchBackfill: subjects stored before migration 0002 are indexed by it.
func TestSearchBackfill(t *testing.T) { storetest.SearchBackfill(t, open(t)) }

// TestSearchRankedBeyondTheCap: SQLite's index holds the ranking
// (migration 0014), so the shortest name is on the first page even when
// more than the capped 1,001 longer names match before it; the count stays
// capped, persons stay out of the public's search, and a rename moves a
// subject to its new rank.
func TestSearchRankedBeyondTheCap(t *testing.T) {
	db := open(t)
	ctx := t.Context()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var ss []xinyong.Subject
	for i := range xinyong.MaxSearchResults + 50 {
		id := fmt.Sprintf("a%05d", i)
		ss = append(ss, xinyong.Subject{ID: id, Key: "K" + id, Code: "C" + id, Kind: xinyong.KindEnterprise, Name: fmt.Sprintf("兰州商贸公司第%05d分店", i), CreatedAt: time.Unix(0, 0)})
	}
	short := xinyong.Subject{ID: "z-short", Key: "Kshort", Code: "Cshort", Kind: xinyong.KindEnterprise, Name: "商贸公司甲", CreatedAt: time.Unix(0, 0)}
	person := xinyong.Subject{ID: "z-person", Key: "Kperson", Code: "Cperson", Kind: xinyong.KindPerson, Name: "商贸公司", CreatedAt: time.Unix(0, 0)}
	ss = append(ss, short, person)
	if err := db.Update(ctx, func(tx xinyong.Tx) error {
		if err := tx.InsertSubjects(ss); err != nil {
			return err
		}
		return tx.IndexSubjects(ss)
	}); err != nil {
		t.Fatal(err)
	}
	orgs := xinyong.SearchKinds(xinyong.Viewer{Kind: xinyong.ViewerPublic})
	search := func(q xinyong.SearchQuery) ([]string, int) {
		t.Helper()
		var ids []string
		var n int
		if err := db.View(ctx, func(tx xinyong.Tx) error {
			page, total, err := tx.SearchSubjects(q)
			for _, s := range page {
				ids = append(ids, s.ID)
			}
			n = total
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return ids, n
	}
	for _, text := range []string{"公司", "商贸公司"} { // bigram, trigram
		ids, n := search(xinyong.SearchQuery{Text: text, Kinds: orgs, Limit: 20})
		if len(ids) != 20 || ids[0] != "z-short" || ids[1] != "a00000" || n != xinyong.MaxSearchResults+1 || slices.Contains(ids, "z-person") {
			t.Errorf("public search %q: %v (count %d); want z-short first, then a00000…, no person, count %d", text, ids[:min(3, len(ids))], n, xinyong.MaxSearchResults+1)
		}
		if ids, _ := search(xinyong.SearchQuery{Text: text, Limit: 20}); len(ids) < 2 || ids[0] != "z-person" || ids[1] != "z-short" {
			t.Errorf("search %q over every kind: %v; want the person (shortest) first", text, ids[:min(3, len(ids))])
		}
		// The last full page of the capped results, the page the cap cuts,
		// and one past it: the results end where the count does.
		for _, tt := range []struct{ offset, want int }{
			{(xinyong.MaxSearchResults/20 - 1) * 20, 20},
			{xinyong.MaxSearchResults - 9, 10},
			{xinyong.MaxSearchResults + 20, 0},
		} {
			if ids, n := search(xinyong.SearchQuery{Text: text, Kinds: orgs, Limit: 20, Offset: tt.offset}); len(ids) != tt.want || n != xinyong.MaxSearchResults+1 {
				t.Errorf("search %q at offset %d: %d results, count %d; want %d, count %d", text, tt.offset, len(ids), n, tt.want, xinyong.MaxSearchResults+1)
			}
		}
	}
	// A rename to a long name moves the subject down the ranking.
	short.Name = "兰州商贸公司第99999分店"
	if err := db.Update(ctx, func(tx xinyong.Tx) error {
		if err := tx.PutSubject(short); err != nil {
			return err
		}
		return tx.IndexSubjects([]xinyong.Subject{short})
	}); err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{"公司", "商贸公司"} {
		if ids, _ := search(xinyong.SearchQuery{Text: text, Kinds: orgs, Limit: 20}); len(ids) == 0 || ids[0] != "a00000" || slices.Contains(ids, "z-short") {
			t.Errorf("after the rename, search %q: %v", text, ids[:min(3, len(ids))])
		}
		if ids, _ := search(xinyong.SearchQuery{Text: "99999", Kinds: orgs, Limit: 20}); !slices.Equal(ids, []string{"z-short"}) {
			t.Errorf("after the rename, search 99999: %v", ids)
		}
	}
}

// TestSearchRankedTies: names of equal length are ordered by id on the
// bigram path and by indexing order on the trigram path (doc/design.md);
// either way each appears once across the pages.
func TestSearchRankedTies(t *testing.T) {
	db := open(t)
	ctx := t.Context()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	// Indexed in the reverse of id order, in two transactions.
	var ss []xinyong.Subject
	for i := 29; i >= 0; i-- {
		id := fmt.Sprintf("t%02d", i)
		ss = append(ss, xinyong.Subject{ID: id, Key: "K" + id, Code: "C" + id, Kind: xinyong.KindEnterprise, Name: fmt.Sprintf("平凉同长商行%02d", i), CreatedAt: time.Unix(0, 0)})
	}
	for _, part := range [][]xinyong.Subject{ss[:15], ss[15:]} {
		if err := db.Update(ctx, func(tx xinyong.Tx) error {
			if err := tx.InsertSubjects(part); err != nil {
				return err
			}
			return tx.IndexSubjects(part)
		}); err != nil {
			t.Fatal(err)
		}
	}
	pages := func(text string) []string {
		t.Helper()
		var ids []string
		for off := 0; off < 40; off += 20 {
			if err := db.View(ctx, func(tx xinyong.Tx) error {
				page, n, err := tx.SearchSubjects(xinyong.SearchQuery{Text: text, Limit: 20, Offset: off})
				if n != 30 {
					t.Errorf("search %q at offset %d: count %d, want 30", text, off, n)
				}
				for _, s := range page {
					ids = append(ids, s.ID)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		return ids
	}
	var byID, byIndexing []string
	for _, s := range ss {
		byIndexing = append(byIndexing, s.ID)
	}
	byID = slices.Sorted(slices.Values(byIndexing))
	if got := pages("同长"); !slices.Equal(got, byID) {
		t.Errorf("bigram ties: %v, want by id %v", got, byID)
	}
	if got := pages("同长商行"); !slices.Equal(got, byIndexing) {
		t.Errorf("trigram ties: %v, want in indexing order %v", got, byIndexing)
	}
}
