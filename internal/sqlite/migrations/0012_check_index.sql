-- +goose Up
-- The measures check reads a subject's active records by id, item,
-- severity and publication window (issue 6). A covering index answers it
-- without reading the ~3 KB record rows. It replaces record_subject
-- (subject_id, decision_date), which no query uses, so intake writes no
-- more index entries than before.
DROP INDEX record_subject;
CREATE INDEX record_check ON record (subject_id, status, item, severity, published, pub_start, pub_max_end, id);

-- +goose Down
DROP INDEX record_check;
CREATE INDEX record_subject ON record (subject_id, decision_date);
