package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pressly/goose/v3"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// searchNames are the subjects of the search tests: Chinese names sharing
// substrings of 1 to 4 characters, Latin letters in both cases, and
// characters that mean something to SQL, LIKE or FTS5.
var searchNames = map[string]string{
	"n1": "甘肃鞋铁荣智商贸合作社",
	"n2": "兰州鞋业有限公司",
	"n3": "甘肃玉基商贸有限公司",
	"n4": "ABC科技有限公司",
	"n5": "百分之百100%_公司",
	"n6": `引号"星号*括号(NEAR)商行`,
	"n7": "鞋",
	"n8": "天水荣智鞋铁商店",
}

func searchSubjects() []xinyong.Subject {
	var ss []xinyong.Subject
	for _, id := range slices.Sorted(func(yield func(string) bool) {
		for k := range searchNames {
			if !yield(k) {
				return
			}
		}
	}) {
		s := subject(id, "KEY-"+id)
		s.Name = searchNames[id]
		ss = append(ss, s)
	}
	return ss
}

// search runs a name search and returns the ids found and the count.
func (e *env) search(q xinyong.SearchQuery) ([]string, int) {
	e.t.Helper()
	var ids []string
	var n int
	e.view(func(tx xinyong.Tx) {
		ss, total, err := tx.SearchSubjects(q)
		ok(e.t, err, fmt.Sprintf("SearchSubjects(%q)", q.Text))
		for _, s := range ss {
			ids = append(ids, s.ID)
		}
		n = total
	})
	slices.Sort(ids)
	return ids, n
}

