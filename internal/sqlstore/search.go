package sqlstore

import (
	"database/sql"
	"strings"

	"xinyong"
)

// SearchDialect is what differs in name search between the databases
// (DESIGN.md "Search for Chinese names"): the index and the condition that
// uses it. The statements around them are shared, here.
type SearchDialect struct {
	// Args go before the arguments of every search statement. PostgreSQL
	// passes pgx.QueryExecModeExec: each search runs with a plan made for
	// its own pattern, never pgx's cached statement, whose generic plan
	// turns a 2-character ILIKE into a full GIN index scan (~4× a seq scan).
	Args []any
	// Match returns the FROM clause (the subject table aliased s, joined
	// to the index that drives the search) and the condition that select
	// the names containing text (already folded with xinyong.FoldSearch) in mode
	// (xinyong.SearchLike, SearchBigram, SearchTrigram), and its arguments.
	Match func(mode, text string) (from, cond string, args []any)
	// Ranked, where the dialect has it, returns two queries over an index
	// that holds the ranking (shortest names first): ids selects the
	// matches' subject ids (column id) in rank order and ends with
	// "LIMIT ? OFFSET ?"; count counts them and ends with "LIMIT ?" (the
	// cap), both with args before those. kinds restrict the subject kinds
	// (all when empty); ok false leaves the search to Match.
	Ranked func(mode, text string, kinds []string) (ids, count string, args []any, ok bool)
	// Index writes the index rows of subjects just inserted or renamed.
	Index func(t *Tx, ss []xinyong.Subject) error
}

// EscapeLike escapes LIKE's wildcards (% _) and the escape character \ so
// that text matches itself; use with ESCAPE '\'.
func EscapeLike(text string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(text)
}

// Exec runs a statement in the transaction (for dialect packages), through
// the transaction's prepared statements where the dialect uses them.
func (t *Tx) Exec(query string, args ...any) error { return t.exec(query, args...) }

// Query runs a query in the transaction (for dialect packages).
func (t *Tx) Query(query string, args ...any) (*sql.Rows, error) { return t.rows(query, args...) }

// InsertMany inserts n rows of cols columns with multi-row statements
// (prefix ends with VALUES).
func (t *Tx) InsertMany(prefix string, cols, n int, rowArgs func(i int, args []any) []any) error {
	return t.insertMany(prefix, cols, n, rowArgs)
}

// IndexSubjects writes the subjects' search index rows.
func (t *Tx) IndexSubjects(ss []xinyong.Subject) error {
	if len(ss) == 0 || t.db.D.Search.Index == nil {
		return nil
	}
	return t.db.D.Search.Index(t, ss)
}

// searchRows runs a search statement with the dialect's search arguments
// first.
func (t *Tx) searchRows(query string, args ...any) (*sql.Rows, error) {
	if pre := t.db.D.Search.Args; len(pre) > 0 {
		return t.q.QueryContext(t.ctx, t.db.q(query), append(append([]any{}, pre...), args...)...)
	}
	return t.rows(query, args...)
}

