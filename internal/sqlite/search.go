package sqlite

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// SQLite's name search (migrations/0002_search.sql): FTS5 trigram for 3+
// characters, the subject_bigram table for 2, LIKE for 1. The index rows
// are written here, in the subject's transaction.
func init() {
	Dialect.Search = sqlstore.SearchDialect{Match: match, Ranked: ranked, Index: index}
}

// The trigram index's rowid (subject_search.rid) ranks its subject
// (migration 0014): the name's length in characters, then whether the
// subject is a natural person, then a sequence number.
const (
	ridSeqBits = 40
	ridMaxLen  = 1<<21 - 1
)

// rankedRID is the rid of a subject's search row.
func rankedRID(name string, kind xinyong.SubjectKind, seq int64) int64 {
	n := int64(min(utf8.RuneCountInString(name), ridMaxLen)) // SQLite's length() of the name
	var person int64
	if kind == xinyong.KindPerson {
		person = 1
	}
	return n<<(ridSeqBits+1) | person<<ridSeqBits | seq&(1<<ridSeqBits-1)
}

// ranked reads a page of matches of 2 and 3+ characters from the index in
// rank order (shortest names first): the bigram rows are keyed by length,
// the trigram index's rowids are. The kinds the portal asks for (all, or
// every kind but natural persons) are tested on the index rows; any other
// set is left to match.
func ranked(mode, text string, kinds []string) (ids, count string, args []any, ok bool) {
	set := map[string]bool{}
	for _, k := range kinds {
		set[k] = true
	}
	organisations := set[string(xinyong.KindEnterprise)] && set[string(xinyong.KindOrganisation)] && set[string(xinyong.KindIndividualBusiness)]
	all := len(kinds) == 0 || (organisations && set[string(xinyong.KindPerson)] && len(set) == 4)
	orgs := organisations && !set[string(xinyong.KindPerson)] && len(set) == 3
	if !all && !orgs {
		return "", "", nil, false
	}
	switch mode {
	case xinyong.SearchBigram:
		where := `bigram = ?`
		if orgs {
			where += ` AND kind <> '` + string(xinyong.KindPerson) + `'`
		}
		return `SELECT subject_id AS id FROM subject_bigram WHERE ` + where + ` ORDER BY len, subject_id LIMIT ? OFFSET ?`,
			`SELECT COUNT(*) FROM (SELECT 1 FROM subject_bigram WHERE ` + where + ` LIMIT ?)`, []any{text}, true
	case xinyong.SearchTrigram:
		// A phrase: FTS5 syntax in the text is only text inside the quotes
		// (a quote is doubled); the trigram phrase matches the substring.
		where := `subject_fts MATCH ?`
		if orgs {
			where += ` AND (rowid >> ` + strconv.Itoa(ridSeqBits) + `) & 1 = 0`
		}
		return `SELECT m.subject_id AS id FROM (SELECT rowid AS rid FROM subject_fts WHERE ` + where + ` ORDER BY rowid LIMIT ? OFFSET ?) p CROSS JOIN subject_search m WHERE m.rid = p.rid ORDER BY p.rid`,
			`SELECT COUNT(*) FROM (SELECT 1 FROM subject_fts WHERE ` + where + ` LIMIT ?)`, []any{`"` + strings.ReplaceAll(text, `"`, `""`) + `"`}, true
	}
	return "", "", nil, false
}

// match drives the query from the index (a join, not IN (subquery)), so
// that the result cap stops the scan: an IN list materialised every match
// of a common substring (有限公司: 80,000 at 100,000 subjects) first.
func match(mode, text string) (string, string, []any) {
	switch mode {
	case xinyong.SearchBigram:
		return `subject_bigram b CROSS JOIN subject s`, `b.bigram = ? AND s.id = b.subject_id`, []any{text}
	case xinyong.SearchTrigram:
		// A phrase: FTS5 syntax in the text is only text inside the quotes
		// (a quote is doubled); the trigram phrase matches the substring.
		return `subject_fts f CROSS JOIN subject_search m CROSS JOIN subject s`, `subject_fts MATCH ? AND m.rid = f.rowid AND s.id = m.subject_id`,
			[]any{`"` + strings.ReplaceAll(text, `"`, `""`) + `"`}
	}
	return `subject s`, `s.name LIKE ? ESCAPE '\'`, []any{"%" + sqlstore.EscapeLike(text) + "%"}
}