// testSearch: names are found by substrings of every length, whatever the
// path (LIKE, bigram, trigram), and only by substrings.
func testSearch(e *env) {
	t := e.t
	e.update(func(tx xinyong.Tx) {
		ss := searchSubjects()
		ok(t, tx.InsertSubjects(ss), "InsertSubjects")
		ok(t, tx.IndexSubjects(ss), "IndexSubjects")
		ok(t, tx.IndexSubjects(ss[:2]), "IndexSubjects again (nothing changed)")
	})
	tests := []struct {
		q    string
		want []string
	}{
		{"鞋", []string{"n1", "n2", "n7", "n8"}},            // 1 character: LIKE
		{"甘肃", []string{"n1", "n3"}},                       // 2: bigram
		{"鞋铁", []string{"n1", "n8"}},                       // 2, inside the name
		{"荣智", []string{"n1", "n8"}},                       // 2
		{"商贸", []string{"n1", "n3"}},                       // 2
		{"铁荣", []string{"n1"}},                             // 2, once
		{"鞋铁荣", []string{"n1"}},                            // 3: trigram
		{"荣智商贸", []string{"n1"}},                           // 4
		{"有限公司", []string{"n2", "n3", "n4"}},               // 4, common
		{"甘肃鞋铁荣智商贸合作社", []string{"n1"}},                    // the whole name
		{"甘肃鞋铁荣智商贸合作社!", nil},                              // longer than the name
		{"鞋荣", nil},                                        // characters of the name, not a substring
		{"肃甘", nil},                                        // reversed
		{"abc", []string{"n4"}},                            // ASCII folded, 3
		{"Bc", []string{"n4"}},                             // 2
		{"a", []string{"n4", "n6"}},                        // 1 (NEAR has an A)
		{"%", []string{"n5"}},                              // a LIKE wildcard is a character
		{"_", []string{"n5"}},                              // likewise
		{"0%_", []string{"n5"}},                            // 3, trigram path
		{"%_", []string{"n5"}},                             // 2, bigram path
		{`\`, nil},                                         // the escape character
		{`"星号*`, []string{"n6"}},                           // FTS5 quote and star
		{`号(NEAR)`, []string{"n6"}},                        // FTS5 operator
		{`"`, []string{"n6"}},                              // a lone quote
		{`*`, []string{"n6"}},                              // a lone star
		{"'; DROP TABLE subject; --", nil},                 // SQL is text
		{`" OR "`, nil},                                    // FTS5 OR inside a phrase
		{"NEAR", []string{"n6"}},                           // an FTS5 keyword is text
		{"'", nil},                                         // a lone apostrophe
		{strings.Repeat("鞋", xinyong.MaxSearchQuery), nil}, // the longest query
	}
	for _, tt := range tests {
		got, n := e.search(xinyong.SearchQuery{Text: tt.q})
		if !slices.Equal(got, tt.want) || n != len(tt.want) {
			t.Errorf("search %q (%s): found %v (count %d), want %v", tt.q, xinyong.SearchMode(tt.q), got, n, tt.want)
		}
	}
	// The table is still there after the SQL-looking queries.
	e.view(func(tx xinyong.Tx) {
		_, err := tx.Subject("n1")
		ok(t, err, "subject after hostile searches")
	})
	// Kinds restrict the search.
	e.update(func(tx xinyong.Tx) {
		p := subject("p1", "P:hash")
		p.Kind, p.Name, p.Code = xinyong.KindPerson, "甘肃张三", "620102********1237"
		ok(t, tx.PutSubject(p), "PutSubject person")
		ok(t, tx.IndexSubjects([]xinyong.Subject{p}), "IndexSubjects person")
	})
	orgs := []xinyong.SubjectKind{xinyong.KindEnterprise, xinyong.KindOrganisation, xinyong.KindIndividualBusiness}
	for _, q := range []string{"甘", "甘肃", "甘肃张", "张三"} {
		all, _ := e.search(xinyong.SearchQuery{Text: q})
		some, n := e.search(xinyong.SearchQuery{Text: q, Kinds: orgs})
		if !slices.Contains(all, "p1") || slices.Contains(some, "p1") || n != len(some) {
			t.Errorf("search %q: all kinds %v, organisations only %v (count %d)", q, all, some, n)
		}
	}
	// Order: shortest names first (the closest matches), then id, on the
	// trigram and the bigram path, with and without a kind filter (a
	// person whose name holds the text is left out by the filter).
	p2 := subject("p2", "P:hash2")
	p2.Kind, p2.Name, p2.Code = xinyong.KindPerson, "有限公司张", "620102********1245"
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(p2), "PutSubject person")
		ok(t, tx.IndexSubjects([]xinyong.Subject{p2}), "IndexSubjects person")
	})
	for _, q := range []xinyong.SearchQuery{{Text: "有限公司"}, {Text: "公司"}, {Text: "有限公司", Kinds: orgs}, {Text: "公司", Kinds: orgs}} {
		e.view(func(tx xinyong.Tx) {
			ss, _, err := tx.SearchSubjects(q)
			ok(t, err, "SearchSubjects")
			var names, want []string
			for _, s := range ss {
				names = append(names, s.Name)
			}
			all := append(searchSubjects(), p2)
			if len(q.Kinds) > 0 {
				all = slices.DeleteFunc(all, func(s xinyong.Subject) bool { return !slices.Contains(q.Kinds, s.Kind) })
			}
			slices.SortFunc(all, func(a, b xinyong.Subject) int {
				return cmp.Or(cmp.Compare(utf8.RuneCountInString(a.Name), utf8.RuneCountInString(b.Name)), cmp.Compare(a.ID, b.ID))
			})
			for _, s := range all {
				if strings.Contains(s.Name, q.Text) {
					want = append(want, s.Name)
				}
			}
			equal(t, "order of "+q.Text, names, want)
		})
	}
	// PersonsOf keeps, of the natural persons, those the department holds
	// a record of (an officer's search), on every path, and counts only
	// them.
	dept, _ := e.seed()
	d2 := department("d2", "11110000000000002B")
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(d2), "CreateDepartment d2")
		r := record("pr1", dept.ID, "p1", "P-1")
		r.SubjectKind = xinyong.KindPerson
		ok(t, tx.InsertRecord(r), "InsertRecord of p1")
	})
	for _, q := range []string{"甘", "甘肃", "甘肃张", "张三"} {
		mine, n := e.search(xinyong.SearchQuery{Text: q, PersonsOf: dept.ID})
		theirs, m := e.search(xinyong.SearchQuery{Text: q, PersonsOf: d2.ID})
		if !slices.Contains(mine, "p1") || slices.Contains(theirs, "p1") || n != len(mine) || m != len(theirs) || n != m+1 {
			t.Errorf("search %q: persons of the recording department %v (count %d), of another %v (count %d)", q, mine, n, theirs, m)
		}
	}
	// Once its only record is deleted by credit repair, the person is
	// nobody's to find, and is not counted.
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.SetRecordRepair("pr1", "rep-1", xinyong.RepairDeleted), "SetRecordRepair")
	})
	for _, q := range []string{"甘", "甘肃", "甘肃张", "张三"} {
		mine, n := e.search(xinyong.SearchQuery{Text: q, PersonsOf: dept.ID})
		_, m := e.search(xinyong.SearchQuery{Text: q, PersonsOf: d2.ID})
		if slices.Contains(mine, "p1") || n != m || n != len(mine) {
			t.Errorf("search %q after repair by deletion: persons of the recording department %v (count %d), of another (count %d)", q, mine, n, m)
		}
	}
}

