package workflow

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"xinyong"
	"xinyong/internal/ledger"
)

// Migration 0017 rewrote the objection versions answered "corrected" whose
// rows still held the corrected values (doc/objections.md); their leaves
// commit to the rows as they were. Where the record still exists, verify
// rebuilds the old row from the record version's content. Where an approved
// credit repair deleted the record, the values are erased and nothing can
// rebuild the old row: verify then accepts the row only as the migration
// left it. The migration lists the versions it rewrote in
// objection_migration (with the leaf of the old row); SealObjectionMigration,
// run by the process that applied the migration right after applying it,
// stores each listed row's SHA-256 and appends one ledger leaf committing to
// the whole list, so that the list, and each row on it, cannot be changed
// afterwards without verify noticing. The seal is written once and only
// then: a row added to the list later (behind the application's back) is
// never sealed, and verify reports a listed row without a seal and any
// second seal leaf (objectionMigrationProblems).

// LeafObjectionMigrated is the ledger leaf kind that seals the list of
// objection versions migration 0017 rewrote.
const LeafObjectionMigrated = "objection.migrated"

// ActObjectionMigrated is the audit action of the seal.
const ActObjectionMigrated xinyong.Action = "objection.migrated"

// objectionSealObject is the object id of the seal leaf and its audit event.
const objectionSealObject = "0017"

var objectionMigratedSalt = []byte("xinyong-objection-migrated")

// sqlTx is what the SQL stores' transactions expose (sqlstore.Tx): the
// migration's table is read and written here, not through xinyong.Tx,
// since nothing but the seal and verify ever touches it.
type sqlTx interface {
	SQL() *sql.Tx
	Q(query string) string
	Context() context.Context
}

