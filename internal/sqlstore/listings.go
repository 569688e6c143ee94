package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"xinyong"
)

// Serious-dishonesty listings (issue 6). The listing is kept whole as JSON;
// the columns beside it are what the queries select on.

// InsertListing stores a new listing, its first version and its records.
func (t *Tx) InsertListing(l xinyong.Listing) error {
	data := mustJSON(l)
	if err := t.execOne("listing", `INSERT INTO listing (id, list_type, subject_id, department_id, state, version, end_date, updated_at, data, listed_on, public, due) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.ListType, l.SubjectID, l.DepartmentID, string(l.State), l.Version, l.EndDate, Micros(l.UpdatedAt), data, l.ListedOn.String(), listingPublic(l), xinyong.QueueDue(l)); err != nil {
		return err
	}
	if err := t.addListingVersion(l, data); err != nil {
		return err
	}
	for _, r := range l.RecordIDs {
		if err := t.exec(`INSERT INTO listing_record (listing_id, record_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, l.ID, r); err != nil {
			return err
		}
	}
	return nil
}

// listingPublic is the listing's public column (xinyong's
// Listing.Disclosable). With listed_on, state, list_type and end_date it
// lets the public list page pick its page from the index listing_public
// (migration 0013).
func listingPublic(l xinyong.Listing) bool { return l.Disclosable() }

func (t *Tx) addListingVersion(l xinyong.Listing, data string) error {
	return t.exec(`INSERT INTO listing_version (listing_id, version, state, at, data) VALUES (?, ?, ?, ?, ?)`, l.ID, l.Version, string(l.State), Micros(l.UpdatedAt), data)
}

// UpdateListing stores l as the next version if the stored listing is still
// at fromVersion in state from (compare and set: of two racing steps,
// exactly one wins).
func (t *Tx) UpdateListing(l xinyong.Listing, from xinyong.ListingState, fromVersion int) error {
	data := mustJSON(l)
	res, err := t.execResult(`UPDATE listing SET state = ?, version = ?, end_date = ?, updated_at = ?, data = ?, listed_on = ?, public = ?, due = ? WHERE id = ? AND state = ? AND version = ?`,
		string(l.State), l.Version, l.EndDate, Micros(l.UpdatedAt), data, l.ListedOn.String(), listingPublic(l), xinyong.QueueDue(l), l.ID, string(from), fromVersion)
	if err := casOutcome(res, err, "listing", l.ID, string(from), fromVersion, func() error { _, err := t.Listing(l.ID); return err }); err != nil {
		return err
	}
	return t.addListingVersion(l, data)
}

// casOutcome turns the result of a compare-and-set UPDATE (… WHERE id = ?
// AND state = ? AND version = ?) into nil, the lookup's ENOTFOUND when the
// object does not exist, or ECONFLICT when another step changed it first.
func casOutcome(res sql.Result, err error, what, id, from string, fromVersion int, exists func() error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		if err := exists(); err != nil {
			return err
		}
		return &xinyong.Error{Code: xinyong.ECONFLICT, Message: what + " " + id + " changed meanwhile (no longer " + from + ", version " + strconv.Itoa(fromVersion) + "): another step won"}
	}
	return nil
}

// decodeListing reads a stored listing. A listing stored before its
// numbers were bounded (doc/listings.md) may hold a date past year 9999 (an
// objection window of 2,200,000 working days, a listing period of a million
// months): Date writes it with the year in full ("10459-03-02") but reads
// only four digits, so the listing, and every page, check or job reading it,
// failed. Such a date is read as written (wideDates), so that the listing
// reads back exactly as stored (its ledger leaf still matches) and the
// workflow can flag it (workflow.ListingDateProblems); nothing is rewritten.
func decodeListing(data string) (xinyong.Listing, error) {
	var l xinyong.Listing
	err := json.Unmarshal([]byte(data), &l)
	if err != nil {
		if w, ok := wideDates(data); ok {
			return w, nil
		}
	}
	return l, err
}

