-- +goose Up
-- Credit repair (信用修复, issue 7): applications with every version of their
-- handling, the repair outcome of each repaired record (what every reader's
-- visibility decision takes), and the peers whose repair decisions are
-- recognised (修复结果互认). Times are int64 microseconds (UTC); dates
-- YYYY-MM-DD text; the application itself is JSON text. No fee anywhere.
CREATE TABLE repair (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  target TEXT NOT NULL,
  record_id TEXT,
  listing_id TEXT,
  subject_id TEXT NOT NULL,
  department_id TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  open INTEGER NOT NULL,
  version INTEGER NOT NULL,
  due TEXT NOT NULL DEFAULT '',
  origin_peer TEXT,
  origin_decision TEXT,
  updated_at BIGINT NOT NULL,
  data TEXT NOT NULL,
  UNIQUE (origin_peer, origin_decision)
);
CREATE INDEX repair_record ON repair (record_id, open);
CREATE INDEX repair_listing ON repair (listing_id, open);
CREATE INDEX repair_department ON repair (department_id, open, due);
CREATE INDEX repair_subject ON repair (subject_id);
CREATE INDEX repair_open ON repair (open, due);

CREATE TABLE repair_version (
  repair_id TEXT NOT NULL REFERENCES repair (id),
  version INTEGER NOT NULL,
  state TEXT NOT NULL,
  at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (repair_id, version)
);

-- The outcome an approved repair gave a record: one per record.
CREATE TABLE record_repair (
  record_id TEXT PRIMARY KEY,
  repair_id TEXT NOT NULL,
  outcome TEXT NOT NULL
);

-- Other platforms whose signed repair decisions are applied here.
CREATE TABLE peer (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  public_key BLOB NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE peer;
DROP TABLE record_repair;
DROP TABLE repair_version;
DROP TABLE repair;
