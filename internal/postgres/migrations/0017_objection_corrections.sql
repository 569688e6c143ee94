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
-- content, and accepts it without the values only when an approved repair
-- deleted the record (internal/workflow/objections_ledger.go).
--
-- The LIKE conditions keep the jsonb cast to the rows concerned (CASE: in
-- that order); a row whose text holds the escape \u0000 (which jsonb
-- refuses) is left as it is rather than fail the migration (readers then
-- show its values as before).
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
SELECT 1;
