package sqlstore

import (
	"encoding/json"
	"strings"

	"xinyong"
)

// Credit repair (issue 7). The application is kept whole as JSON; the
// columns beside it are what the queries select on.

func repairCols(r xinyong.Repair) (open int, due string, peer, decision any) {
	if r.State.Open() {
		open = 1
	}
	if d, _ := r.Due(); !d.IsZero() {
		due = d.String()
	}
	if r.Origin != nil {
		peer, decision = r.Origin.Peer, r.Origin.DecisionID
	}
	return
}

func normRepair(r xinyong.Repair) xinyong.Repair {
	r.CreatedAt, r.UpdatedAt = UTC(r.CreatedAt), UTC(r.UpdatedAt)
	return r
}

// InsertRepair stores a new application and its first version.
func (t *Tx) InsertRepair(r xinyong.Repair) error {
	r = normRepair(r)
	data := mustJSON(r)
	open, due, peer, decision := repairCols(r)
	if err := t.execOne("repair", `INSERT INTO repair (id, code, target, record_id, listing_id, subject_id, department_id, state, open, version, due, origin_peer, origin_decision, updated_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Code, string(r.Target), nullStr(r.RecordID), nullStr(r.ListingID), r.SubjectID, r.DepartmentID, string(r.State), open, r.Version, due, peer, decision, Micros(r.UpdatedAt), data); err != nil {
		return err
	}
	return t.addRepairVersion(r, data)
}

func (t *Tx) addRepairVersion(r xinyong.Repair, data string) error {
	return t.exec(`INSERT INTO repair_version (repair_id, version, state, at, data) VALUES (?, ?, ?, ?, ?)`, r.ID, r.Version, string(r.State), Micros(r.UpdatedAt), data)
}

// UpdateRepair stores r as the next version if the stored application is
// still at fromVersion in state from (compare and set).
func (t *Tx) UpdateRepair(r xinyong.Repair, from xinyong.RepairState, fromVersion int) error {
	r = normRepair(r)
	data := mustJSON(r)
	open, due, _, _ := repairCols(r)
	res, err := t.execResult(`UPDATE repair SET state = ?, open = ?, version = ?, due = ?, department_id = ?, updated_at = ?, data = ? WHERE id = ? AND state = ? AND version = ?`,
		string(r.State), open, r.Version, due, r.DepartmentID, Micros(r.UpdatedAt), data, r.ID, string(from), fromVersion)
	if err := casOutcome(res, err, "repair application", r.ID, string(from), fromVersion, func() error { _, err := t.Repair(r.ID); return err }); err != nil {
		return err
	}
	return t.addRepairVersion(r, data)
}

func decodeRepair(data string) (xinyong.Repair, error) {
	var r xinyong.Repair
	err := json.Unmarshal([]byte(data), &r)
	return r, err
}

func (t *Tx) repairBy(cond string, args ...any) (xinyong.Repair, error) {
	var data string
	if err := t.row(`SELECT data FROM repair WHERE `+cond, args...).Scan(&data); err != nil {
		return xinyong.Repair{}, notFound("repair application", err)
	}
	return decodeRepair(data)
}

// Repair returns the application with the id.
func (t *Tx) Repair(id string) (xinyong.Repair, error) { return t.repairBy(`id = ?`, id) }

// RepairByCode returns the application with the progress code.
func (t *Tx) RepairByCode(code string) (xinyong.Repair, error) {
	return t.repairBy(`code = ?`, code)
}

// RepairByOrigin returns the application a peer's decision created.
func (t *Tx) RepairByOrigin(peer, decisionID string) (xinyong.Repair, error) {
	return t.repairBy(`origin_peer = ? AND origin_decision = ?`, peer, decisionID)
}

// RepairVersions returns every version, oldest first.
func (t *Tx) RepairVersions(id string) ([]xinyong.Repair, error) {
	out, err := t.repairs(`SELECT data FROM repair_version WHERE repair_id = ? ORDER BY version`, id)
	if err == nil && len(out) == 0 {
		return nil, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "repair application not found"}
	}
	return out, err
}

// Repairs returns the applications f selects, by next deadline then id.
func (t *Tx) Repairs(f xinyong.RepairFilter) ([]xinyong.Repair, error) {
	var conds []string
	var args []any
	add := func(c string, v ...any) { conds, args = append(conds, c), append(args, v...) }
	if f.DepartmentID != "" {
		add("department_id = ?", f.DepartmentID)
	}
	if f.Platform {
		add("department_id = ''")
	}
	if f.SubjectID != "" {
		add("subject_id = ?", f.SubjectID)
	}
	if f.RecordID != "" {
		add("record_id = ?", f.RecordID)
	}
	if f.ListingID != "" {
		add("listing_id = ?", f.ListingID)
	}
	if f.State != "" {
		add("state = ?", string(f.State))
	}
	if f.Open {
		add("open = 1")
	}
	if !f.DueBefore.IsZero() {
		add("open = 1 AND due <> '' AND due <= ?", f.DueBefore.String())
	}
	q := `SELECT data FROM repair`
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 500
	}
	return t.repairs(q+` ORDER BY open DESC, due, id LIMIT ?`, append(args, limit)...)
}

func (t *Tx) repairs(query string, args ...any) ([]xinyong.Repair, error) {
	rows, err := t.rows(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Repair
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, err
		}
		r, err := decodeRepair(data)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRecordRepair records a record's repair outcome.
func (t *Tx) SetRecordRepair(recordID, repairID string, outcome xinyong.RepairOutcome) error {
	return t.execOne("record_repair", `INSERT INTO record_repair (record_id, repair_id, outcome) VALUES (?, ?, ?)`, recordID, repairID, string(outcome))
}

// RecordRepairs returns the outcome of each of the records that has one.
func (t *Tx) RecordRepairs(ids []string) (map[string]xinyong.RepairOutcome, error) {
	out := map[string]xinyong.RepairOutcome{}
	for len(ids) > 0 {
		n := min(len(ids), inChunk)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := t.rows(`SELECT record_id, outcome FROM record_repair WHERE record_id IN (`+placeholders(len(chunk))+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, o string
			if err := rows.Scan(&id, &o); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = xinyong.RepairOutcome(o)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RecordRepair returns a record's repair outcome and the repair's id.
func (t *Tx) RecordRepair(recordID string) (xinyong.RepairOutcome, string, error) {
	var o, id string
	if err := t.row(`SELECT outcome, repair_id FROM record_repair WHERE record_id = ?`, recordID).Scan(&o, &id); err != nil {
		return "", "", notFound("record repair", err)
	}
	return xinyong.RepairOutcome(o), id, nil
}

// EraseRecord erases the content and salt of every version of the record
// and replaces each stored document with r's (what is left after deletion).
func (t *Tx) EraseRecord(r xinyong.Record) error {
	r = normRecord(r)
	r.Content, r.Salt = nil, nil
	res, err := t.execResult(`UPDATE record SET content = NULL, salt = NULL, data = ?, lenient = ? WHERE id = ? AND version = ?`, mustJSON(r), lenientCol(r), r.ID, r.Version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		if _, err := t.Record(r.ID); err != nil {
			return err
		}
		return &xinyong.Error{Code: xinyong.ECONFLICT, Message: "the record changed meanwhile; reload it and try again"}
	}
	rows, err := t.rows(`SELECT version FROM record_version WHERE record_id = ?`, r.ID)
	if err != nil {
		return err
	}
	var vs []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return err
		}
		vs = append(vs, v)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return err
	}
	for _, v := range vs {
		old := r
		old.Version = v
		if err := t.exec(`UPDATE record_version SET content = NULL, salt = NULL, data = ? WHERE record_id = ? AND version = ?`, mustJSON(old), r.ID, v); err != nil {
			return err
		}
	}
	return nil
}

// PutPeer inserts or updates a peer by name.
func (t *Tx) PutPeer(p xinyong.Peer) error {
	dis := 0
	if p.Disabled {
		dis = 1
	}
	return t.exec(`INSERT INTO peer (id, name, public_key, disabled, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (name) DO UPDATE SET public_key = excluded.public_key, disabled = excluded.disabled`, p.ID, p.Name, p.PublicKey, dis, p.CreatedBy, Micros(p.CreatedAt))
}

func (t *Tx) peers(cond string, args ...any) ([]xinyong.Peer, error) {
	rows, err := t.rows(`SELECT id, name, public_key, disabled, created_by, created_at FROM peer`+cond, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.Peer
	for rows.Next() {
		var p xinyong.Peer
		var dis int
		var at int64
		if err := rows.Scan(&p.ID, &p.Name, &p.PublicKey, &dis, &p.CreatedBy, &at); err != nil {
			return nil, err
		}
		p.Disabled, p.CreatedAt = dis != 0, FromMicros(at)
		out = append(out, p)
	}
	return out, rows.Err()
}

// PeerByName returns the peer with the name.
func (t *Tx) PeerByName(name string) (xinyong.Peer, error) {
	ps, err := t.peers(` WHERE name = ?`, name)
	if err != nil {
		return xinyong.Peer{}, err
	}
	if len(ps) == 0 {
		return xinyong.Peer{}, &xinyong.Error{Code: xinyong.ENOTFOUND, Message: "peer " + name + " not found"}
	}
	return ps[0], nil
}

// Peers returns every peer by name.
func (t *Tx) Peers() ([]xinyong.Peer, error) { return t.peers(` ORDER BY name`) }