// listingDates are where a listing holds dates: the top-level fields and
// those of its parts (object key, field key).
var listingDates = [][2]string{
	{"", "listed_on"}, {"", "end_date"},
	{"notice", "date"}, {"notice", "objection_deadline"},
	{"objection", "date"}, {"objection", "verify_deadline"},
	{"verification", "date"}, {"decision", "date"}, {"removal", "date"},
}

// wideDates decodes a listing whose dates may have years of five digits or
// more; false when something else is wrong with it.
func wideDates(data string) (xinyong.Listing, bool) {
	var top map[string]json.RawMessage
	if json.Unmarshal([]byte(data), &top) != nil {
		return xinyong.Listing{}, false
	}
	parts := map[string]map[string]json.RawMessage{}
	found := map[[2]string]xinyong.Date{}
	for _, at := range listingDates {
		obj := top
		if at[0] != "" {
			if _, ok := parts[at[0]]; !ok {
				var p map[string]json.RawMessage
				if raw, ok := top[at[0]]; !ok || json.Unmarshal(raw, &p) != nil || p == nil {
					continue
				}
				parts[at[0]] = p
			}
			obj = parts[at[0]]
		}
		var s string
		if raw, ok := obj[at[1]]; !ok || json.Unmarshal(raw, &s) != nil {
			continue
		}
		if _, err := xinyong.ParseDate(s); err == nil || s == "" {
			continue
		}
		d, ok := parseWideDate(s)
		if !ok {
			return xinyong.Listing{}, false
		}
		found[at] = d
		obj[at[1]] = json.RawMessage(`""`)
	}
	if len(found) == 0 {
		return xinyong.Listing{}, false
	}
	for k, p := range parts {
		b, err := json.Marshal(p)
		if err != nil {
			return xinyong.Listing{}, false
		}
		top[k] = b
	}
	b, err := json.Marshal(top)
	if err != nil {
		return xinyong.Listing{}, false
	}
	var l xinyong.Listing
	if json.Unmarshal(b, &l) != nil {
		return xinyong.Listing{}, false
	}
	for at, d := range found {
		switch at {
		case [2]string{"", "listed_on"}:
			l.ListedOn = d
		case [2]string{"", "end_date"}:
			l.EndDate = d
		case [2]string{"notice", "date"}:
			l.Notice.Date = d
		case [2]string{"notice", "objection_deadline"}:
			l.Notice.ObjectionDeadline = d
		case [2]string{"objection", "date"}:
			l.Objection.Date = d
		case [2]string{"objection", "verify_deadline"}:
			l.Objection.VerifyDeadline = d
		case [2]string{"verification", "date"}:
			l.Verification.Date = d
		case [2]string{"decision", "date"}:
			l.Decision.Date = d
		case [2]string{"removal", "date"}:
			l.Removal.Date = d
		}
	}
	return l, true
}

// parseWideDate reads YYYYY-MM-DD with a year of five digits or more, as
// Date.String writes it; false unless it is a real date.
func parseWideDate(s string) (xinyong.Date, bool) {
	y, rest, ok := strings.Cut(s, "-")
	if !ok || len(y) < 5 || len(rest) != 5 || rest[2] != '-' {
		return xinyong.Date{}, false
	}
	year, err1 := strconv.Atoi(y)
	month, err2 := strconv.Atoi(rest[:2])
	day, err3 := strconv.Atoi(rest[3:])
	if err1 != nil || err2 != nil || err3 != nil || year < 10000 || strings.ContainsAny(y, "+-") || month < 1 || month > 12 || day < 1 {
		return xinyong.Date{}, false
	}
	d := xinyong.Date{Year: year, Month: time.Month(month), Day: day}
	if last := (xinyong.Date{Year: year, Month: time.Month(month), Day: 1}).AddMonths(1).AddDays(-1); day > last.Day {
		return xinyong.Date{}, false
	}
	return d, true
}

