package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"unicode/utf8"

	"xinyong"
	"xinyong/internal/sqlstore"
	"xinyong/internal/workflow"
)

// The search scenario (issue 4): name substrings of 2 to 6 characters and
// exact codes, as the portal searches them (workflow.Service.Search, or
// GET /api/v1/search over HTTP). Each kind of query has its own latency
// percentiles, since the targets differ: 2 characters go to the bigram
// index, 3 and more to the trigram index, and a code is an exact lookup.

// The classes of the search scenario, in the order of SearchClasses.
const (
	SearchTwo    = 0 // 2-character name substrings
	SearchLonger = 1 // 3 to 6 characters
	SearchCode   = 2 // exact codes
)

// SearchClasses names the classes of the search scenario.
var SearchClasses = []string{"2 characters", "3-6 characters", "code"}

// NamedSubject is an organisation's code and name: where search queries
// come from. Code is "" when it is not known (shown masked).
type NamedSubject struct {
	Code, Name string
}

// SearchSet holds the queries of the search scenario, by class.
type SearchSet struct {
	Two    []string // name substrings of 2 characters
	Longer []string // name substrings of 3 to 6 characters
	Codes  []string // exact codes
}

// Len returns the number of queries.
func (s SearchSet) Len() int { return len(s.Two) + len(s.Longer) + len(s.Codes) }

func (s SearchSet) class(i int) []string {
	switch i {
	case SearchTwo:
		return s.Two
	case SearchLonger:
		return s.Longer
	}
	return s.Codes
}

// searchable reports whether sub is a query that finds the name it was cut
// from: no surrounding space (the search trims it) and no mask.
func searchable(sub string) bool {
	return strings.TrimSpace(sub) == sub && !strings.ContainsAny(sub, "*＊ \u3000")
}

// NewSearchSet draws up to n queries of each class from subjects: a random
// subject, then a random substring of its name (2 characters, or 3 to 6
// where the name is long enough); codes are the subjects' own. The same
// seed gives the same set.
func NewSearchSet(subjects []NamedSubject, n int, seed uint64) SearchSet {
	var set SearchSet
	if len(subjects) == 0 || n <= 0 {
		return set
	}
	rng := rand.New(rand.NewPCG(seed, 0x5ea7c4))
	for tries := 0; tries < 8*n && (len(set.Two) < n || len(set.Longer) < n); tries++ {
		name := []rune(subjects[rng.IntN(len(subjects))].Name)
		if len(name) < 2 {
			continue
		}
		if len(set.Two) < n {
			at := rng.IntN(len(name) - 1)
			if sub := string(name[at : at+2]); searchable(sub) {
				set.Two = append(set.Two, sub)
			}
		}
		if len(set.Longer) < n && len(name) >= 3 {
			l := min(3+rng.IntN(4), len(name))
			at := rng.IntN(len(name) - l + 1)
			if sub := string(name[at : at+l]); searchable(sub) {
				set.Longer = append(set.Longer, sub)
			}
		}
	}
	for _, i := range rng.Perm(len(subjects)) {
		if len(set.Codes) >= n {
			break
		}
		if c := subjects[i].Code; utf8.RuneCountInString(c) == 18 && !strings.Contains(c, "*") {
			set.Codes = append(set.Codes, c)
		}
	}
	return set
}

// checkSearch: a name query cut from a subject's name finds at least that
// subject; a code finds exactly its subject.
func checkSearch(q string, code bool, total, hits int) error {
	switch {
	case code && hits != 1:
		return fmt.Errorf("search for the code %s: %d results, want 1", q, hits)
	case !code && (total < 1 || hits < 1):
		return fmt.Errorf("search for %q, cut from a name: nothing found", q)
	}
	return nil
}

// op makes the scenario's request: a class at random among those with
// queries, then a query of it; do runs the search.
func (s SearchSet) op(do func(ctx context.Context, q string, code bool) error) ClassOp {
	var classes []int
	for i := range SearchClasses {
		if len(s.class(i)) > 0 {
			classes = append(classes, i)
		}
	}
	return func(ctx context.Context, rng *rand.Rand) (int, error) {
		c := classes[rng.IntN(len(classes))]
		qs := s.class(c)
		return c, do(ctx, qs[rng.IntN(len(qs))], c == SearchCode)
	}
}

// SearchInProcess returns the search request as the portal's service call
// (workflow.Service.Search, first page) as actor sees it.
func SearchInProcess(svc *workflow.Service, actor xinyong.Actor, set SearchSet) (ClassOp, error) {
	if set.Len() == 0 {
		return nil, fmt.Errorf("bench: no search queries (no organisations to take names from)")
	}
	return set.op(func(ctx context.Context, q string, code bool) error {
		res, err := svc.Search(ctx, actor, q, 1)
		if err != nil {
			return err
		}
		return checkSearch(q, code, res.Total, len(res.Hits))
	}), nil
}

