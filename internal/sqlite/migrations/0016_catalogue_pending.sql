-- +goose Up
-- A proposed change of a catalogue item once approved (a re-proposal with
-- other sharing or disclosure scopes, other fields) was written over the
-- item in force: its scopes governed the item's existing records at once,
-- before public consultation and approval, and intake of the item stopped
-- until the change was approved. The change now waits here, as the item's
-- pending version, while catalogue_item keeps the version in force; its
-- approval makes it the item's current version (xinyong.ChangeIsPending).
CREATE TABLE catalogue_item_pending (
  code TEXT PRIMARY KEY REFERENCES catalogue_item (code),
  version INTEGER NOT NULL,
  status TEXT NOT NULL,
  data TEXT NOT NULL
);
-- Repair: an item in draft or under consultation with an approved or
-- retired version before it is such a change written over the item. The
-- change becomes pending; the latest approved or retired version, from the
-- history, is the item's current version again.
INSERT INTO catalogue_item_pending (code, version, status, data)
SELECT c.code, c.version, c.status, c.data FROM catalogue_item c
WHERE c.status IN ('draft', 'consultation') AND EXISTS (
  SELECT 1 FROM catalogue_item_history h
  WHERE h.code = c.code AND h.version < c.version AND json_extract(h.data, '$.status') IN ('approved', 'retired'));
UPDATE catalogue_item SET
  data = (SELECT h.data FROM catalogue_item_history h
    WHERE h.code = catalogue_item.code AND h.version < catalogue_item.version AND json_extract(h.data, '$.status') IN ('approved', 'retired')
    ORDER BY h.version DESC LIMIT 1),
  version = (SELECT h.version FROM catalogue_item_history h
    WHERE h.code = catalogue_item.code AND h.version < catalogue_item.version AND json_extract(h.data, '$.status') IN ('approved', 'retired')
    ORDER BY h.version DESC LIMIT 1),
  status = (SELECT json_extract(h.data, '$.status') FROM catalogue_item_history h
    WHERE h.code = catalogue_item.code AND h.version < catalogue_item.version AND json_extract(h.data, '$.status') IN ('approved', 'retired')
    ORDER BY h.version DESC LIMIT 1)
WHERE code IN (SELECT code FROM catalogue_item_pending);
-- A server still holding the catalogue decoded in memory reloads it.
INSERT INTO meta (key, value) SELECT 'catalogue.rev', 'migration-0016' WHERE EXISTS (SELECT 1 FROM catalogue_item_pending)
ON CONFLICT (key) DO UPDATE SET value = excluded.value;

-- +goose Down
-- Pending changes are dropped (they stay in catalogue_item_history); the
-- versions in force stay in force.
DROP TABLE catalogue_item_pending;