// Listing returns the listing with the id.
func (t *Tx) Listing(id string) (xinyong.Listing, error) {
	var data string
	if err := t.row(`SELECT data FROM listing WHERE id = ?`, id).Scan(&data); err != nil {
		return xinyong.Listing{}, notFound("listing", err)
	}
	return decodeListing(data)
}

// ListingVersions returns every version of the listing, oldest first.
func (t *Tx) ListingVersions(id string) ([]xinyong.Listing, error) {
	out, err := t.listings(`SELECT data FROM listing_version WHERE listing_id = ? ORDER BY version`, id)
	if err == nil && len(out) == 0 {
		return nil, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "listing not found"}
	}
	return out, err
}

// Listings returns the listings f selects, by id.
func (t *Tx) Listings(f xinyong.ListingFilter) ([]xinyong.Listing, error) {
	var conds []string
	var args []any
	if f.DepartmentID != "" {
		conds, args = append(conds, "department_id = ?"), append(args, f.DepartmentID)
	}
	if f.SubjectID != "" {
		conds, args = append(conds, "subject_id = ?"), append(args, f.SubjectID)
	}
	if f.ListType != "" {
		conds, args = append(conds, "list_type = ?"), append(args, f.ListType)
	}
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	if f.Open {
		conds = append(conds, openListing)
	}
	if f.RecordID != "" {
		conds, args = append(conds, "id IN (SELECT listing_id FROM listing_record WHERE record_id = ?)"), append(args, f.RecordID)
	}
	if !f.EndBefore.IsZero() {
		// The effective end (xinyong.Listing.EffectiveEnd) is on or before
		// the day: the end date is, or the longest period since the listing
		// day has run (an end date past year 9999 is not before any day,
		// but its listing still ends at the longest period).
		cond, a := endedBy("", f.EndBefore)
		conds, args = append(conds, "end_date IS NOT NULL AND "+cond), append(args, a...)
	}
	q := `SELECT data FROM listing`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	return t.listings(q+` ORDER BY id LIMIT ?`, append(args, limit)...)
}

// fourDigitYear is the condition that the date in col (YYYY-MM-DD text)
// has a year of four digits: only those compare as text in date order. A
// date written before the bounds (decodeListing) may have five or more
// ("10459-03-02" sorts before "2026-06-01"); it is never before a date of
// this era.
func fourDigitYear(col string) string { return "length(" + col + ") = 10" }

// endedBy is the condition, on a listing with an end date (columns of
// alias a, "" or "l."), that its effective end (xinyong.Listing.
// EffectiveEnd: the earlier of the end date and the longest period since
// the listing day) is on or before day on: the end date is (one past year
// 9999, fourDigitYear, is not), or it was listed on or before
// LastListedOnEnded (a listing without a listing day, stored as the empty string, has no
// such bound). Its negation is "in force on the day" (PublicListings);
// the month arithmetic stays in the domain.
func endedBy(a string, on xinyong.Date) (string, []any) {
	return "((" + fourDigitYear(a+"end_date") + " AND " + a + "end_date <= ?) OR (" + a + "listed_on <> '' AND " + a + "listed_on <= ?))",
		[]any{on.String(), xinyong.LastListedOnEnded(on).String()}
}

// openListing selects the listings not removed. The state is written out,
// not bound, so that SQLite can use the partial indexes of migration 0015
// (their WHERE must appear in the query as it is).
const openListing = "state <> '" + string(xinyong.ListingRemoved) + "'"

