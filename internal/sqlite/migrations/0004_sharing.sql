-- +goose Up
-- Consents and the query-use log (查询使用登记, issue 5). Portable SQL: the
-- same text runs on SQLite and PostgreSQL. Times are int64 microseconds
-- (UTC); lists are JSON text.
CREATE TABLE consent (
  id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL REFERENCES subject (id),
  organisation TEXT NOT NULL,
  items TEXT NOT NULL,
  purpose TEXT NOT NULL,
  granted_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  granted_by TEXT NOT NULL
);
CREATE INDEX consent_subject ON consent (subject_id, granted_at);

-- One entry per access to non-public information, committed to the ledger
-- (ledger_idx) when written; the review columns are set later and are not
-- part of the commitment. Kept at least 5 years.
CREATE TABLE query_use (
  id TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  actor_name TEXT NOT NULL,
  organisation TEXT NOT NULL,
  viewer TEXT NOT NULL,
  purpose TEXT NOT NULL,
  basis TEXT NOT NULL,
  consent_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  items TEXT NOT NULL,
  records TEXT NOT NULL,
  flagged INTEGER NOT NULL,
  flag_reason TEXT NOT NULL,
  reviewed_at BIGINT,
  reviewed_by TEXT NOT NULL,
  review_note TEXT NOT NULL,
  ledger_idx BIGINT NOT NULL
);
CREATE INDEX query_use_subject ON query_use (subject_id, at);
CREATE INDEX query_use_actor ON query_use (actor, at);
CREATE INDEX query_use_at ON query_use (at);
CREATE INDEX query_use_ledger ON query_use (ledger_idx);

-- +goose Down
DROP TABLE query_use;
DROP TABLE consent;
