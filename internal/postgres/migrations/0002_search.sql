-- +goose Up
-- Name search (DESIGN.md "Search for Chinese names"): pg_trgm GIN on the name
-- for 3+ characters, and a 2-character (bigram) text[] column with GIN, its
-- values made by xinyong.Bigrams and written by the application in the same
-- transaction as the subject (Tx.IndexSubjects).
--
-- pg_trgm is created in schema public if no schema of the database has it
-- yet (a concurrent creation by another migration is tolerated), and its
-- operator class is named with the schema it lives in, so the index works
-- whatever the search_path.
-- +goose StatementBegin
DO $$
DECLARE
  s text;
BEGIN
  SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  IF s IS NULL THEN
    BEGIN
      CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
    EXCEPTION WHEN unique_violation OR duplicate_object THEN
      NULL;
    END;
    SELECT n.nspname INTO s FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm';
  END IF;
  EXECUTE format('CREATE INDEX subject_name_trgm ON subject USING gin (name %I.gin_trgm_ops)', s);
END
$$;
-- +goose StatementEnd

ALTER TABLE subject ADD COLUMN name_bi text[] NOT NULL DEFAULT '{}';

-- Subjects stored before this migration; the same bigrams as
-- xinyong.Bigrams (distinct 2-character substrings, ASCII letters folded).
UPDATE subject SET name_bi = ARRAY(
  SELECT b FROM (
    SELECT DISTINCT ON (b) b, i
    FROM (SELECT substr(translate(name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), i, 2) AS b, i
          FROM generate_series(1, length(name) - 1) AS i) AS x
    ORDER BY b, i
  ) AS y ORDER BY i
) WHERE length(name) >= 2;

CREATE INDEX subject_name_bi ON subject USING gin (name_bi);

-- The 双公示 list pages: records of a kind by decision date.
CREATE INDEX record_kind_date ON record (kind, decision_date);

-- +goose Down
DROP INDEX record_kind_date;
DROP INDEX subject_name_bi;
ALTER TABLE subject DROP COLUMN name_bi;
DROP INDEX subject_name_trgm;