// ListingQueue returns one page of the officer's queue: the listings q
// selects, due date first (soonest, so overdue, first; a date past year
// 9999 after every other; none last), then by id; and how many q selects.
// Count and page are two statements in the caller's transaction.
func (t *Tx) ListingQueue(q xinyong.ListingQueueQuery) ([]xinyong.Listing, int, error) {
	var conds []string
	var args []any
	if q.DepartmentID != "" {
		conds, args = append(conds, "department_id = ?"), append(args, q.DepartmentID)
	}
	if q.SubjectID != "" {
		conds, args = append(conds, "subject_id = ?"), append(args, q.SubjectID)
	}
	if q.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(q.State))
	} else {
		conds = append(conds, openListing)
	}
	if !q.OverdueOn.IsZero() {
		conds, args = append(conds, "due IS NOT NULL AND "+fourDigitYear("due")+" AND due < ?"), append(args, q.OverdueOn)
	}
	where := " WHERE " + strings.Join(conds, " AND ")
	var n int
	if err := t.row(`SELECT COUNT(*) FROM listing`+where, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	offset := max(q.Offset, 0)
	if n == 0 || offset >= n {
		return nil, n, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = xinyong.DefaultListingQueuePage
	}
	limit = min(limit, xinyong.MaxListingQueuePage)
	// In date order: a due date past year 9999 (fourDigitYear; stored
	// before the bounds) is longer text and after every date of this era,
	// though "10459-03-02" sorts before "2026-06-01" as text; then the
	// listings without one. Written the same in both dialects (no NULLS
	// LAST: due IS NULL orders them; false sorts before true in both).
	out, err := t.listings(`SELECT data FROM listing`+where+` ORDER BY due IS NULL, length(due), due, id LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	return out, n, err
}

func (t *Tx) listings(query string, args ...any) ([]xinyong.Listing, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Listing
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		l, err := decodeListing(data)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// PublicListings returns one page of the listings the public list pages
// show (q states which), with their subjects, newest listing day first, and
// how many there are. The count and the page are two statements in the
// caller's transaction; the page is chosen on ids and listing days alone,
// then only its rows are read whole.
func (t *Tx) PublicListings(q xinyong.PublicListingQuery) ([]xinyong.SubjectListing, int, error) {
	if len(q.ListTypes) == 0 {
		return nil, 0, nil
	}
	on := q.On.String()
	// In force on the day (xinyong.Listing.Active): no end date, or an
	// effective end after it (not endedBy).
	ended, endedArgs := endedBy("l.", q.On)
	from := ` FROM listing l JOIN subject s ON s.id = l.subject_id WHERE l.state = ? AND l.list_type IN (` + placeholders(len(q.ListTypes)) +
		`) AND (l.end_date IS NULL OR NOT ` + ended + `) AND l.listed_on <= ? AND l.public = TRUE AND (s.kind <> ? OR s.birth IS NULL OR s.birth <= ?)`
	args := []any{string(xinyong.ListingListed)}
	for _, lt := range q.ListTypes {
		args = append(args, lt)
	}
	args = append(args, endedArgs...)
	args = append(args, on, string(xinyong.KindPerson), q.AdultBornBy.String())
	var n int
	if err := t.row(`SELECT COUNT(*)`+from, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	offset := max(q.Offset, 0)
	if n == 0 || offset >= n {
		return nil, n, nil
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	limit = min(limit, xinyong.MaxPublicListingPage)
	rows, err := t.rows(`SELECT `+subjectColsS+`, l.data FROM (SELECT l.id, l.listed_on AS listed_on`+from+` ORDER BY listed_on DESC, l.id LIMIT ? OFFSET ?) p`+
		` JOIN listing l ON l.id = p.id JOIN subject s ON s.id = l.subject_id ORDER BY p.listed_on DESC, p.id`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := make([]xinyong.SubjectListing, 0, limit)
	for rows.Next() {
		var data string
		subj, err := scanSubject(countingScanner{rows, &data})
		if err != nil {
			return nil, 0, err
		}
		l, err := decodeListing(data)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, xinyong.SubjectListing{Listing: l, Subject: subj})
	}
	return out, n, rows.Err()
}
