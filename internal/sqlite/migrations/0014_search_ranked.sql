-- +goose Up
-- A name search caps the matches at 1,001, counts and ranks them by name
-- length and shows a page of 20. The ranking read every capped match's
-- subject row (two b-tree seeks each) and sorted whole rows; with the kind
-- and the name's length in the search index rows, the matches are capped,
-- counted and ranked from the index alone, and only the page's subjects
-- are read (issue 4: search p99).
ALTER TABLE subject_search ADD COLUMN kind TEXT NOT NULL DEFAULT '';
UPDATE subject_search SET kind = (SELECT kind FROM subject WHERE subject.id = subject_search.subject_id);
CREATE TABLE subject_bigram_ranked (
  bigram TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  len INTEGER NOT NULL, -- length(subject.name) in characters
  PRIMARY KEY (bigram, subject_id)
) WITHOUT ROWID;
INSERT INTO subject_bigram_ranked (bigram, subject_id, kind, len)
  SELECT b.bigram, b.subject_id, s.kind, length(s.name) FROM subject_bigram b JOIN subject s ON s.id = b.subject_id;
DROP TABLE subject_bigram;
ALTER TABLE subject_bigram_ranked RENAME TO subject_bigram;

-- +goose Down
CREATE TABLE subject_bigram_plain (
  bigram TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  PRIMARY KEY (bigram, subject_id)
) WITHOUT ROWID;
INSERT INTO subject_bigram_plain (bigram, subject_id) SELECT bigram, subject_id FROM subject_bigram;
DROP TABLE subject_bigram;
ALTER TABLE subject_bigram_plain RENAME TO subject_bigram;
ALTER TABLE subject_search DROP COLUMN kind;
