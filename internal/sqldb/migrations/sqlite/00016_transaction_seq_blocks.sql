-- +goose Up
-- On PostgreSQL this migration makes transaction_seq hand out numbers in
-- blocks of 64. SQLite's transaction_seq is a counter its single writer
-- adds a chunk's count to in one statement, and nothing changes here.
SELECT 1;

-- +goose Down
SELECT 1;
