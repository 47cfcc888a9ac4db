-- +goose Up
-- On PostgreSQL this migration merges the monthly partitions of past years
-- of transaction_rows into one partition a year (ADR 0008). SQLite has no
-- partitions: the table keeps its rows in its primary key's B-tree, and
-- nothing changes here.
SELECT 1;

-- +goose Down
SELECT 1;
