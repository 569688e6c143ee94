-- +goose Up
-- The outbox of events for other systems (互联互通, issue 7), webhook
-- subscriptions and their deliveries. Portable SQL: the same text runs on
-- SQLite and PostgreSQL. Times are int64 microseconds (UTC), 0 for none;
-- lists and payloads are JSON text.

-- One row per event, written in the transaction that made the change. seq
-- is the pull feed's cursor: assigned under the ledger lock, it increases in
-- commit order.
CREATE TABLE outbox_event (
  id TEXT PRIMARY KEY,
  seq BIGINT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  object_type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- The secret is kept as issued: the platform signs with it.
CREATE TABLE webhook_subscription (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  secret TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL
);

-- One row per event and subscription; status pending, delivered or dead.
CREATE TABLE webhook_delivery (
  id TEXT PRIMARY KEY,
  subscription_id TEXT NOT NULL,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  window_start BIGINT NOT NULL,
  next_at BIGINT NOT NULL,
  last_at BIGINT NOT NULL,
  last_status INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  delivered_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (subscription_id, event_id)
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (status, next_at);
CREATE INDEX webhook_delivery_sub ON webhook_delivery (subscription_id, status, created_at);

-- +goose Down
DROP TABLE webhook_delivery;
DROP TABLE webhook_subscription;
DROP TABLE outbox_event;
