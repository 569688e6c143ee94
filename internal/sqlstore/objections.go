package sqlstore

import (
	"encoding/json"
	"strings"

	"xinyong"
)

// Objections to records (issue 7). The objection is kept whole as JSON; the
// columns beside it are what the queries select on.

func openFlag(o xinyong.Objection) int {
	if o.State.Open() {
		return 1
	}
	return 0
}

// InsertObjection stores a new objection and its first version.
func (t *Tx) InsertObjection(o xinyong.Objection) error {
	data := mustJSON(o)
	if err := t.execOne("objection", `INSERT INTO objection (id, record_id, subject_id, department_id, state, open, version, deadline, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.RecordID, o.SubjectID, o.DepartmentID, string(o.State), openFlag(o), o.Version, o.Deadline.String(), Micros(o.UpdatedAt), data); err != nil {
		return err
	}
	return t.addObjectionVersion(o, data)
}

func (t *Tx) addObjectionVersion(o xinyong.Objection, data string) error {
	return t.exec(`INSERT INTO objection_version (objection_id, version, state, at, data) VALUES (?, ?, ?, ?, ?)`, o.ID, o.Version, string(o.State), Micros(o.UpdatedAt), data)
}

// UpdateObjection stores o as the next version if the stored objection is
// still at fromVersion in state from (compare and set).
func (t *Tx) UpdateObjection(o xinyong.Objection, from xinyong.ObjectionState, fromVersion int) error {
	data := mustJSON(o)
	res, err := t.execResult(`UPDATE objection SET state = ?, open = ?, version = ?, deadline = ?, updated_at = ?, data = ? WHERE id = ? AND state = ? AND version = ?`,
		string(o.State), openFlag(o), o.Version, o.Deadline.String(), Micros(o.UpdatedAt), data, o.ID, string(from), fromVersion)
	if err := casOutcome(res, err, "objection", o.ID, string(from), fromVersion, func() error { _, err := t.Objection(o.ID); return err }); err != nil {
		return err
	}
	return t.addObjectionVersion(o, data)
}

func decodeObjection(data string) (xinyong.Objection, error) {
	var o xinyong.Objection
	err := json.Unmarshal([]byte(data), &o)
	return o, err
}

// Objection returns the objection with the id.
func (t *Tx) Objection(id string) (xinyong.Objection, error) {
	var data string
	if err := t.row(`SELECT data FROM objection WHERE id = ?`, id).Scan(&data); err != nil {
		return xinyong.Objection{}, notFound("objection", err)
	}
	return decodeObjection(data)
}

// ObjectionVersions returns every version of the objection, oldest first.
func (t *Tx) ObjectionVersions(id string) ([]xinyong.Objection, error) {
	out, err := t.objections(`SELECT data FROM objection_version WHERE objection_id = ? ORDER BY version`, id)
	if err == nil && len(out) == 0 {
		return nil, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "objection not found"}
	}
	return out, err
}

// Objections returns the objections f selects, by id.
func (t *Tx) Objections(f xinyong.ObjectionFilter) ([]xinyong.Objection, error) {
	var conds []string
	var args []any
	if f.DepartmentID != "" {
		conds, args = append(conds, "department_id = ?"), append(args, f.DepartmentID)
	}
	if f.SubjectID != "" {
		conds, args = append(conds, "subject_id = ?"), append(args, f.SubjectID)
	}
	if f.RecordID != "" {
		conds, args = append(conds, "record_id = ?"), append(args, f.RecordID)
	}
	if f.Open {
		conds = append(conds, "open = 1")
	}
	if !f.DeadlineTo.IsZero() {
		conds, args = append(conds, "deadline <= ?"), append(args, f.DeadlineTo.String())
	}
	q := `SELECT data FROM objection`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	// Open objections first, soonest deadline first, then the decided
	// ones, last changed first: a limited list keeps the most urgent.
	order := ` ORDER BY open DESC, CASE WHEN open = 1 THEN deadline ELSE '' END, updated_at DESC, id`
	if f.Open {
		order = ` ORDER BY deadline, id`
	}
	return t.objections(q+order+` LIMIT ?`, append(args, limit)...)
}

// DisputedRecords returns which of the records have an open objection.
func (t *Tx) DisputedRecords(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := t.rows(`SELECT DISTINCT record_id FROM objection WHERE open = 1 AND record_id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = true
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (t *Tx) objections(query string, args ...any) ([]xinyong.Objection, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Objection
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		o, err := decodeObjection(data)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
