-- +goose Up
-- A name search shows the shortest names first, 20 a page, and counts the
-- matches up to 1,001. It read every capped match's subject row (two b-tree
-- seeks each) and sorted whole rows: 87 % of a search's CPU. The index rows
-- now hold the ranking itself, so a page is read from the index in order
-- and only its 20 subjects are fetched (issue 4: search p99):
--
--   - subject_bigram is keyed (bigram, len, subject_id), len being the
--     name's length in characters, with the subject's kind;
--   - subject_search.rid, which is also the trigram index's rowid, is
--     len << 41 | person << 40 | seq: the trigram index returns matches in
--     rank order, and the public's search (organisations only) tests the
--     person bit of the rowid without reading a row. seq is unique
--     (search_seq hands out the next ones).
CREATE TABLE subject_bigram_ranked (
  bigram TEXT NOT NULL,
  len INTEGER NOT NULL,
  subject_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  PRIMARY KEY (bigram, len, subject_id)
) WITHOUT ROWID;
INSERT INTO subject_bigram_ranked (bigram, len, subject_id, kind)
  SELECT b.bigram, min(length(m.name), 2097151), b.subject_id, s.kind
  FROM subject_bigram b JOIN subject s ON s.id = b.subject_id JOIN subject_search m ON m.subject_id = b.subject_id;
DROP TABLE subject_bigram;
ALTER TABLE subject_bigram_ranked RENAME TO subject_bigram;

CREATE TABLE search_seq (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n INTEGER NOT NULL
);
INSERT INTO search_seq (id, n) VALUES (1, (SELECT COALESCE(MAX(rid), 0) FROM subject_search));

DROP TABLE subject_fts;
CREATE TABLE subject_search_ranked (
  rid INTEGER PRIMARY KEY,
  subject_id TEXT NOT NULL UNIQUE REFERENCES subject (id),
  name TEXT NOT NULL
);
INSERT INTO subject_search_ranked (rid, subject_id, name)
  SELECT (min(length(m.name), 2097151) << 41) | ((s.kind = 'person') << 40) | m.rid, m.subject_id, m.name
  FROM subject_search m JOIN subject s ON s.id = m.subject_id;
DROP TABLE subject_search;
ALTER TABLE subject_search_ranked RENAME TO subject_search;
CREATE VIRTUAL TABLE subject_fts USING fts5 (name, content = 'subject_search', content_rowid = 'rid', tokenize = 'trigram');
INSERT INTO subject_fts (subject_fts) VALUES ('rebuild');

-- +goose Down
CREATE TABLE subject_bigram_plain (
  bigram TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  PRIMARY KEY (bigram, subject_id)
) WITHOUT ROWID;
INSERT INTO subject_bigram_plain (bigram, subject_id) SELECT bigram, subject_id FROM subject_bigram;
DROP TABLE subject_bigram;
ALTER TABLE subject_bigram_plain RENAME TO subject_bigram;
DROP TABLE search_seq;
DROP TABLE subject_fts;
CREATE TABLE subject_search_plain (
  rid INTEGER PRIMARY KEY,
  subject_id TEXT NOT NULL UNIQUE REFERENCES subject (id),
  name TEXT NOT NULL
);
INSERT INTO subject_search_plain (subject_id, name) SELECT subject_id, name FROM subject_search;
DROP TABLE subject_search;
ALTER TABLE subject_search_plain RENAME TO subject_search;
CREATE VIRTUAL TABLE subject_fts USING fts5 (name, content = 'subject_search', content_rowid = 'rid', tokenize = 'trigram');
INSERT INTO subject_fts (subject_fts) VALUES ('rebuild');
