-- +goose Up
-- Objections answered "corrected" before corrected values were kept only in
-- the record version (doc/objections.md) still hold the values in their rows:
-- resolution.corrections, field code → value, in the objection and in its
-- resolved version. They are the record's content, which a deletion by credit
-- repair erases from every record version; here they survived it (a person's
-- details, a masked or, before intake's rule, a clear citizen ID number).
--
-- Each such row is written as the application writes an answer now
-- (xinyong.StoredResolution): the corrected fields named, sorted by byte
-- (COLLATE "C", as Go sorts), in resolution.corrected_fields (kept when the
-- row names them already), and no resolution.corrections. Readers take the
-- values from the record version the answer wrote
-- (resolution.record_version), none once a repair deleted the record. The
-- objection's ledger leaves still commit to the old rows: ledger verify
-- recomputes such a leaf from the row and that record version's committed
-- content; once an approved repair deleted the record (the values erased
-- with it) it accepts the row only as this migration left it. So the
-- versions rewritten are listed first in objection_migration, with the leaf
-- that commits to the old row (old_ledger_idx). After migrating, the
-- platform seals the list once (internal/workflow/objections_seal.go): it
-- stores each listed row's SHA-256 (row_sha256) and appends one ledger leaf
-- (objection.migrated, its index in seal_idx) committing to the whole list.
-- Verify accepts a version whose record was erased only when it is listed,
-- sealed and unchanged (internal/workflow/objections_ledger.go).
--
-- The LIKE conditions keep the jsonb cast to the rows concerned (CASE: in
-- that order); a row whose text holds the escape \u0000 (which jsonb
-- refuses) is left as it is rather than fail the migration (readers then
-- show its values as before).
CREATE TABLE objection_migration (
  objection_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  old_ledger_idx BIGINT NOT NULL,
  row_sha256 TEXT,
  seal_idx BIGINT,
  PRIMARY KEY (objection_id, version)
);

-- The versions about to be rewritten (the condition of the UPDATE below).
INSERT INTO objection_migration (objection_id, version, old_ledger_idx)
SELECT ov.objection_id, ov.version, COALESCE(MIN(le.idx), -1)
FROM objection_version ov
LEFT JOIN ledger_entry le ON le.kind = 'objection.version' AND le.object_type = 'objection'
  AND le.object_id = ov.objection_id AND le.version = ov.version
WHERE CASE WHEN ov.data LIKE '%"corrections":%' AND strpos(ov.data, '\u0000') = 0
  THEN jsonb_typeof(ov.data::jsonb #> '{resolution,corrections}') = 'object'
    AND ov.data::jsonb #> '{resolution,corrections}' <> '{}'::jsonb
  ELSE FALSE END
GROUP BY ov.objection_id, ov.version;

UPDATE objection_version SET data = ((CASE
    WHEN jsonb_typeof(data::jsonb #> '{resolution,corrected_fields}') = 'array'
      AND jsonb_array_length(data::jsonb #> '{resolution,corrected_fields}') > 0 THEN data::jsonb
    ELSE jsonb_set(data::jsonb, '{resolution,corrected_fields}',
      (SELECT jsonb_agg(k ORDER BY k COLLATE "C") FROM jsonb_object_keys(data::jsonb #> '{resolution,corrections}') AS k))
  END) #- '{resolution,corrections}')::text
WHERE CASE WHEN data LIKE '%"corrections":%' AND strpos(data, '\u0000') = 0
  THEN jsonb_typeof(data::jsonb #> '{resolution,corrections}') = 'object'
    AND data::jsonb #> '{resolution,corrections}' <> '{}'::jsonb
  ELSE FALSE END;

UPDATE objection SET data = ((CASE
    WHEN jsonb_typeof(data::jsonb #> '{resolution,corrected_fields}') = 'array'
      AND jsonb_array_length(data::jsonb #> '{resolution,corrected_fields}') > 0 THEN data::jsonb
    ELSE jsonb_set(data::jsonb, '{resolution,corrected_fields}',
      (SELECT jsonb_agg(k ORDER BY k COLLATE "C") FROM jsonb_object_keys(data::jsonb #> '{resolution,corrections}') AS k))
  END) #- '{resolution,corrections}')::text
WHERE CASE WHEN data LIKE '%"corrections":%' AND strpos(data, '\u0000') = 0
  THEN jsonb_typeof(data::jsonb #> '{resolution,corrections}') = 'object'
    AND data::jsonb #> '{resolution,corrections}' <> '{}'::jsonb
  ELSE FALSE END;

-- +goose Down
-- The values are gone: nothing to restore (the record versions hold them
-- while the record is not deleted).
DROP TABLE objection_migration;