// testSearchRename: a renamed subject is found by its new name only.
func testSearchRename(e *env) {
	t := e.t
	s := subject("r1", "KEY-r1")
	s.Name = "兰州鞋业有限公司"
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(s), "PutSubject")
		ok(t, tx.IndexSubjects([]xinyong.Subject{s}), "IndexSubjects")
	})
	s.Name = "天水玉基商贸有限公司"
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(s), "PutSubject renamed")
		ok(t, tx.IndexSubjects([]xinyong.Subject{s}), "IndexSubjects renamed")
	})
	for q, want := range map[string]int{"鞋": 0, "鞋业": 0, "兰州鞋业": 0, "玉": 1, "玉基": 1, "玉基商贸": 1, "有限公司": 1} {
		if got, n := e.search(xinyong.SearchQuery{Text: q}); len(got) != want || n != want {
			t.Errorf("after rename, search %q found %v (count %d), want %d", q, got, n, want)
		}
	}
	// A rollback leaves the index as it was.
	err := e.s.Update(e.ctx, func(tx xinyong.Tx) error {
		s.Name = "临时名称"
		if err := tx.PutSubject(s); err != nil {
			return err
		}
		if err := tx.IndexSubjects([]xinyong.Subject{s}); err != nil {
			return err
		}
		return errStop
	})
	if err != errStop {
		t.Fatalf("Update: %v", err)
	}
	if got, _ := e.search(xinyong.SearchQuery{Text: "临时名称"}); len(got) != 0 {
		t.Errorf("a rolled-back rename is in the index: %v", got)
	}
	if got, _ := e.search(xinyong.SearchQuery{Text: "玉基商贸"}); len(got) != 1 {
		t.Errorf("the name before the rolled-back rename is gone: %v", got)
	}
}

// testSearchPages: pages, offsets and the count's cap over a bulk-indexed
// set larger than MaxSearchResults.
func testSearchPages(e *env) {
	t := e.t
	n := xinyong.MaxSearchResults + 20
	var ss []xinyong.Subject
	for i := range n {
		s := subject(fmt.Sprintf("b%05d", i), fmt.Sprintf("KEY-%05d", i))
		s.Name = fmt.Sprintf("甘肃商贸%05d有限公司", i)
		ss = append(ss, s)
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.InsertSubjects(ss), "InsertSubjects")
		ok(t, tx.IndexSubjects(ss), "IndexSubjects")
	})
	for _, q := range []string{"甘", "商贸", "有限公司", "0001", "001"} {
		want := 0
		for _, s := range ss {
			if strings.Contains(s.Name, q) {
				want++
			}
		}
		want = min(want, xinyong.MaxSearchResults+1)
		seen := map[string]bool{}
		var total int
		for off := 0; off < 60; off += 20 {
			e.view(func(tx xinyong.Tx) {
				page, cnt, err := tx.SearchSubjects(xinyong.SearchQuery{Text: q, Offset: off, Limit: 20})
				ok(t, err, "SearchSubjects page")
				total = cnt
				for _, s := range page {
					if seen[s.ID] {
						t.Errorf("search %q: %s on two pages", q, s.ID)
					}
					seen[s.ID] = true
				}
			})
		}
		if total != want || len(seen) != min(want, 60) {
			t.Errorf("search %q: count %d (want %d), %d distinct over three pages", q, total, want, len(seen))
		}
	}
}

