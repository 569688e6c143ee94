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

-- The public serious-list page shows listed, published and decided
-- listings, newest listing day first, a page at a time. The listing day
-- and whether the listing is public (published with a decision) were only
-- in the JSON document; as columns with an index the page is read in
-- order from the index instead of from every listed row.
ALTER TABLE listing ADD COLUMN listed_on TEXT NOT NULL DEFAULT '';
ALTER TABLE listing ADD COLUMN public BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE listing SET listed_on = COALESCE(data::jsonb ->> 'listed_on', ''),
  public = (COALESCE((data::jsonb ->> 'published')::boolean, FALSE) AND data::jsonb ->> 'decision' IS NOT NULL);
CREATE INDEX listing_public ON listing (state, public, listed_on, list_type, end_date, id);

-- +goose Down
DROP INDEX listing_public;
ALTER TABLE listing DROP COLUMN public;
ALTER TABLE listing DROP COLUMN listed_on;
DROP INDEX query_use_actor;
CREATE INDEX query_use_actor ON query_use (actor, at);
DROP INDEX record_rules;
CREATE INDEX record_grading ON record (subject_id, item, status, decision_date, severity, id, (data LIKE '%"leniency":%'));
CREATE INDEX record_check ON record (subject_id, status, item, severity, published, pub_start, pub_max_end, id);
ALTER TABLE record DROP COLUMN lenient;
