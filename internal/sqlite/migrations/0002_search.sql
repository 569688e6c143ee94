-- +goose Up
-- Name search (DESIGN.md "Search for Chinese names"). The application writes
-- these rows in the same transaction as the subject (Tx.IndexSubjects), never
-- per-row triggers (8k rows/s with triggers against 46-79k without).
--
-- subject_search gives each indexed subject a stable integer row id (subject
-- ids are text, and an implicit rowid may change on VACUUM) and keeps the
-- name as indexed; subject_fts is the FTS5 trigram index over it (external
-- content) for 3+ characters; subject_bigram is the 2-character index, its
-- rows made by xinyong.Bigrams.
CREATE TABLE subject_search (
  rid INTEGER PRIMARY KEY,
  subject_id TEXT NOT NULL UNIQUE REFERENCES subject (id),
  name TEXT NOT NULL
);
CREATE VIRTUAL TABLE subject_fts USING fts5 (name, content = 'subject_search', content_rowid = 'rid', tokenize = 'trigram');
CREATE TABLE subject_bigram (
  bigram TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  PRIMARY KEY (bigram, subject_id)
) WITHOUT ROWID;

-- The 双公示 list pages: records of a kind by decision date.
CREATE INDEX record_kind_date ON record (kind, decision_date);

-- Subjects stored before this migration. The bigrams are those of
-- xinyong.Bigrams: distinct 2-character substrings, ASCII letters folded to
-- lower case (SQLite's lower() folds ASCII only).
INSERT INTO subject_search (subject_id, name) SELECT id, name FROM subject ORDER BY created_at, id;
INSERT INTO subject_fts (subject_fts) VALUES ('rebuild');
INSERT OR IGNORE INTO subject_bigram (bigram, subject_id)
WITH RECURSIVE b (id, name, i) AS (
  SELECT id, lower(name), 1 FROM subject WHERE length(name) >= 2
  UNION ALL
  SELECT id, name, i + 1 FROM b WHERE i + 2 <= length(name)
)
SELECT substr(name, i, 2), id FROM b;

-- +goose Down
DROP INDEX record_kind_date;
DROP TABLE subject_bigram;
DROP TABLE subject_fts;
DROP TABLE subject_search;
