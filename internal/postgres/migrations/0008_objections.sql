-- +goose Up
-- Objections to records (异议, issue 7). Portable SQL: the same text runs on
-- SQLite and PostgreSQL. Times are int64 microseconds (UTC); dates
-- YYYY-MM-DD text; the objection itself is JSON text.
CREATE TABLE objection (
  id TEXT PRIMARY KEY,
  record_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  department_id TEXT NOT NULL,
  state TEXT NOT NULL,
  open INTEGER NOT NULL,
  version INTEGER NOT NULL,
  deadline TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX objection_record ON objection (record_id, open);
CREATE INDEX objection_department ON objection (department_id, open, deadline);
CREATE INDEX objection_subject ON objection (subject_id);
CREATE INDEX objection_open ON objection (open, deadline);

-- Every version of every objection (the history of its handling).
CREATE TABLE objection_version (
  objection_id TEXT NOT NULL REFERENCES objection (id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (objection_id, version)
);

-- +goose Down
DROP TABLE objection_version;
DROP TABLE objection;