// migrationSQL returns tx's SQL transaction when it has one and the table
// objection_migration exists (a database before migration 0017, or a store
// without SQL, has nothing to seal or to accept).
func migrationSQL(tx xinyong.Tx) (sqlTx, bool, error) {
	r, ok := tx.(sqlTx)
	if !ok || r.SQL() == nil {
		return nil, false, nil
	}
	// A query that cannot fail on either dialect: a failed statement would
	// abort a PostgreSQL transaction (verify's, the start's).
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'objection_migration'`
	if r.Q("?") != "?" {
		q = `SELECT COUNT(*) FROM (SELECT to_regclass('objection_migration') AS t) x WHERE t IS NOT NULL`
	}
	var n int
	if err := r.SQL().QueryRowContext(r.Context(), q).Scan(&n); err != nil {
		return nil, false, err
	}
	return r, n > 0, nil
}

// migratedRow is one row of objection_migration.
type migratedRow struct {
	ObjectionID  string `json:"objection_id"`
	Version      int    `json:"version"`
	OldLedgerIdx int64  `json:"old_ledger_idx"`
	RowSHA256    string `json:"row_sha256"`
	sealIdx      sql.NullInt64
	sealed       bool // row_sha256 is set
}

// readMigrated reads the rows of objection_migration (where, args: a
// condition), in the canonical order: objection id (bytes), version.
func readMigrated(r sqlTx, where string, args ...any) ([]migratedRow, error) {
	rows, err := r.SQL().QueryContext(r.Context(), r.Q(`SELECT objection_id, version, old_ledger_idx, row_sha256, seal_idx FROM objection_migration `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []migratedRow
	for rows.Next() {
		var m migratedRow
		var h sql.NullString
		if err := rows.Scan(&m.ObjectionID, &m.Version, &m.OldLedgerIdx, &h, &m.sealIdx); err != nil {
			return nil, err
		}
		m.RowSHA256, m.sealed = h.String, h.Valid
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ObjectionID != out[j].ObjectionID {
			return out[i].ObjectionID < out[j].ObjectionID
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}

// storedVersionSHA256 is the SHA-256 (hex) of an objection version's stored
// form, the text of its data column; ok is false when the row is missing.
func storedVersionSHA256(r sqlTx, objectionID string, version int) (string, bool, error) {
	var data string
	err := r.SQL().QueryRowContext(r.Context(), r.Q(`SELECT data FROM objection_version WHERE objection_id = ? AND version = ?`), objectionID, version).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	h := sha256.Sum256([]byte(data))
	return hex.EncodeToString(h[:]), true, nil
}

// migratedCommitment is what a seal leaf commits to: the JSON of the listed
// rows (objection id, version, old leaf, row hash) in the canonical order.
func migratedCommitment(rows []migratedRow) ([32]byte, error) {
	b, err := json.Marshal(rows)
	if err != nil {
		return [32]byte{}, err
	}
	return ledger.Commit(objectionMigratedSalt, b), nil
}

// migrationClaimer is a store that reports, once, that it applied a
// migration in this process (sqlstore.DB.ClaimApplied).
type migrationClaimer interface {
	ClaimApplied(version int64) bool
}

// objectionMigrationVersion is the migration whose rows are sealed.
const objectionMigrationVersion = 17

// SealObjectionMigration seals the objection versions migration 0017
// rewrote (see above) and returns how many it sealed. app.Open runs it right
// after migrating; it does something only in the process whose Migrate
// applied 0017, the first time it is asked (the store's ClaimApplied), and
// never at a later start, whatever the table holds then: a row listed after
// the migration was not written by it. When the list has rows it stores
// their hashes and appends one objection.migrated leaf and one audit event,
// in one transaction under the ledger lock. With an empty list (a database
// created at this schema) it writes nothing, and the list stays unsealed
// for good: verify reports any row found there later.
func (s *Service) SealObjectionMigration(ctx context.Context) (int, error) {
	c, ok := s.Store.(migrationClaimer)
	if !ok || !c.ClaimApplied(objectionMigrationVersion) {
		return 0, nil
	}
	return s.sealMigratedRows(ctx)
}

// sealMigratedRows writes the seal of SealObjectionMigration, unasked:
// nothing when no row is left unsealed.
func (s *Service) sealMigratedRows(ctx context.Context) (int, error) {
	sealed := 0
	err := s.update(ctx, xinyong.System, func(t *txn) error {
		r, ok, err := migrationSQL(t.Tx)
		if err != nil || !ok {
			return err
		}
		// The ledger lock first: whoever holds it seals, the other finds
		// the rows sealed.
		if err := t.lockLedgerFirst(); err != nil {
			return err
		}
		rows, err := readMigrated(r, `WHERE seal_idx IS NULL`)
		if err != nil || len(rows) == 0 {
			return err
		}
		for i := range rows {
			h, found, err := storedVersionSHA256(r, rows[i].ObjectionID, rows[i].Version)
			if err != nil {
				return err
			}
			if !found {
				h = "" // deleted since: verify reports the version missing
			}
			rows[i].RowSHA256 = h
		}
		c, err := migratedCommitment(rows)
		if err != nil {
			return err
		}
		idx, err := t.leaf(LeafObjectionMigrated, "objection_migration", objectionSealObject, 1, c)
		if err != nil {
			return err
		}
		for _, m := range rows {
			if _, err := r.SQL().ExecContext(ctx, r.Q(`UPDATE objection_migration SET row_sha256 = ?, seal_idx = ? WHERE objection_id = ? AND version = ?`), m.RowSHA256, idx, m.ObjectionID, m.Version); err != nil {
				return err
			}
		}
		sealed = len(rows)
		return t.audit(ActObjectionMigrated, "objection_migration", objectionSealObject, nil, rows,
			fmt.Sprintf("migration 0017: %d objection versions rewritten without their corrected values sealed in ledger leaf %d", len(rows), idx))
	})
	if err != nil {
		return 0, fmt.Errorf("seal migration 0017's objection rows: %w", err)
	}
	if sealed > 0 && s.Log != nil {
		s.Log.Info("sealed the objection versions migration 0017 rewrote", "rows", sealed)
	}
	return sealed, nil
}

// migratedRowProblem decides an objection version whose leaf commits to the
// row as it was before migration 0017 and whose record an approved repair
// deleted (its values erased): "" when the version is listed in
// objection_migration for this leaf, sealed, and its row unchanged since;
// otherwise what is wrong (notListed when it is not listed at all). That
// the list is the one sealed is checked at the seal leaf
// (objectionSealCheck).
func migratedRowProblem(tx xinyong.Tx, e xinyong.LedgerEntry, notListed string) string {
	r, ok, err := migrationSQL(tx)
	if err != nil {
		return notListed + " (objection_migration cannot be read: " + err.Error() + ")"
	}
	if !ok {
		return notListed
	}
	rows, err := readMigrated(r, `WHERE objection_id = ? AND version = ?`, e.ObjectID, e.Version)
	if err != nil {
		return notListed + " (objection_migration cannot be read: " + err.Error() + ")"
	}
	if len(rows) != 1 || rows[0].OldLedgerIdx != e.Index {
		return notListed
	}
	m := rows[0]
	if !m.sealed || !m.sealIdx.Valid {
		return "the stored objection version does not match the ledger commitment; it is listed in objection_migration as rewritten by migration 0017 but was never sealed: the process that applied 0017 seals its list right away, so either the row was listed (and changed) behind the application's back, or the upgrade to schema 17 stopped before sealing (then restore the backup taken before it and migrate again; doc/ledger.md)"
	}
	seal, err := tx.LedgerEntry(m.sealIdx.Int64)
	head, herr := tx.LedgerHead()
	if err != nil || herr != nil || seal.Kind != LeafObjectionMigrated || m.sealIdx.Int64 >= head.Size {
		return fmt.Sprintf("the stored objection version does not match the ledger commitment, and the leaf %d that would seal it as rewritten by migration 0017 is missing or is not such a seal: the row or the migration's list was changed", m.sealIdx.Int64)
	}
	if first, err := sealLeaves(r); err != nil || len(first) == 0 || first[0] != m.sealIdx.Int64 {
		return fmt.Sprintf("the stored objection version does not match the ledger commitment, and the leaf %d that seals it as rewritten by migration 0017 is not the first such seal, written when 0017 was applied: it was listed and sealed later", m.sealIdx.Int64)
	}
	h, found, err := storedVersionSHA256(r, e.ObjectID, e.Version)
	if err != nil || !found || h != m.RowSHA256 {
		return "the stored objection version is neither the one the ledger commitment covers nor the one migration 0017 left (sealed in leaf " + fmt.Sprint(m.sealIdx.Int64) + "): the row was changed"
	}
	return ""
}

// objectionSealCheck checks a seal leaf (LeafObjectionMigrated): its
// commitment must be that of the rows of objection_migration it sealed, so
// a row changed, added to or removed from the list is reported here; rows
// that name a leaf that is no seal are reported too. Rows without a seal
// and a second seal leaf are objectionMigrationProblems' to report.
func objectionSealCheck(tx xinyong.Tx, e xinyong.LedgerEntry, add func(int64, string, string, ...any)) {
	obj := "objection_migration:" + e.ObjectID
	r, ok, err := migrationSQL(tx)
	if err != nil {
		add(e.Index, obj, "the list of objection versions migration 0017 rewrote cannot be read: %v", err)
		return
	}
	if !ok {
		add(e.Index, obj, "the list of objection versions migration 0017 rewrote, which this leaf seals, is missing: the table was dropped")
		return
	}
	all, err := readMigrated(r, ``)
	if err != nil {
		add(e.Index, obj, "the list of objection versions migration 0017 rewrote cannot be read: %v", err)
		return
	}
	var mine []migratedRow
	others := map[int64]int{}
	for _, m := range all {
		switch {
		case !m.sealIdx.Valid || !m.sealed:
			// objectionMigrationProblems reports it.
		case m.sealIdx.Int64 == e.Index:
			mine = append(mine, m)
		default:
			others[m.sealIdx.Int64]++
		}
	}
	c, err := migratedCommitment(mine)
	if err != nil || !bytes.Equal(c[:], e.Commitment) {
		add(e.Index, obj, "the objection versions listed as rewritten by migration 0017 and sealed by this leaf (rows: %d) do not match its commitment: rows of objection_migration were changed, added or removed", len(mine))
	}
	idxs := make([]int64, 0, len(others))
	for idx := range others {
		idxs = append(idxs, idx)
	}
	sort.Slice(idxs, func(i, j int) bool { return idxs[i] < idxs[j] })
	for _, idx := range idxs {
		n := others[idx]
		if s, err := tx.LedgerEntry(idx); err != nil || s.Kind != LeafObjectionMigrated {
			add(e.Index, obj, "%d rows of objection_migration name leaf %d as their seal, which is not one: they were changed or added behind the application's back", n, idx)
		}
	}
}

// sealLeaves returns the indexes of the objection.migrated leaves, in order.
func sealLeaves(r sqlTx) ([]int64, error) {
	rows, err := r.SQL().QueryContext(r.Context(), r.Q(`SELECT idx FROM ledger_entry WHERE kind = ? ORDER BY idx`), LeafObjectionMigrated)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var idx int64
		if err := rows.Scan(&idx); err != nil {
			return nil, err
		}
		out = append(out, idx)
	}
	return out, rows.Err()
}

// objectionMigrationProblems (run once by Verify) reports what can only be
// seen from the whole of objection_migration and the seal leaves: a second
// objection.migrated leaf below the head (the process that applied
// migration 0017 seals its list once, right away; a later seal was written
// over rows listed afterwards), and each listed row without a seal ("listed
// but never sealed": added to the list behind the application's back, on a
// migrated database as on one created at this schema, whose empty list is
// never sealed).
func objectionMigrationProblems(tx xinyong.Tx, size int64, add func(int64, string, string, ...any)) error {
	r, ok, err := migrationSQL(tx)
	if err != nil || !ok {
		return err
	}
	seals, err := sealLeaves(r)
	if err != nil {
		return err
	}
	for i, idx := range seals {
		if i == 0 || idx >= size {
			continue // the first; beyond the head is reported by Verify
		}
		add(idx, "objection_migration:"+objectionSealObject, "a second objection.migrated leaf (the first is leaf %d): migration 0017's list is sealed once, by the process that applied it, so this seal was written later, over rows listed behind the application's back", seals[0])
	}
	all, err := readMigrated(r, ``)
	if err != nil {
		return err
	}
	for _, m := range all {
		if m.sealed && m.sealIdx.Valid {
			continue
		}
		add(m.OldLedgerIdx, fmt.Sprintf("objection_migration:%s v%d", m.ObjectionID, m.Version), "objection version listed as rewritten by migration 0017 but never sealed: the process that applied 0017 seals its list right away, so either this row was listed behind the application's back, or the upgrade to schema 17 stopped before sealing (then restore the backup taken before it and migrate again; doc/ledger.md)")
	}
	return nil
}
