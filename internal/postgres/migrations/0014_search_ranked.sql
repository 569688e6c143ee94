-- +goose Up
-- SQLite's 0014 puts the subject's kind and name length in its search index
-- rows (internal/sqlite/migrations/0014_search_ranked.sql). PostgreSQL's
-- search (pg_trgm and the bigram array on subject) reads the subject row
-- itself and needs no change; this keeps both dialects at the same number.
SELECT 1;

-- +goose Down
SELECT 1;
