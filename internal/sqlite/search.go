package sqlite

import (
	"strings"
	"unicode/utf8"

	"xinyong"
	"xinyong/internal/sqlstore"
)

// SQLite's name search (migrations/0002_search.sql): FTS5 trigram for 3+
// characters, the subject_bigram table for 2, LIKE for 1. The index rows
// are written here, in the subject's transaction.
func init() {
	Dialect.Search = sqlstore.SearchDialect{Match: match, Hits: hits, Index: index}
}

// hits reads the matches of 2 and 3+ characters from the index rows alone
// (migration 0014: the kind and the name's length are in them).
func hits(mode, text string, kinds []string) (string, []any, bool) {
	var q string
	var args []any
	kind := func(col string) {
		if len(kinds) > 0 {
			q += " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(kinds)), ", ") + ")"
			for _, k := range kinds {
				args = append(args, k)
			}
		}
	}
	switch mode {
	case xinyong.SearchBigram:
		q, args = `SELECT b.subject_id AS id, b.len AS len FROM subject_bigram b WHERE b.bigram = ?`, []any{text}
		kind("b.kind")
	case xinyong.SearchTrigram:
		q, args = `SELECT m.subject_id AS id, length(m.name) AS len FROM subject_fts f CROSS JOIN subject_search m WHERE subject_fts MATCH ? AND m.rid = f.rowid`,
			[]any{`"` + strings.ReplaceAll(text, `"`, `""`) + `"`}
		kind("m.kind")
	default:
		return "", nil, false
	}
	return q, args, true
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
			// Renamed: take the old name out of both indexes, put the new in.
			if err := t.Exec(`INSERT INTO subject_fts (subject_fts, rowid, name) VALUES ('delete', ?, ?)`, o.rid, o.name); err != nil {
				return err
			}
			for _, b := range xinyong.Bigrams(o.name) {
				if err := t.Exec(`DELETE FROM subject_bigram WHERE bigram = ? AND subject_id = ?`, b, s.ID); err != nil {
					return err
				}
			}
			if err := t.Exec(`UPDATE subject_search SET name = ? WHERE rid = ?`, s.Name, o.rid); err != nil {
				return err
			}
			if err := t.Exec(`INSERT INTO subject_fts (rowid, name) VALUES (?, ?)`, o.rid, s.Name); err != nil {
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
	if err := t.InsertMany(`INSERT INTO subject_search (subject_id, name, kind) VALUES `, 3, len(fresh), func(i int, args []any) []any {
		return append(args, fresh[i].ID, fresh[i].Name, string(fresh[i].Kind))
	}); err != nil {
		return err
	}
	// The trigram index reads the new rows from subject_search (external
	// content), by row id.
	for start := 0; start < len(fresh); start += chunk {
		part := fresh[start:min(start+chunk, len(fresh))]
		args := make([]any, len(part))
		for i, s := range part {
			args[i] = s.ID
		}
		if err := t.Exec(`INSERT INTO subject_fts (rowid, name) SELECT rid, name FROM subject_search WHERE subject_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(part)), ", ")+`)`, args...); err != nil {
			return err
		}
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
		n := utf8.RuneCountInString(s.Name) // SQLite's length() of the name
		for _, b := range xinyong.Bigrams(s.Name) {
			rows = append(rows, row{b, s, n})
		}
	}
	return t.InsertMany(`INSERT OR IGNORE INTO subject_bigram (bigram, subject_id, kind, len) VALUES `, 4, len(rows), func(i int, args []any) []any {
		return append(args, rows[i].b, rows[i].s.ID, string(rows[i].s.Kind), rows[i].len)
	})
}
