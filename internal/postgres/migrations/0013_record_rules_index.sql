-- +goose Up
-- Intake writes every record into each index of the record table, and two
-- covering indexes served the rules: record_check (the measures check,
-- issue 6) and record_grading (grading runs), the latter with an
-- expression, data LIKE '%"leniency":%', that the database evaluated over the
-- ~1.4 KB document of every inserted row. One covering index now serves
-- both, and the leniency hint is a column written with the row, so intake
-- maintains one index fewer and scans no documents (issue 3).
ALTER TABLE record ADD COLUMN lenient BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE record SET lenient = TRUE WHERE data LIKE '%"leniency":%';
DROP INDEX record_check;
DROP INDEX record_grading;
CREATE INDEX record_rules ON record (subject_id, status, item, severity, decision_date, published, pub_start, pub_max_end, lenient, id);

-- +goose Down
DROP INDEX record_rules;
CREATE INDEX record_grading ON record (subject_id, item, status, decision_date, severity, id, (data LIKE '%"leniency":%'));
CREATE INDEX record_check ON record (subject_id, status, item, severity, published, pub_start, pub_max_end, id);
ALTER TABLE record DROP COLUMN lenient;
