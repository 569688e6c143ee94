-- +goose Up
-- The register of issued credit reports (issue 5): what verification needs,
-- not the report's content. Portable SQL: the same text runs on SQLite and
-- PostgreSQL. Times are int64 microseconds (UTC); hashes are lower-case hex.
CREATE TABLE credit_report (
  number TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL REFERENCES subject (id),
  subject_code TEXT NOT NULL,
  subject_name TEXT NOT NULL,
  subject_kind TEXT NOT NULL,
  scope TEXT NOT NULL,
  issued_at BIGINT NOT NULL,
  issued_by TEXT NOT NULL,
  checkpoint_size BIGINT NOT NULL,
  checkpoint_root TEXT NOT NULL,
  digest TEXT NOT NULL,
  note TEXT NOT NULL,
  ledger_idx BIGINT NOT NULL
);
CREATE INDEX credit_report_subject ON credit_report (subject_id, issued_at);

-- +goose Down
DROP TABLE credit_report;