// index writes subject_search, subject_fts and subject_bigram rows for
// subjects new or renamed; a subject indexed under its current name is
// left alone.
func index(t *sqlstore.Tx, ss []xinyong.Subject) error {
	type old struct {
		rid  int64
		name string
	}
	have := make(map[string]old, len(ss))
	const chunk = 500
	for start := 0; start < len(ss); start += chunk {
		part := ss[start:min(start+chunk, len(ss))]
		args := make([]any, len(part))
		for i, s := range part {
			args[i] = s.ID
		}
		rows, err := t.Query(`SELECT subject_id, rid, name FROM subject_search WHERE subject_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id string
			var o old
			if err := rows.Scan(&id, &o.rid, &o.name); err != nil {
				rows.Close()
				return err
			}
			have[id] = o
		}
		if err := rows.Close(); err != nil {
			return err
		}
	}
	var fresh []xinyong.Subject
	seen := map[string]bool{}
	for _, s := range ss {
		if seen[s.ID] {
			continue
		}
		seen[s.ID] = true
		o, ok := have[s.ID]
		switch {
		case !ok:
			fresh = append(fresh, s)
		case o.name != s.Name:
			// Renamed: take the old name out of both indexes, put the new
			// in, under a rid of the new length (the same sequence number).
			if err := t.Exec(`INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', ?, ?)`, o.rid, o.name); err != nil {
				return err
			}
			oldLen := o.rid >> (ridSeqBits + 1) // the length the rows were stored with
			for _, b := range xinyong.Bigrams(o.name) {
				if err := t.Exec(`DELETE FROM subject_bigram WHERE bigram = ? AND len = ? AND subject_id = ?`, b, oldLen, s.ID); err != nil {
					return err
				}
			}
			rid := rankedRID(s.Name, s.Kind, o.rid)
			if err := t.Exec(`UPDATE subject_search SET rid = ?, name = ? WHERE rid = ?`, rid, s.Name, o.rid); err != nil {
				return err
			}
			if err := t.Exec(`INSERT INTO subject_fts (rowid, name) VALUES (?, ?)`, rid, s.Name); err != nil {
				return err
			}
			if err := insertBigrams(t, []xinyong.Subject{s}); err != nil {
				return err
			}
		}
	}
	if len(fresh) == 0 {
		return nil
	}
	// Sequence numbers for the new rows' rids.
	rows, err := t.Query(`UPDATE search_seq SET n = n + ? WHERE id = 1 RETURNING n`, len(fresh))
	if err != nil {
		return err
	}
	var last int64
	found := rows.Next()
	if found {
		err = rows.Scan(&last)
	}
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if !found {
		return errors.New("search index: the search_seq row is missing")
	}
	first := last - int64(len(fresh)) + 1
	// Rows in rid order: FTS5 starts a new segment whenever a rowid is not
	// above the previous one it was given.
	type searchRow struct {
		rid int64
		s   *xinyong.Subject
	}
	rs := make([]searchRow, len(fresh))
	for i := range fresh {
		rs[i] = searchRow{rankedRID(fresh[i].Name, fresh[i].Kind, first+int64(i)), &fresh[i]}
	}
	slices.SortFunc(rs, func(a, b searchRow) int { return cmp.Compare(a.rid, b.rid) })
	if err := t.InsertMany(`INSERT INTO subject_search (rid, subject_id, name) VALUES `, 3, len(rs), func(i int, args []any) []any {
		return append(args, rs[i].rid, rs[i].s.ID, rs[i].s.Name)
	}); err != nil {
		return err
	}
	// The trigram index (external content) is given the same rows.
	if err := t.InsertMany(`INSERT INTO subject_fts (rowid, name) VALUES `, 2, len(rs), func(i int, args []any) []any {
		return append(args, rs[i].rid, rs[i].s.Name)
	}); err != nil {
		return err
	}
	return insertBigrams(t, fresh)
}

func insertBigrams(t *sqlstore.Tx, ss []xinyong.Subject) error {
	type row struct {
		b   string
		s   *xinyong.Subject
		len int
	}
	var rows []row
	for i := range ss {
		s := &ss[i]
		n := min(utf8.RuneCountInString(s.Name), ridMaxLen) // as in the rid
		for _, b := range xinyong.Bigrams(s.Name) {
			rows = append(rows, row{b, s, n})
		}
	}
	return t.InsertMany(`INSERT OR IGNORE INTO subject_bigram (bigram, len, subject_id, kind) VALUES `, 4, len(rows), func(i int, args []any) []any {
		return append(args, rows[i].b, rows[i].len, rows[i].s.ID, string(rows[i].s.Kind))
	})
}