// SearchHTTP returns the search request over HTTP: GET /api/v1/search?q=.
func SearchHTTP(c *Client, set SearchSet) (ClassOp, error) {
	if set.Len() == 0 {
		return nil, fmt.Errorf("bench: no search queries (no organisations to take names from)")
	}
	return set.op(func(ctx context.Context, q string, code bool) error {
		var res searchAnswer
		if err := c.Get(ctx, "/api/v1/search?q="+url.QueryEscape(q), &res); err != nil {
			return err
		}
		return checkSearch(q, code, res.Total, len(res.Hits))
	}), nil
}

type searchAnswer struct {
	Total int `json:"total"`
	Hits  []struct {
		Code   string              `json:"code"`
		Name   string              `json:"name"`
		Kind   xinyong.SubjectKind `json:"kind"`
		Masked bool                `json:"masked"`
	} `json:"results"`
}

// isCitizenID reports whether code is a citizen ID number (a natural
// person's code).
func isCitizenID(code string) bool {
	_, err := xinyong.ParseCitizenID(code)
	return err == nil
}

// SearchSubjects returns organisations (never natural persons, whom the
// public does not find by name) to draw queries from, in process: those of
// codes when given (a manifest's), else up to limit subjects of the store,
// read in ten slices at random offsets of the subject table.
func SearchSubjects(ctx context.Context, svc *workflow.Service, codes []string, limit int, seed uint64) ([]NamedSubject, error) {
	var out []NamedSubject
	if len(codes) > 0 {
		err := svc.Store.View(ctx, func(tx xinyong.Tx) error {
			for _, c := range codes {
				if len(out) >= limit {
					break
				}
				if isCitizenID(c) {
					continue
				}
				s, err := tx.SubjectByKey(svc.SubjectKey(c))
				if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
					continue
				}
				if err != nil {
					return err
				}
				if s.Kind != xinyong.KindPerson {
					out = append(out, NamedSubject{Code: s.Code, Name: s.Name})
				}
			}
			return nil
		})
		return out, err
	}
	db, ok := svc.Store.(*sqlstore.DB)
	if !ok {
		return nil, fmt.Errorf("bench: cannot sample the subjects of a %T store; give --manifest", svc.Store)
	}
	const orgs = ` FROM subject WHERE kind <> 'person'`
	var n int
	if err := db.R.QueryRowContext(ctx, `SELECT count(*)`+orgs).Scan(&n); err != nil {
		return nil, err
	}
	const slices = 10
	per := max(limit/slices, 1)
	rng := rand.New(rand.NewPCG(seed, 0x5ab1e))
	seen := map[string]bool{}
	for i := 0; i < slices && len(out) < limit; i++ {
		offset := 0
		if n > per {
			offset = rng.IntN(n - per + 1)
		}
		rows, err := db.R.QueryContext(ctx, fmt.Sprintf(`SELECT code, name`+orgs+` ORDER BY id LIMIT %d OFFSET %d`, per, offset))
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var s NamedSubject
			if err := rows.Scan(&s.Code, &s.Name); err != nil {
				rows.Close()
				return nil, err
			}
			if !seen[s.Code] {
				seen[s.Code] = true
				out = append(out, s)
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if n <= per {
			break
		}
	}
	return out, nil
}

// SearchSubjectsHTTP returns organisations to draw queries from, over
// HTTP: the codes given (a manifest's) looked up with GET /api/v1/search,
// else the subjects of up to pages pages of each public 双公示 list.
func SearchSubjectsHTTP(ctx context.Context, c *Client, codes []string, limit, pages int) ([]NamedSubject, error) {
	var out []NamedSubject
	seen := map[string]bool{}
	// The public view masks an all-digit code as it would an ID number:
	// such a subject gives its name but no code query.
	add := func(code, name string, kind xinyong.SubjectKind, masked bool) {
		if kind == xinyong.KindPerson || masked || name == "" || seen[code+"|"+name] || len(out) >= limit {
			return
		}
		seen[code+"|"+name] = true
		if strings.Contains(code, "*") {
			code = ""
		}
		out = append(out, NamedSubject{Code: code, Name: name})
	}
	if len(codes) > 0 {
		for _, code := range codes {
			if len(out) >= limit {
				break
			}
			if isCitizenID(code) {
				continue // a natural person: not found by name; its number stays off the wire
			}
			var res searchAnswer
			if err := c.Get(ctx, "/api/v1/search?q="+url.QueryEscape(code), &res); err != nil {
				return nil, err
			}
			for _, h := range res.Hits {
				add(code, h.Name, h.Kind, h.Masked)
			}
		}
		return out, nil
	}
	for _, list := range []string{"penalties", "licenses"} {
		for p := 1; p <= pages && len(out) < limit; p++ {
			var page struct {
				Pages   int                  `json:"pages"`
				Records []xinyong.RecordView `json:"records"`
			}
			if err := c.Get(ctx, fmt.Sprintf("/api/v1/lists/%s?page=%d", list, p), &page); err != nil {
				return nil, err
			}
			for _, r := range page.Records {
				add(r.SubjectCode, r.SubjectName, r.SubjectKind, false)
			}
			if p >= page.Pages {
				break
			}
		}
	}
	return out, nil
}