// testPublishedRecords: the list pages' query keeps active records of the
// kind whose window is open on the day, filtered by department and dates.
func testPublishedRecords(e *env) {
	t := e.t
	dept, subj := e.seed()
	d2 := department("d2", "11110000000000002B")
	mk := func(id, deptID, kind string, decision string, win xinyong.Window) xinyong.Record {
		r := record(id, deptID, subj.ID, "号"+id)
		r.Kind, r.Document.DecisionDate, r.Window = kind, xinyong.MustDate(decision), win
		return r
	}
	open := func(from string, months int) xinyong.Window {
		d := xinyong.MustDate(from)
		w := xinyong.Window{Published: true, Start: d}
		if months > 0 {
			w.MaxEnd = d.AddMonths(months)
		}
		return w
	}
	recs := []xinyong.Record{
		mk("a", dept.ID, "penalty", "2026-01-05", open("2026-01-05", 12)),
		mk("b", dept.ID, "penalty", "2026-02-05", open("2026-02-05", 12)),
		mk("c", "d2", "penalty", "2026-03-05", open("2026-03-05", 12)),
		mk("d", dept.ID, "penalty", "2024-01-05", open("2024-01-05", 12)), // ended
		mk("e", dept.ID, "penalty", "2026-01-06", xinyong.Window{}),       // never published
		mk("f", dept.ID, "license", "2020-01-06", open("2020-01-06", 0)),  // a licence: no end
		mk("g", dept.ID, "penalty", "2026-01-07", open("2026-01-07", 12)), // withdrawn below
		mk("h", dept.ID, "penalty", "2026-07-01", open("2026-07-01", 12)), // after the day
	}
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.CreateDepartment(d2), "CreateDepartment")
		for _, r := range recs {
			ok(t, tx.InsertRecord(r), "InsertRecord")
		}
		g := recs[6]
		g.Version, g.Status, g.Window.Published = 2, xinyong.RecordWithdrawn, false
		ok(t, tx.UpdateRecord(g), "UpdateRecord withdrawn")
	})
	on := xinyong.MustDate("2026-06-01")
	ids := func(f xinyong.PublishedFilter) ([]string, int) {
		var out []string
		var n int
		e.view(func(tx xinyong.Tx) {
			rs, cnt, err := tx.PublishedRecords(f)
			ok(t, err, "PublishedRecords")
			for _, r := range rs {
				out = append(out, r.ID)
			}
			n = cnt
		})
		return out, n
	}
	tests := []struct {
		name string
		f    xinyong.PublishedFilter
		want []string
	}{
		{"penalties open on the day, newest first", xinyong.PublishedFilter{Kind: "penalty", On: on}, []string{"c", "b", "a"}},
		{"one department", xinyong.PublishedFilter{Kind: "penalty", On: on, DepartmentID: dept.ID}, []string{"b", "a"}},
		{"decision dates", xinyong.PublishedFilter{Kind: "penalty", On: on, From: xinyong.MustDate("2026-02-05"), To: xinyong.MustDate("2026-03-04")}, []string{"b"}},
		{"licences without an end", xinyong.PublishedFilter{Kind: "license", On: on}, []string{"f"}},
		{"a page", xinyong.PublishedFilter{Kind: "penalty", On: on, Offset: 1, Limit: 1}, []string{"b"}},
		{"past the end", xinyong.PublishedFilter{Kind: "penalty", On: on, Offset: 5}, nil},
	}
	for _, tt := range tests {
		got, n := ids(tt.f)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
		if tt.f.Offset == 0 && n != len(tt.want) {
			t.Errorf("%s: count %d, want %d", tt.name, n, len(tt.want))
		}
	}
	// The public's view: only items disclosed to the public, and a natural
	// person's record only under an item covering persons and never a
	// minor's (under 18 on the decision date, or flagged as one).
	person := func(id, birth string) xinyong.Subject {
		s := subject(id, "P:"+id)
		s.Kind, s.Birth = xinyong.KindPerson, xinyong.MustDate(birth)
		return s
	}
	adult, minor, flagged := person("pa", "1990-01-01"), person("pm", "2010-03-01"), person("pf", "2008-01-01")
	byPerson := func(id string, s xinyong.Subject, decision string) xinyong.Record {
		r := mk(id, dept.ID, "penalty", decision, open(decision, 12))
		r.SubjectID, r.SubjectKind = s.ID, xinyong.KindPerson
		return r
	}
	flag := byPerson("p3", flagged, "2026-02-15") // 18 on the day, flagged as a minor's conduct
	flag.Leniency = xinyong.Leniency{Minor: true, Reason: "行为时未成年"}
	other := mk("o1", dept.ID, "penalty", "2026-02-20", open("2026-02-20", 12))
	other.Item = "CF02" // not disclosed to the public
	e.update(func(tx xinyong.Tx) {
		for _, s := range []xinyong.Subject{adult, minor, flagged} {
			ok(t, tx.PutSubject(s), "PutSubject "+s.ID)
		}
		for _, r := range []xinyong.Record{byPerson("p1", adult, "2026-02-10"), byPerson("p2", minor, "2026-02-11"), flag, other} {
			ok(t, tx.InsertRecord(r), "InsertRecord "+r.ID)
		}
	})
	for _, tt := range []struct {
		name string
		f    xinyong.PublishedFilter
		want []string
	}{
		{"public: persons' records under an item covering them, no minor's", xinyong.PublishedFilter{Kind: "penalty", On: on, Public: true, Items: []string{"CF01"}, PersonItems: []string{"CF01"}}, []string{"c", "p1", "b", "a"}},
		{"public: no item covering persons", xinyong.PublishedFilter{Kind: "penalty", On: on, Public: true, Items: []string{"CF01"}}, []string{"c", "b", "a"}},
		{"public: no item disclosed", xinyong.PublishedFilter{Kind: "penalty", On: on, Public: true}, nil},
		{"not the public: everything published", xinyong.PublishedFilter{Kind: "penalty", On: on}, []string{"c", "o1", "p3", "p2", "p1", "b", "a"}},
	} {
		got, n := ids(tt.f)
		if !slices.Equal(got, tt.want) || n != len(tt.want) {
			t.Errorf("%s: %v (count %d), want %v", tt.name, got, n, tt.want)
		}
	}
}

