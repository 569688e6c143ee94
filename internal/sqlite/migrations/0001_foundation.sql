-- +goose Up
-- Times are int64 microseconds since the Unix epoch (UTC); calendar dates are
-- TEXT 'YYYY-MM-DD'. Both sort correctly and read the same in both dialects.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE audit (
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  action TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  before_digest TEXT NOT NULL DEFAULT '',
  after_digest TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  ledger_idx INTEGER
);
CREATE INDEX audit_object ON audit (object_type, object_id);
CREATE INDEX audit_actor ON audit (actor, id);
CREATE INDEX audit_ledger ON audit (ledger_idx);

CREATE TABLE category (code TEXT PRIMARY KEY, edition TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE catalogue_item (
  code TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL
);
CREATE TABLE catalogue_item_history (
  code TEXT NOT NULL,
  version INTEGER NOT NULL,
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (code, version)
);
CREATE TABLE measure (code TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE list_type (code TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE regime (code TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE calendar_override (day TEXT PRIMARY KEY, kind INTEGER NOT NULL, name TEXT NOT NULL, reason TEXT NOT NULL);

CREATE TABLE department (
  id TEXT PRIMARY KEY,
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  provides TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE account (
  id TEXT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  department_id TEXT REFERENCES department (id),
  subject_id TEXT,
  organisation TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE token (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  department_id TEXT REFERENCES department (id),
  organisation TEXT NOT NULL DEFAULT '',
  hash BLOB NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);

CREATE TABLE session (
  hash BLOB PRIMARY KEY,
  account_id TEXT NOT NULL REFERENCES account (id),
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);

CREATE TABLE login_failure (key TEXT NOT NULL, at INTEGER NOT NULL);
CREATE INDEX login_failure_key ON login_failure (key, at);

CREATE TABLE subject (
  id TEXT PRIMARY KEY,
  key TEXT NOT NULL UNIQUE,
  code TEXT NOT NULL,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  birth TEXT,
  code_override INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE code_override (
  code TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  reason TEXT NOT NULL,
  by_actor TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE record (
  id TEXT PRIMARY KEY,
  department_id TEXT NOT NULL REFERENCES department (id),
  kind TEXT NOT NULL,
  doc_number TEXT NOT NULL,
  item TEXT NOT NULL,
  subject_id TEXT NOT NULL REFERENCES subject (id),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  decision_date TEXT NOT NULL,
  severity TEXT NOT NULL DEFAULT '',
  published INTEGER NOT NULL DEFAULT 0,
  pub_start TEXT,
  pub_max_end TEXT,
  late_days INTEGER NOT NULL DEFAULT 0,
  import_id TEXT,
  ledger_idx INTEGER NOT NULL,
  submitted_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  data TEXT NOT NULL,
  content BLOB,
  salt BLOB,
  UNIQUE (department_id, kind, doc_number)
);
CREATE INDEX record_subject ON record (subject_id, decision_date);
CREATE INDEX record_subject_id ON record (subject_id, id);
CREATE INDEX record_import ON record (import_id) WHERE import_id IS NOT NULL;
CREATE INDEX record_ledger ON record (ledger_idx);

-- Superseded versions of a record (the current one lives in record).
CREATE TABLE record_version (
  record_id TEXT NOT NULL REFERENCES record (id),
  version INTEGER NOT NULL,
  ledger_idx INTEGER NOT NULL,
  at INTEGER NOT NULL,
  data TEXT NOT NULL,
  content BLOB,
  salt BLOB,
  PRIMARY KEY (record_id, version)
);
CREATE INDEX record_version_ledger ON record_version (ledger_idx);

CREATE TABLE import_job (
  id TEXT PRIMARY KEY,
  department_id TEXT NOT NULL REFERENCES department (id),
  status TEXT NOT NULL,
  checkpoint INTEGER NOT NULL DEFAULT 0,
  path TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX import_job_status ON import_job (status);

CREATE TABLE import_error (
  import_id TEXT NOT NULL REFERENCES import_job (id),
  seq INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (import_id, seq)
);

-- The tamper-evident ledger: one head row (the sequencer lock), entries
-- describing each leaf, node hashes keyed densely, and signed checkpoints.
CREATE TABLE ledger_head (id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, root BLOB);
INSERT INTO ledger_head (id, size, root) VALUES (1, 0, NULL);
CREATE TABLE ledger_entry (
  idx INTEGER PRIMARY KEY,
  kind TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  version INTEGER NOT NULL,
  commitment BLOB NOT NULL,
  at INTEGER NOT NULL
);
CREATE TABLE ledger_node (key INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE ledger_checkpoint (size INTEGER PRIMARY KEY, root BLOB NOT NULL, note BLOB NOT NULL, created_at INTEGER NOT NULL);

-- +goose Down
DROP TABLE ledger_checkpoint;
DROP TABLE ledger_node;
DROP TABLE ledger_entry;
DROP TABLE ledger_head;
DROP TABLE import_error;
DROP TABLE import_job;
DROP TABLE record_version;
DROP TABLE record;
DROP TABLE code_override;
DROP TABLE subject;
DROP TABLE login_failure;
DROP TABLE session;
DROP TABLE token;
DROP TABLE account;
DROP TABLE department;
DROP TABLE calendar_override;
DROP TABLE regime;
DROP TABLE list_type;
DROP TABLE measure;
DROP TABLE catalogue_item_history;
DROP TABLE catalogue_item;
DROP TABLE category;
DROP TABLE audit;
DROP TABLE meta;
