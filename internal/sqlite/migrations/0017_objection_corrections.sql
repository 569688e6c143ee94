-- +goose Up
-- Objections answered "corrected" before corrected values were kept only in
-- the record version (doc/objections.md) still hold the values in their rows:
-- resolution.corrections, field code → value, in the objection and in its
-- resolved version. They are the record's content, which a deletion by credit
-- repair erases from every record version; here they survived it (a person's
-- details, a masked or, before intake's rule, a clear citizen ID number).
--
-- Each such row is written as the application writes an answer now
-- (xinyong.StoredResolution): the corrected fields named, sorted, in
-- resolution.corrected_fields (kept when the row names them already), and no
-- resolution.corrections. Readers take the values from the record version
-- the answer wrote (resolution.record_version), none once a repair deleted
-- the record. The objection's ledger leaves still commit to the old rows:
-- ledger verify recomputes such a leaf from the row and that record
-- version's committed content, and accepts it without the values only when
-- an approved repair deleted the record (internal/workflow/objections_ledger.go).
-- The same SQL runs on both dialects except the JSON functions.
UPDATE objection_version SET data = json_remove(
  CASE WHEN json_array_length(data, '$.resolution.corrected_fields') > 0 THEN data
  ELSE json_set(data, '$.resolution.corrected_fields', json((SELECT json_group_array(c.key ORDER BY c.key) FROM json_each(objection_version.data, '$.resolution.corrections') c)))
  END, '$.resolution.corrections')
WHERE json_type(data, '$.resolution.corrections') = 'object' AND json_extract(data, '$.resolution.corrections') <> '{}';

UPDATE objection SET data = json_remove(
  CASE WHEN json_array_length(data, '$.resolution.corrected_fields') > 0 THEN data
  ELSE json_set(data, '$.resolution.corrected_fields', json((SELECT json_group_array(c.key ORDER BY c.key) FROM json_each(objection.data, '$.resolution.corrections') c)))
  END, '$.resolution.corrections')
WHERE json_type(data, '$.resolution.corrections') = 'object' AND json_extract(data, '$.resolution.corrections') <> '{}';

-- +goose Down
-- The values are gone: nothing to restore (the record versions hold them
-- while the record is not deleted).
SELECT 1;
