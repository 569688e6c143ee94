package sqlstore

import (
	"encoding/json"
	"fmt"

	"xinyong"
)

// The reads a grade export makes to flag outdated grades (a counted record
// that stopped counting since): the stored grades page by page, then the
// records they counted by id — index lookups only, never a scan of the
// record or repair table.

// GradeCountedAfter returns, for up to limit of the model's grades of the
// subjects after the id (of the department's subjects: those with a
// record from it; "" for every subject), in subject order, the records
// and listings each counted (its explanation's indicators' records and
// listings, in order). Only that much of the explanation is decoded.
func (t *Tx) GradeCountedAfter(modelID, departmentID, after string, limit int) ([]xinyong.GradeCounted, error) {
	q := `SELECT subject_id, model_version, explanation FROM grade g WHERE model_id = ? AND subject_id > ?`
	args := []any{modelID, after}
	if departmentID != "" {
		q += ` AND EXISTS (SELECT 1 FROM record r WHERE r.department_id = ? AND r.subject_id = g.subject_id)`
		args = append(args, departmentID)
	}
	rows, err := t.rows(q+` ORDER BY subject_id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []xinyong.GradeCounted
	for rows.Next() {
		var g xinyong.GradeCounted
		var ex string
		if err := rows.Scan(&g.SubjectID, &g.ModelVersion, &ex); err != nil {
			return nil, err
		}
		if ex != "" {
			var doc struct {
				Indicators []struct {
					Records  []string `json:"records"`
					Listings []string `json:"listings"`
				} `json:"indicators"`
			}
			if err := json.Unmarshal([]byte(ex), &doc); err != nil {
				return nil, fmt.Errorf("decode grade explanation: %w", err)
			}
			for _, in := range doc.Indicators {
				g.Records = append(g.Records, in.Records...)
				g.Listings = append(g.Listings, in.Listings...)
			}
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// RecordStops returns, of the records among ids that stopped counting, how
// and since when: the last approved repair naming the record (in the order
// Repairs lists them), else the record's withdrawal.
func (t *Tx) RecordStops(ids []string) (map[string]xinyong.RecordStop, error) {
	out := map[string]xinyong.RecordStop{}
	for len(ids) > 0 {
		n := min(len(ids), inChunk)
		chunk := ids[:n]
		ids = ids[n:]
		args := make([]any, 0, n+1)
		args = append(args, string(xinyong.RepairApproved))
		for _, id := range chunk {
			args = append(args, id)
		}
		reps, err := t.repairs(`SELECT data FROM repair WHERE state = ? AND record_id IN (`+placeholders(n)+`) ORDER BY open DESC, due, id`, args...)
		if err != nil {
			return nil, err
		}
		for _, r := range reps {
			if r.RecordID == "" {
				continue
			}
			s := xinyong.RecordStop{Repaired: true}
			if r.Decision != nil {
				s.On = r.Decision.Date
			}
			out[r.RecordID] = s
		}
		args[0] = string(xinyong.RecordWithdrawn)
		rows, err := t.rows(`SELECT id, data FROM record WHERE status = ? AND id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, data string
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return nil, err
			}
			if _, ok := out[id]; ok {
				continue
			}
			var doc struct {
				Withdrawal *xinyong.Withdrawal `json:"withdrawal"`
			}
			if err := json.Unmarshal([]byte(data), &doc); err != nil {
				rows.Close()
				return nil, fmt.Errorf("decode record: %w", err)
			}
			s := xinyong.RecordStop{}
			if doc.Withdrawal != nil {
				s.On = xinyong.DateOf(doc.Withdrawal.At)
			}
			out[id] = s
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GradedListings returns the listings among ids (those stored grades
// counted), by id, as stored now: primary-key lookups, inChunk ids a
// query. An id with no listing is left out.
func (t *Tx) GradedListings(ids []string) (map[string]xinyong.Listing, error) {
	out := map[string]xinyong.Listing{}
	for len(ids) > 0 {
		n := min(len(ids), inChunk)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		ids = ids[n:]
		ls, err := t.listings(`SELECT data FROM listing WHERE id IN (`+placeholders(n)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			out[l.ID] = l
		}
	}
	return out, nil
}
