-- +goose Up
-- Measures checks and the agencies' feedback (issue 6). Portable SQL: the
-- same text runs on SQLite and PostgreSQL. Times are int64 microseconds
-- (UTC); the answer and the receipt are canonical JSON text.
CREATE TABLE measure_check (
  id TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  organisation TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  subject_digest TEXT NOT NULL,
  matter TEXT NOT NULL,
  purpose TEXT NOT NULL,
  result TEXT NOT NULL,
  result_digest TEXT NOT NULL,
  receipt TEXT NOT NULL,
  query_id TEXT NOT NULL,
  ledger_idx BIGINT NOT NULL
);
CREATE INDEX measure_check_actor ON measure_check (actor, at);

-- One row per line of feedback; refused lines (a measure applied that the
-- check did not return) are kept with refused = 1 and counted.
CREATE TABLE measure_feedback (
  id TEXT PRIMARY KEY,
  check_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  measure_id TEXT NOT NULL,
  applied INTEGER NOT NULL,
  reason TEXT NOT NULL,
  refused INTEGER NOT NULL,
  refusal TEXT NOT NULL
);
CREATE INDEX measure_feedback_check ON measure_feedback (check_id, at);
CREATE INDEX measure_feedback_refused ON measure_feedback (refused, at);

-- +goose Down
DROP TABLE measure_feedback;
DROP TABLE measure_check;
