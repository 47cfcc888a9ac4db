-- +goose Up
-- API tokens get an id to list and revoke them by, a name the user gives
-- them, and when they were last used (written at most once a minute).
ALTER TABLE tokens ADD COLUMN id TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN last_used_at TIMESTAMP;
UPDATE tokens SET id = substr(token_hash, 1, 26) WHERE id = '';
CREATE INDEX tokens_user_kind ON tokens (user_id, kind, created_at);

-- An account the user hides stays linked and synced but leaves the
-- dashboard's balances and net worth.
ALTER TABLE accounts ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE accounts DROP COLUMN hidden;
DROP INDEX tokens_user_kind;
ALTER TABLE tokens DROP COLUMN last_used_at;
ALTER TABLE tokens DROP COLUMN name;
ALTER TABLE tokens DROP COLUMN id;
