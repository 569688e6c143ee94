-- +goose Up
-- A department officer's view of one subject (GET /api/v1/records?subject_id=
-- with an officer's token, the `profile` benchmark) asks for the subject's
-- records from the officer's department, in id order. With an index on
-- (department_id, subject_id) only, SQLite chose record_subject_id
-- (subject_id, id) and read every record row of the subject, each ~3 KB and
-- scattered over the file, to drop the other departments' ones: about ten
-- row reads for the one or two rows answered. With id in this index the
-- equality on both columns and the order come from the index, and only the
-- rows answered are read. Department runs and exports, which used the
-- two-column index, use this one as well.
CREATE INDEX record_department_subject_id ON record (department_id, subject_id, id);
DROP INDEX record_department_subject;

-- +goose Down
CREATE INDEX record_department_subject ON record (department_id, subject_id);
DROP INDEX record_department_subject_id;
