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

-- The query-use flag counts the distinct subjects an account read in the
-- last hour on every check and shared query, in the write transaction; the
-- subject in the actor index makes that count read the index alone.
DROP INDEX query_use_actor;
CREATE INDEX query_use_actor ON query_use (actor, at, subject_id);

-- +goose Down
DROP INDEX query_use_actor;
CREATE INDEX query_use_actor ON query_use (actor, at);
DROP INDEX record_rules;
CREATE INDEX record_grading ON record (subject_id, item, status, decision_date, severity, id, (data LIKE '%"leniency":%'));
CREATE INDEX record_check ON record (subject_id, status, item, severity, published, pub_start, pub_max_end, id);
ALTER TABLE record DROP COLUMN lenient;
