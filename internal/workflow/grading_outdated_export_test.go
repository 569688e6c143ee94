package workflow

import (
	"slices"

	"xinyong"
)

// OutdatedBoth returns, by subject, the outdated flags of an export of the
// model computed by loadOutdated and by the full scan it replaced
// (loadOutdatedScan, kept here to compare), with loadOutdated reading page
// grades at a time.
func OutdatedBoth(tx xinyong.Tx, modelID, departmentID string, version, page int) (got, want map[string][]StoppedRecord, err error) {
	old := outdatedPage
	outdatedPage = page
	defer func() { outdatedPage = old }()
	g, err := loadOutdated(tx, modelID, departmentID, version)
	if err != nil {
		return nil, nil, err
	}
	w, err := loadOutdatedScan(tx, modelID)
	return g, w, err
}

// loadOutdatedScan is loadOutdated as it was: every approved repair and
// every withdrawn record, then the stored grade of each of their subjects.
func loadOutdatedScan(tx xinyong.Tx, modelID string) (outdatedIndex, error) {
	stopped := map[string]StoppedRecord{}
	bySubject := map[string]bool{}
	reps, err := tx.Repairs(xinyong.RepairFilter{State: xinyong.RepairApproved, Limit: 1 << 30})
	if err != nil {
		return nil, err
	}
	for _, r := range reps {
		if r.RecordID == "" {
			continue
		}
		s := StoppedRecord{Record: r.RecordID, Cause: "repaired"}
		if r.Decision != nil {
			s.On = r.Decision.Date
		}
		stopped[r.RecordID], bySubject[r.SubjectID] = s, true
	}
	after := ""
	for {
		rs, err := tx.ListRecords(xinyong.RecordFilter{Status: xinyong.RecordWithdrawn, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if _, ok := stopped[r.ID]; ok {
				continue
			}
			s := StoppedRecord{Record: r.ID, Cause: "withdrawn"}
			if r.Withdrawal != nil {
				s.On = xinyong.DateOf(r.Withdrawal.At)
			}
			stopped[r.ID], bySubject[r.SubjectID] = s, true
		}
		if len(rs) < 1000 {
			break
		}
		after = rs[len(rs)-1].ID
	}
	idx := outdatedIndex{}
	for subj := range bySubject {
		g, err := tx.Grade(subj, modelID)
		if xinyong.ErrorCode(err) == xinyong.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		var out []StoppedRecord
		for _, id := range countedRecords(g) {
			if s, ok := stopped[id]; ok && !slices.ContainsFunc(out, func(x StoppedRecord) bool { return x.Record == id }) {
				out = append(out, s)
			}
		}
		if len(out) > 0 {
			idx[subj] = out
		}
	}
	return idx, nil
}
