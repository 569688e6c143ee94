package xinyong

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// SearchStore is the part of Tx that serves search and the public subject
// pages (issue 5). Implementations live in internal/sqlstore/search.go and
// the dialect packages.
type SearchStore interface {
	// IndexSubjects writes the name-search index rows of subjects just
	// inserted or renamed, in the caller's transaction (the application
	// keeps the index, never a per-row trigger: DESIGN.md "Search for
	// Chinese names"). A subject whose indexed name is unchanged is left
	// alone, so calling it twice is harmless.
	IndexSubjects(ss []Subject) error
	// SearchSubjects returns one page of the subjects whose name contains
	// q.Text, and how many match, counted up to MaxSearchResults+1.
	SearchSubjects(q SearchQuery) ([]Subject, int, error)
	// PublishedRecords returns one page of the active records of a kind
	// whose publication window is open on f.On (the 双公示 list pages), newest
	// decision first, and how many match, counted up to MaxSearchResults+1.
	// It narrows; the visibility function still decides each record.
	PublishedRecords(f PublishedFilter) ([]Record, int, error)
}

// MaxSearchResults is how far a search or a list counts and pages: the
// portal shows "more than 1000" beyond it and asks for a narrower query.
const MaxSearchResults = 1000

// MaxSearchQuery is the longest search text, in characters.
const MaxSearchQuery = 100

// SearchQuery is a name search.
type SearchQuery struct {
	Text  string        // what the name contains; 1 to MaxSearchQuery characters
	Kinds []SubjectKind // only subjects of these kinds; empty means all
	// PersonsOf, when set, keeps only the natural persons of whom this
	// department holds a record (an officer's search; SearchPersonsOf).
	PersonsOf string
	Offset    int
	Limit     int
}

// PublishedFilter selects records for the list pages.
type PublishedFilter struct {
	Kind         string // "penalty" or "license"
	DepartmentID string // "" for every department
	From, To     Date   // decision dates, inclusive; zero for open
	On           Date   // the day the window must be open on
	// Public: only what the public may see, so that the count tells of no
	// hidden record: records of Items (the items disclosed to the public);
	// a natural person's only under PersonItems (items whose legal basis
	// covers natural persons), never a minor's (under 18 on the decision
	// date, or flagged as a minor's conduct). The caller still applies
	// xinyong.Visible to each record.
	Public      bool
	Items       []string
	PersonItems []string
	Offset      int
	Limit       int
}

// Search modes: how a name search is answered, by the length of the text
// in characters (DESIGN.md "Search for Chinese names").
const (
	SearchLike    = "like"    // 1 character: LIKE over the subjects, bounded by the page
	SearchBigram  = "bigram"  // 2 characters: the application's 2-character index
	SearchTrigram = "trigram" // 3 or more: FTS5 trigram (SQLite), pg_trgm (PostgreSQL)
)

// SearchMode returns how a search text is answered.
func SearchMode(text string) string {
	switch utf8.RuneCountInString(text) {
	case 0, 1:
		return SearchLike
	case 2:
		return SearchBigram
	}
	return SearchTrigram
}

// FoldSearch is the case folding every search index and query shares: ASCII
// letters to lower case, nothing else (SQLite's lower() and LIKE fold only
// ASCII, so every path agrees).
func FoldSearch(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// Bigrams returns the distinct 2-character substrings of a name, folded with
// FoldSearch, in order of first appearance: the rows of the 2-character
// index in both stores (a table in SQLite, a text[] column in PostgreSQL).
// A name of fewer than 2 characters has none.
func Bigrams(name string) []string {
	r := []rune(FoldSearch(name))
	if len(r) < 2 {
		return nil
	}
	out := make([]string, 0, len(r)-1)
	seen := make(map[string]bool, len(r)-1)
	for i := 0; i+1 < len(r); i++ {
		b := string(r[i : i+2])
		if !seen[b] {
			seen[b] = true
			out = append(out, b)
		}
	}
	return out
}

// CheckSearchText validates a search text as the user typed it and returns
// it trimmed. It refuses the empty text, text over MaxSearchQuery
// characters, invalid UTF-8 and control characters, each with a message
// saying so. SQL and full-text syntax characters are ordinary text.
func CheckSearchText(q string) (string, error) {
	if !utf8.ValidString(q) {
		return "", Invalid("the search text is not valid UTF-8", FieldError{Field: "q", Rule: "search.encoding", Message: "the search text is not valid UTF-8"})
	}
	q = strings.TrimSpace(q)
	n := utf8.RuneCountInString(q)
	switch {
	case n == 0:
		return "", Invalid("enter a name or a code to search for", FieldError{Field: "q", Rule: "search.required", Message: "enter a name (at least 1 character; Chinese substrings from 2) or a unified social credit code"})
	case n > MaxSearchQuery:
		msg := "the search text is at most " + itoa(MaxSearchQuery) + " characters; this one has " + itoa(n)
		return "", Invalid(msg, FieldError{Field: "q", Rule: "search.length", Message: msg})
	}
	if strings.IndexFunc(q, unicode.IsControl) >= 0 {
		return "", Invalid("the search text contains control characters", FieldError{Field: "q", Rule: "search.control", Message: "the search text contains control characters"})
	}
	return q, nil
}

// MatchSpans returns where text occurs in name, as character (rune) offsets
// [start, end), folded as the search folds: what a result highlights.
func MatchSpans(name, text string) [][2]int {
	n, t := []rune(FoldSearch(name)), []rune(FoldSearch(text))
	if len(t) == 0 || len(t) > len(n) {
		return nil
	}
	var out [][2]int
	for i := 0; i+len(t) <= len(n); {
		if string(n[i:i+len(t)]) == string(t) {
			out = append(out, [2]int{i, i + len(t)})
			i += len(t)
			continue
		}
		i++
	}
	return out
}
