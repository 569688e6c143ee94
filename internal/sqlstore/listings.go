package sqlstore

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"strings"

	"xinyong"
)

// Serious-dishonesty listings (issue 6). The listing is kept whole as JSON;
// the columns beside it are what the queries select on.

// InsertListing stores a new listing, its first version and its records.
func (t *Tx) InsertListing(l xinyong.Listing) error {
	data := mustJSON(l)
	if err := t.execOne("listing", `INSERT INTO listing (id, list_type, subject_id, department_id, state, version, end_date, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, l.ListType, l.SubjectID, l.DepartmentID, string(l.State), l.Version, l.EndDate, Micros(l.UpdatedAt), data); err != nil {
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

func (t *Tx) addListingVersion(l xinyong.Listing, data string) error {
	return t.exec(`INSERT INTO listing_version (listing_id, version, state, at, data) VALUES (?, ?, ?, ?, ?)`, l.ID, l.Version, string(l.State), Micros(l.UpdatedAt), data)
}

// UpdateListing stores l as the next version if the stored listing is still
// at fromVersion in state from (compare and set: of two racing steps,
// exactly one wins).
func (t *Tx) UpdateListing(l xinyong.Listing, from xinyong.ListingState, fromVersion int) error {
	data := mustJSON(l)
	res, err := t.execResult(`UPDATE listing SET state = ?, version = ?, end_date = ?, updated_at = ?, data = ? WHERE id = ? AND state = ? AND version = ?`,
		string(l.State), l.Version, l.EndDate, Micros(l.UpdatedAt), data, l.ID, string(from), fromVersion)
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

func decodeListing(data string) (xinyong.Listing, error) {
	var l xinyong.Listing
	err := json.Unmarshal([]byte(data), &l)
	return l, err
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
	if f.State != "" {
		conds, args = append(conds, "state = ?"), append(args, string(f.State))
	}
	if f.RecordID != "" {
		conds, args = append(conds, "id IN (SELECT listing_id FROM listing_record WHERE record_id = ?)"), append(args, f.RecordID)
	}
	if !f.EndBefore.IsZero() {
		conds, args = append(conds, "end_date IS NOT NULL AND end_date <= ?"), append(args, f.EndBefore)
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
