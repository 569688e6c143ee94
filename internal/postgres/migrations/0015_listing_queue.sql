-- +goose Up
-- The officer's listing queue (issue 6) showed the 500 oldest listings of a
-- department by id, removed ones included, and filtered overdue ones after
-- the cut: a department with 500 listings in its history never saw a new,
-- even overdue, one. The queue now selects the open listings (not removed)
-- in the database, ordered by the step's due date (xinyong.QueueDue: the
-- answer to an objection, the removal at the end of the period), soonest
-- first, and cuts pages after every condition. The due date was only in the
-- JSON document; it is a column written with each version.
ALTER TABLE listing ADD COLUMN due TEXT;
UPDATE listing SET due = CASE state
  WHEN 'objected' THEN data::jsonb -> 'objection' ->> 'verify_deadline'
  WHEN 'listed' THEN end_date
  END;
UPDATE listing SET due = NULL WHERE due = '';
-- Ascending b-tree order puts NULLs last, as the queue reads (ORDER BY due
-- NULLS LAST, id).
CREATE INDEX listing_queue ON listing (department_id, due, id) WHERE state <> 'removed';
CREATE INDEX listing_queue_all ON listing (due, id) WHERE state <> 'removed';

-- +goose Down
DROP INDEX listing_queue_all;
DROP INDEX listing_queue;
ALTER TABLE listing DROP COLUMN due;