func (t *Tx) searchCount(query string, args ...any) (int, error) {
	rows, err := t.searchRows(query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, rows.Err()
}

var subjectColsS = "s." + strings.ReplaceAll(subjectCols, ", ", ", s.")

// recordColsR is recordCols of the record aliased r.
var recordColsR = "r." + strings.ReplaceAll(recordCols, ", ", ", r.")

// SearchSubjects returns a page of the subjects whose name contains q.Text,
// shortest names first (the closest matches), and the number of matches up
// to MaxSearchResults+1. One character is a LIKE that stops at the page, in
// id order; two use the bigram index; three or more the trigram index.
func (t *Tx) SearchSubjects(q xinyong.SearchQuery) ([]xinyong.Subject, int, error) {
	text := xinyong.FoldSearch(q.Text)
	if text == "" || t.db.D.Search.Match == nil {
		return nil, 0, nil
	}
	mode := xinyong.SearchMode(text)
	from, cond, args := t.db.D.Search.Match(mode, text)
	where := " WHERE " + cond
	if len(q.Kinds) > 0 {
		where += " AND s.kind IN (" + placeholders(len(q.Kinds)) + ")"
		for _, k := range q.Kinds {
			args = append(args, string(k))
		}
	}
	if q.PersonsOf != "" {
		// A record deleted by credit repair is shown to nobody: it does
		// not make its person the department's to find (DOMAIN.md §6).
		where += " AND (s.kind <> ? OR EXISTS (SELECT 1 FROM record r WHERE r.subject_id = s.id AND r.department_id = ?" +
			" AND NOT EXISTS (SELECT 1 FROM record_repair rr WHERE rr.record_id = r.id AND rr.outcome = ?)))"
		args = append(args, string(xinyong.KindPerson), q.PersonsOf, string(xinyong.RepairDeleted))
	}
	limit := q.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	if t.db.D.Search.Ranked != nil && q.PersonsOf == "" {
		kinds := make([]string, len(q.Kinds))
		for i, k := range q.Kinds {
			kinds[i] = string(k)
		}
		if ids, count, rargs, ok := t.db.D.Search.Ranked(mode, text, kinds); ok {
			return t.searchRanked(ids, count, rargs, limit, max(q.Offset, 0))
		}
	}
	order := " ORDER BY length(s.name), s.id"
	if mode == xinyong.SearchLike {
		order = " ORDER BY s.id"
	}
	// One walk of the index: the matches are capped first (so that a
	// common bigram such as 兰州 does not sort every match), counted with a
	// window function, ranked, and paged.
	capped := `SELECT ` + subjectColsS + ` FROM ` + from + where + ` LIMIT ?`
	rows, err := t.searchRows(`SELECT s.*, COUNT(*) OVER () FROM (`+capped+`) s`+order+` LIMIT ? OFFSET ?`, append(args, xinyong.MaxSearchResults+1, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []xinyong.Subject
	n := 0
	for rows.Next() {
		s, err := scanSubject(countingScanner{rows, &n})
		if err != nil {
			return nil, 0, err
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && q.Offset > 0 {
		// A page past the end: say how many there are.
		rows.Close()
		if n, err = t.searchCount(`SELECT COUNT(*) FROM (SELECT 1 FROM `+from+where+` LIMIT ?) c`, append(args, xinyong.MaxSearchResults+1)...); err != nil {
			return nil, 0, err
		}
	}
	return out, n, nil
}

// searchRanked is SearchSubjects over a dialect's ranked index: a page of
// ids is read from the index in rank order, then those subjects; the
// matches are counted (up to the cap) only when the page does not show
// them all.
func (t *Tx) searchRanked(ids, count string, args []any, limit, offset int) ([]xinyong.Subject, int, error) {
	// The results end at the cap, as the counted ones do.
	limit = min(limit, xinyong.MaxSearchResults+1-offset)
	if limit <= 0 {
		n, err := t.searchCount(count, append(args[:len(args):len(args)], xinyong.MaxSearchResults+1)...)
		return nil, n, err
	}
	rows, err := t.searchRows(ids, append(args[:len(args):len(args)], limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	var page []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		page = append(page, id)
	}
	if err := rows.Close(); err != nil {
		return nil, 0, err
	}
	n := offset + len(page)
	if len(page) == limit || (len(page) == 0 && offset > 0) {
		if n, err = t.searchCount(count, append(args[:len(args):len(args)], xinyong.MaxSearchResults+1)...); err != nil {
			return nil, 0, err
		}
	}
	if len(page) == 0 {
		return nil, n, nil
	}
	found, err := t.subjectsIn("id", page)
	if err != nil {
		return nil, 0, err
	}
	byID := make(map[string]xinyong.Subject, len(found))
	for _, s := range found {
		byID[s.ID] = s
	}
	out := make([]xinyong.Subject, 0, len(page))
	for _, id := range page {
		if s, ok := byID[id]; ok {
			out = append(out, s)
		}
	}
	return out, n, nil
}

// countingScanner scans a row into what its caller asks for, then its
// last column (a count, a document) into more.
type countingScanner struct {
	rows *sql.Rows
	more any
}

func (c countingScanner) Scan(dest ...any) error { return c.rows.Scan(append(dest, c.more)...) }

// PublishedRecords returns a page of the active records of a kind whose
// publication window is open on f.On, newest decision first.
func (t *Tx) PublishedRecords(f xinyong.PublishedFilter) ([]xinyong.Record, int, error) {
	on := f.On.String()
	from := ` FROM record r`
	where := ` WHERE r.kind = ? AND r.status = ? AND r.published = ? AND r.pub_start <= ? AND (r.pub_max_end IS NULL OR r.pub_max_end > ?)`
	args := []any{f.Kind, string(xinyong.RecordActive), true, on, on}
	if f.DepartmentID != "" {
		where += " AND r.department_id = ?"
		args = append(args, f.DepartmentID)
	}
	if !f.From.IsZero() {
		where += " AND r.decision_date >= ?"
		args = append(args, f.From.String())
	}
	if !f.To.IsZero() {
		where += " AND r.decision_date <= ?"
		args = append(args, f.To.String())
	}
	if f.Public {
		if len(f.Items) == 0 {
			return nil, 0, nil
		}
		from += ` JOIN subject s ON s.id = r.subject_id`
		where += " AND r.item IN (" + placeholders(len(f.Items)) + ")"
		for _, it := range f.Items {
			args = append(args, it)
		}
		// Never a minor's record (xinyong.Visible, isMinorRecord): one
		// flagged as a minor's, whatever the subject's kind; and a person's
		// only under an item covering persons, and not born after the
		// decision date 18 years back (dates are YYYY-MM-DD text on both
		// dialects; an unknown birth date, NULL, is an adult's).
		person := "FALSE"
		if len(f.PersonItems) > 0 {
			person = "r.item IN (" + placeholders(len(f.PersonItems)) + ")" +
				" AND (s.birth IS NULL OR s.birth <= CAST(CAST(substr(r.decision_date, 1, 4) AS INTEGER) - 18 AS TEXT) || substr(r.decision_date, 5))"
		}
		where += ` AND NOT (r.lenient = ? AND r.data LIKE '%"minor":true%') AND (s.kind <> ? OR (` + person + "))"
		args = append(args, true, string(xinyong.KindPerson))
		for _, it := range f.PersonItems {
			args = append(args, it)
		}
	}
	var n int
	if err := t.row(`SELECT COUNT(*) FROM (SELECT 1`+from+where+` LIMIT ?) c`, append(args, xinyong.MaxSearchResults+1)...).Scan(&n); err != nil {
		return nil, 0, err
	}
	if n == 0 || f.Offset >= n {
		return nil, n, nil
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	out, err := t.scanRecords(`SELECT `+recordColsR+from+where+` ORDER BY r.decision_date DESC, r.id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	return out, n, err
}
