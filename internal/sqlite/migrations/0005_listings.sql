-- +goose Up
-- Serious-dishonesty listings (严重失信主体名单, issue 6). Portable SQL: the
-- same text runs on SQLite and PostgreSQL. Times are int64 microseconds
-- (UTC); dates YYYY-MM-DD text; the listing itself is JSON text.
CREATE TABLE listing (
  id TEXT PRIMARY KEY,
  list_type TEXT NOT NULL,
  subject_id TEXT NOT NULL REFERENCES subject (id),
  department_id TEXT NOT NULL,
  state TEXT NOT NULL,
  version INTEGER NOT NULL,
  end_date TEXT,
  updated_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX listing_department ON listing (department_id, state);
CREATE INDEX listing_subject ON listing (subject_id);
CREATE INDEX listing_end ON listing (state, end_date);

-- Every version of every listing (the history of the procedure).
CREATE TABLE listing_version (
  listing_id TEXT NOT NULL REFERENCES listing (id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (listing_id, version)
);

-- The records a listing rests on (withdrawal of a record removes it).
CREATE TABLE listing_record (
  listing_id TEXT NOT NULL REFERENCES listing (id),
  record_id TEXT NOT NULL,
  PRIMARY KEY (listing_id, record_id)
);
CREATE INDEX listing_record_record ON listing_record (record_id);

-- +goose Down
DROP TABLE listing_record;
DROP TABLE listing_version;
DROP TABLE listing;
