package workflow

import (
	"bytes"
	"encoding/json"

	"xinyong"
	"xinyong/internal/ledger"
)

// objectionLeafProblem checks the leaf of an objection version: its
// commitment recomputed from the stored version (versionLeafProblem), "" when
// it matches.
//
// One change of a stored version is accepted: an answer "corrected" written
// before corrected values left the objection (its leaf commits to
// resolution.corrections, field → value) whose values migration 0017 removed,
// naming the fields in resolution.corrected_fields as answers are stored now
// (xinyong.StoredResolution). The values were copied into the record version
// the answer wrote (resolution.record_version), whose salted content its own
// leaf commits to: the version as first written is rebuilt from the stored
// one and that content, and must match the leaf byte for byte. Once an
// approved credit repair deleted the record (erasureProblem), that content is
// erased and the values with it, as DOMAIN.md §6 asks, and the old row
// cannot be rebuilt: the version is then accepted only when migration 0017
// listed it as rewritten for this leaf (objection_migration), the list was
// sealed by its objection.migrated leaf, and the row's SHA-256 is the one
// sealed (migratedRowProblem, objections_seal.go); the seal leaf's own check
// (objectionSealCheck) proves the list is the one sealed. Any other row of
// that shape (an answer rewritten to look migrated) is a mismatch.
func objectionLeafProblem(tx xinyong.Tx, e xinyong.LedgerEntry, cache map[string][]xinyong.Objection) string {
	msg := versionLeafProblem(e, "objection", objectionSalt, cache, tx.ObjectionVersions, func(o xinyong.Objection) int { return o.Version })
	if msg == "" {
		return ""
	}
	var o xinyong.Objection
	found := false
	for _, v := range cache[e.ObjectID] {
		if v.Version == e.Version {
			o, found = v, true
			break
		}
	}
	res := o.Resolution
	if !found || res == nil || res.Outcome != xinyong.OutcomeCorrected || len(res.Corrections) > 0 || len(res.Corrected) == 0 || res.RecordVersion == 0 {
		return msg
	}
	vs, err := tx.RecordVersions(o.RecordID)
	if err != nil {
		return msg
	}
	for _, rv := range vs {
		if rv.Version != res.RecordVersion {
			continue
		}
		if rv.Content == nil {
			// Erased: only an approved deletion by credit repair erases,
			// and the row must be exactly the one migration 0017 left,
			// listed and sealed (objections_seal.go).
			if erasureProblem(tx, o.RecordID) != "" || !onlyAnswered(cache[e.ObjectID], o) {
				return msg
			}
			return migratedRowProblem(tx, e, msg)
		}
		c, err := payloadOf(rv.Content)
		if err != nil {
			return msg
		}
		old := *res
		old.Corrected, old.Corrections = nil, make(map[string]string, len(res.Corrected))
		for _, k := range res.Corrected {
			val, ok := c.Payload.Fields[k]
			if !ok {
				return msg
			}
			old.Corrections[k] = val
		}
		o.Resolution = &old
		b, err := json.Marshal(o)
		if err != nil {
			return msg
		}
		if got := ledger.Commit(objectionSalt, b); bytes.Equal(got[:], e.Commitment) {
			return ""
		}
		return msg
	}
	return msg
}

// onlyAnswered reports whether o differs from the version before it (whose
// own leaf is checked) only where an answer writes: state, version,
// resolution and the update stamp (xinyong.ResolveObjection, the workflow's
// ResolveObjection).
func onlyAnswered(vs []xinyong.Objection, o xinyong.Objection) bool {
	for _, prev := range vs {
		if prev.Version != o.Version-1 {
			continue
		}
		prev.State, prev.Version, prev.Resolution, prev.UpdatedAt, prev.UpdatedBy = o.State, o.Version, o.Resolution, o.UpdatedAt, o.UpdatedBy
		a, err1 := json.Marshal(prev)
		b, err2 := json.Marshal(o)
		return err1 == nil && err2 == nil && bytes.Equal(a, b)
	}
	return false
}