// SearchBackfill checks migration 0002 on a store holding subjects from
// before it: after migrating, every subject is found as if it had been
// indexed by IndexSubjects. db must be fresh and unmigrated.
func SearchBackfill(t *testing.T, db *sqlstore.DB) {
	ctx := t.Context()
	p, err := goose.NewProvider(db.D.Goose, db.W, db.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatalf("migrate to 1: %v", err)
	}
	ss := searchSubjects()
	if err := db.Update(ctx, func(tx xinyong.Tx) error { return tx.InsertSubjects(ss) }); err != nil {
		t.Fatalf("InsertSubjects at version 1: %v", err)
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	e := &env{t: t, s: db, ctx: ctx}
	for _, q := range []string{"鞋", "甘肃", "鞋铁", "Bc", "%_", "鞋铁荣", "荣智商贸", "有限公司", "abc", `"星号*`, "'; DROP"} {
		var want []string
		for _, s := range ss {
			if strings.Contains(xinyong.FoldSearch(s.Name), xinyong.FoldSearch(q)) {
				want = append(want, s.ID)
			}
		}
		got, n := e.search(xinyong.SearchQuery{Text: q})
		if !slices.Equal(got, want) || n != len(want) {
			t.Errorf("after the backfill, search %q found %v (count %d), want %v", q, got, n, want)
		}
	}
	// Indexing a backfilled subject again changes nothing.
	e.update(func(tx xinyong.Tx) { ok(t, tx.IndexSubjects(ss), "IndexSubjects after the backfill") })
	if got, _ := e.search(xinyong.SearchQuery{Text: "鞋铁"}); !slices.Equal(got, []string{"n1", "n8"}) {
		t.Errorf("after re-indexing, search 鞋铁 found %v", got)
	}
	// A subject indexed by the migrations, renamed: its old name's index
	// rows go (on every path), its new name is found.
	renamed := ss[0]
	old := renamed.Name
	renamed.Name = "兰州新名称商行"
	e.update(func(tx xinyong.Tx) {
		ok(t, tx.PutSubject(renamed), "PutSubject renamed")
		ok(t, tx.IndexSubjects([]xinyong.Subject{renamed}), "IndexSubjects renamed")
	})
	for _, q := range []string{old, string([]rune(old)[:2]), string([]rune(old)[1:4])} {
		if got, _ := e.search(xinyong.SearchQuery{Text: q}); slices.Contains(got, renamed.ID) {
			t.Errorf("after the rename, search %q still finds %s: %v", q, renamed.ID, got)
		}
	}
	for _, q := range []string{"新名", "新名称", renamed.Name} {
		if got, n := e.search(xinyong.SearchQuery{Text: q}); !slices.Equal(got, []string{renamed.ID}) || n != 1 {
			t.Errorf("after the rename, search %q found %v (count %d)", q, got, n)
		}
	}
}
