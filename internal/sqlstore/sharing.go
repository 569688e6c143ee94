package sqlstore

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"xinyong"
)

// Consents and the query-use log (issue 5).

const consentCols = `id, subject_id, organisation, items, purpose, granted_at, expires_at, revoked_at, granted_by`

// PutConsent stores a new consent.
func (t *Tx) PutConsent(c xinyong.Consent) error {
	var revoked any
	if c.RevokedAt != nil {
		revoked = Micros(*c.RevokedAt)
	}
	return t.exec(`INSERT INTO consent (`+consentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.SubjectID, c.Organisation, mustJSON(nonNilStrings(c.Items)), c.Purpose, Micros(c.GrantedAt), Micros(c.ExpiresAt), revoked, c.GrantedBy)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func scanConsent(sc interface{ Scan(...any) error }) (xinyong.Consent, error) {
	var c xinyong.Consent
	var items string
	var granted, expires int64
	var revoked sql.NullInt64
	if err := sc.Scan(&c.ID, &c.SubjectID, &c.Organisation, &items, &c.Purpose, &granted, &expires, &revoked, &c.GrantedBy); err != nil {
		return c, err
	}
	c.GrantedAt, c.ExpiresAt = FromMicros(granted), FromMicros(expires)
	if revoked.Valid {
		at := FromMicros(revoked.Int64)
		c.RevokedAt = &at
	}
	if err := json.Unmarshal([]byte(items), &c.Items); err != nil {
		return c, err
	}
	return c, nil
}

// Consent returns the consent with the id.
func (t *Tx) Consent(id string) (xinyong.Consent, error) {
	c, err := scanConsent(t.row(`SELECT `+consentCols+` FROM consent WHERE id = ?`, id))
	return c, notFound("consent", err)
}

// ConsentsBySubject returns the subject's consents, newest grant first.
func (t *Tx) ConsentsBySubject(subjectID string) ([]xinyong.Consent, error) {
	rows, err := t.rows(`SELECT `+consentCols+` FROM consent WHERE subject_id = ? ORDER BY granted_at DESC, id DESC`, subjectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevokeConsent sets the consent's revocation time, once: the update is
// conditional on the consent not being revoked yet, so that of two
// concurrent revocations exactly one succeeds (under PostgreSQL's READ
// COMMITTED the second re-reads the row after the first commits and
// matches nothing); the other is ECONFLICT, an unknown id ENOTFOUND.
func (t *Tx) RevokeConsent(id string, at time.Time) error {
	return t.updateOnce("consent", "the consent was already revoked",
		`UPDATE consent SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, `SELECT 1 FROM consent WHERE id = ?`, id, Micros(at), id)
}

// updateOnce runs a conditional update of the row id; when it matches no
// row it tells an unknown row (ENOTFOUND) from one the condition excludes,
// already updated (ECONFLICT, conflict as the message).
func (t *Tx) updateOnce(what, conflict, update, exists, id string, args ...any) error {
	res, err := t.execResult(update, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil || n > 0 {
		return err
	}
	var one int
	switch err := t.row(exists, id).Scan(&one); {
	case errors.Is(err, sql.ErrNoRows):
		return &xinyong.Error{Code: xinyong.ENOTFOUND, Message: what + " not found"}
	case err != nil:
		return err
	}
	return &xinyong.Error{Code: xinyong.ECONFLICT, Message: conflict}
}

const queryUseCols = `id, at, actor, actor_name, organisation, viewer, purpose, basis, consent_id, subject_id, items, records, flagged, flag_reason, reviewed_at, reviewed_by, review_note, ledger_idx`

// AddQueryUse appends a query-use entry.
func (t *Tx) AddQueryUse(q xinyong.QueryUse) error {
	var reviewed any
	if q.ReviewedAt != nil {
		reviewed = Micros(*q.ReviewedAt)
	}
	flagged := 0
	if q.Flagged {
		flagged = 1
	}
	return t.exec(`INSERT INTO query_use (`+queryUseCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		q.ID, Micros(q.At), q.Actor, q.ActorName, q.Organisation, string(q.Viewer), q.Purpose, q.Basis, q.ConsentID, q.SubjectID,
		mustJSON(nonNilStrings(q.Items)), mustJSON(nonNilStrings(q.Records)), flagged, q.FlagReason, reviewed, q.ReviewedBy, q.ReviewNote, q.LedgerIdx)
}

func scanQueryUse(sc interface{ Scan(...any) error }) (xinyong.QueryUse, error) {
	var q xinyong.QueryUse
	var at, flagged int64
	var viewer, items, records string
	var reviewed sql.NullInt64
	if err := sc.Scan(&q.ID, &at, &q.Actor, &q.ActorName, &q.Organisation, &viewer, &q.Purpose, &q.Basis, &q.ConsentID, &q.SubjectID,
		&items, &records, &flagged, &q.FlagReason, &reviewed, &q.ReviewedBy, &q.ReviewNote, &q.LedgerIdx); err != nil {
		return q, err
	}
	q.At, q.Viewer, q.Flagged = FromMicros(at), xinyong.ViewerKind(viewer), flagged != 0
	if reviewed.Valid {
		r := FromMicros(reviewed.Int64)
		q.ReviewedAt = &r
	}
	if err := json.Unmarshal([]byte(items), &q.Items); err != nil {
		return q, err
	}
	if err := json.Unmarshal([]byte(records), &q.Records); err != nil {
		return q, err
	}
	return q, nil
}

// QueryUse returns the entry with the id.
func (t *Tx) QueryUse(id string) (xinyong.QueryUse, error) {
	q, err := scanQueryUse(t.row(`SELECT `+queryUseCols+` FROM query_use WHERE id = ?`, id))
	return q, notFound("query-use entry", err)
}

// queryUseWhere builds the WHERE clause of a filter.
func queryUseWhere(f xinyong.QueryFilter) (string, []any) {
	var conds []string
	var args []any
	if f.Actor != "" {
		conds, args = append(conds, "actor = ?"), append(args, f.Actor)
	}
	if f.SubjectID != "" {
		conds, args = append(conds, "subject_id = ?"), append(args, f.SubjectID)
	}
	if !f.From.IsZero() {
		conds, args = append(conds, "at >= ?"), append(args, Micros(f.From))
	}
	if !f.To.IsZero() {
		conds, args = append(conds, "at < ?"), append(args, Micros(f.To))
	}
	if f.Flagged != nil {
		v := 0
		if *f.Flagged {
			v = 1
		}
		conds, args = append(conds, "flagged = ?"), append(args, v)
	}
	if f.Reviewed != nil {
		if *f.Reviewed {
			conds = append(conds, "reviewed_at IS NOT NULL")
		} else {
			conds = append(conds, "reviewed_at IS NULL")
		}
	}
	if len(conds) == 0 {
		return "", args
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// QueryUses returns one page of the entries f selects, newest first.
func (t *Tx) QueryUses(f xinyong.QueryFilter) ([]xinyong.QueryUse, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	where, args := queryUseWhere(f)
	var out []xinyong.QueryUse
	err := t.eachQueryUse(func(q xinyong.QueryUse) error {
		out = append(out, q)
		return nil
	}, `SELECT `+queryUseCols+` FROM query_use`+where+` ORDER BY at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, max(f.Offset, 0))...)
	return out, err
}

// EachQueryUse streams every entry f selects, newest first.
func (t *Tx) EachQueryUse(f xinyong.QueryFilter, fn func(xinyong.QueryUse) error) error {
	where, args := queryUseWhere(f)
	return t.eachQueryUse(fn, `SELECT `+queryUseCols+` FROM query_use`+where+` ORDER BY at DESC, id DESC`, args...)
}

func (t *Tx) eachQueryUse(fn func(xinyong.QueryUse) error, query string, args ...any) error {
	rows, err := t.rows(query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		q, err := scanQueryUse(rows)
		if err != nil {
			return err
		}
		if err := fn(q); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReviewQueryUse marks an entry reviewed, once: conditional on it not
// being reviewed yet (as RevokeConsent), so of two concurrent reviews
// exactly one succeeds; the other is ECONFLICT, an unknown id ENOTFOUND.
func (t *Tx) ReviewQueryUse(id string, at time.Time, by, note string) error {
	return t.updateOnce("query-use entry", "the query-use entry was already reviewed",
		`UPDATE query_use SET reviewed_at = ?, reviewed_by = ?, review_note = ? WHERE id = ? AND reviewed_at IS NULL`, `SELECT 1 FROM query_use WHERE id = ?`, id, Micros(at), by, note, id)
}

// CountQuerySubjects counts the distinct subjects other than exceptSubject
// that actor queried at or after since, stopping at max (0: no cap) so
// that an account far over a flag limit costs no more than one at it.
func (t *Tx) CountQuerySubjects(actor string, since time.Time, exceptSubject string, max int) (int, error) {
	var n int
	if max <= 0 {
		err := t.row(`SELECT COUNT(DISTINCT subject_id) FROM query_use WHERE actor = ? AND at >= ? AND subject_id <> ? AND subject_id <> ''`, actor, Micros(since), exceptSubject).Scan(&n)
		return n, err
	}
	// A check of a code the platform holds nothing on has no subject ('').
	err := t.row(`SELECT COUNT(*) FROM (SELECT DISTINCT subject_id FROM query_use WHERE actor = ? AND at >= ? AND subject_id <> ? AND subject_id <> '' LIMIT ?) AS d`, actor, Micros(since), exceptSubject, max).Scan(&n)
	return n, err
}

// QueryUsesByLedger streams the entries whose leaf index is in [from, to).
func (t *Tx) QueryUsesByLedger(from, to int64, fn func(xinyong.QueryUse) error) error {
	return t.eachQueryUse(fn, `SELECT `+queryUseCols+` FROM query_use WHERE ledger_idx >= ? AND ledger_idx < ? ORDER BY ledger_idx`, from, to)
}

// PurgeQueryUses deletes the entries recorded before before whose ledger
// leaf is dated before it too. An entry keeps its read's time and its leaf
// the later time of the append that committed it; ledger verify accepts a
// missing entry only when its leaf's time is before the purge horizon, so
// an entry read before the horizon and appended after it stays until a
// later purge. The entries are found by query_use_at and each leaf by its
// primary key: the daily purge reads the entries it deletes (and the few
// whose leaf is not yet due), never the ledger.
func (t *Tx) PurgeQueryUses(before time.Time) (int64, error) {
	at := Micros(before)
	res, err := t.execResult(`DELETE FROM query_use WHERE at < ? AND EXISTS (SELECT 1 FROM ledger_entry le WHERE le.idx = query_use.ledger_idx AND le.at < ?)`, at, at)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
