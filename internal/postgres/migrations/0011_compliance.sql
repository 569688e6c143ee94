-- +goose Up
-- Accountability (追责问责) and clean-up (清理规范), issues 7 and 8. Portable
-- SQL: the same text runs on SQLite and PostgreSQL. Times are int64
-- microseconds (UTC); dates YYYY-MM-DD text; months YYYY-MM text.

-- Submissions refused as outside the catalogue (目录制管理). The refused
-- transaction rolls back, so these rows are written in their own
-- transaction right after it (internal/workflow/compliance.go). Import
-- rows refused for the same reason are counted from import_error instead.
CREATE TABLE intake_refusal (
  id TEXT PRIMARY KEY,
  department_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  month TEXT NOT NULL,
  channel TEXT NOT NULL,
  item TEXT NOT NULL,
  doc_number TEXT NOT NULL,
  rule TEXT NOT NULL,
  message TEXT NOT NULL,
  actor TEXT NOT NULL
);
CREATE INDEX intake_refusal_month ON intake_refusal (month, department_id);
CREATE INDEX intake_refusal_department ON intake_refusal (department_id, at);

-- The deadlines job's notices: a reminder before a limit and the notice
-- that it passed, each written once.
CREATE TABLE deadline_notice (
  kind TEXT NOT NULL,
  object_id TEXT NOT NULL,
  step TEXT NOT NULL,
  due TEXT NOT NULL,
  status TEXT NOT NULL,
  department_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  PRIMARY KEY (kind, object_id, step, due, status)
);
CREATE INDEX deadline_notice_department ON deadline_notice (department_id, at);

-- Ledger verification runs started from the console.
CREATE TABLE ledger_verify_job (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX ledger_verify_job_started ON ledger_verify_job (started_at);

-- Late 双公示 records are few: a partial index keeps counting them cheap
-- without slowing intake of the others.
CREATE INDEX record_late ON record (submitted_at) WHERE late_days > 0;
-- Records whose publication opens after their decision date (none today:
-- windows start on the decision date) for the record.published job.
CREATE INDEX record_pub_later ON record (pub_start) WHERE published = TRUE AND pub_start > decision_date;

-- +goose Down
DROP INDEX record_pub_later;
DROP INDEX record_late;
DROP TABLE ledger_verify_job;
DROP TABLE deadline_notice;
DROP TABLE intake_refusal;
