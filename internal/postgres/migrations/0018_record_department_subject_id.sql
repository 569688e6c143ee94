-- +goose NO TRANSACTION
-- +goose Up
-- A department officer's view of one subject (GET /api/v1/records?subject_id=
-- with an officer's token, the `profile` benchmark) asks for the subject's
-- records from the officer's department, in id order. With an index on
-- (department_id, subject_id) only, the planner may read every record row of
-- the subject to drop the other departments' ones. With id in this index the
-- equality on both columns and the order come from it, and only the rows
-- answered are read. Department runs and exports, which used the two-column
-- index, use this one as well.
--
-- Built CONCURRENTLY, outside a transaction, so that intake goes on while
-- the index builds on a large table. Every step may run again: a build
-- that failed half-way leaves an invalid index, dropped by the first step.
DROP INDEX CONCURRENTLY IF EXISTS record_department_subject_id;
CREATE INDEX CONCURRENTLY record_department_subject_id ON record (department_id, subject_id, id);
DROP INDEX CONCURRENTLY IF EXISTS record_department_subject;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS record_department_subject ON record (department_id, subject_id);
DROP INDEX CONCURRENTLY IF EXISTS record_department_subject_id;
