-- +goose Up
-- Credit grading for classified supervision (信用分级分类监管, issue 8).
-- Times are int64 microseconds (UTC); dates YYYY-MM-DD text; models, runs,
-- reviews and explanations are JSON text.

-- Every version of every grading model (data with effective dates).
CREATE TABLE grading_model (
  id TEXT NOT NULL,
  version INTEGER NOT NULL,
  effective_from TEXT NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (id, version)
);

-- A subject's current grade under each model, with the model version, the
-- ledger size its records were read at and the explanation.
CREATE TABLE grade (
  model_id TEXT NOT NULL,
  subject_id TEXT NOT NULL,
  model_version INTEGER NOT NULL,
  grade TEXT NOT NULL,
  score DOUBLE PRECISION NOT NULL,
  on_date TEXT NOT NULL,
  ledger_size BIGINT NOT NULL,
  run_id TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  computed_at BIGINT NOT NULL,
  explanation TEXT NOT NULL,
  PRIMARY KEY (model_id, subject_id)
);
CREATE INDEX grade_subject ON grade (subject_id);
CREATE INDEX grade_model_grade ON grade (model_id, grade);

-- Batch runs with their progress (cursor: the last subject committed).
CREATE TABLE grading_run (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  cursor TEXT NOT NULL DEFAULT '',
  chain TEXT NOT NULL DEFAULT '',
  data TEXT NOT NULL
);
CREATE INDEX grading_run_started ON grading_run (started_at);

-- Human reviews of grades (人工复核).
CREATE TABLE grade_review (
  id TEXT PRIMARY KEY,
  subject_id TEXT NOT NULL,
  model_id TEXT NOT NULL,
  department_id TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL,
  open INTEGER NOT NULL,
  version INTEGER NOT NULL,
  deadline TEXT NOT NULL,
  updated_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX grade_review_subject ON grade_review (subject_id);
CREATE INDEX grade_review_department ON grade_review (department_id, open, deadline);

-- Grading reads every record of a subject in subject order from this
-- covering index (no table access); the last column says whether the
-- stored record carries leniency flags (Leniency is omitted when empty).
CREATE INDEX record_grading ON record (subject_id, item, status, decision_date, severity, id, (data LIKE '%"leniency":%'));
-- A department's subjects (department runs and exports).
CREATE INDEX record_department_subject ON record (department_id, subject_id);

-- +goose Down
DROP INDEX record_department_subject;
DROP INDEX record_grading;
DROP TABLE grade_review;
DROP TABLE grading_run;
DROP TABLE grade;
DROP TABLE grading_model;
