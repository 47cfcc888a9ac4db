-- +goose Up
-- Statement files users upload. The raw file is in the object store under
-- blob_key; errors is a JSON list of the first rejected rows
-- ({"line":N,"reason":"..."}), capped.
CREATE TABLE imports (
    user_id     TEXT NOT NULL,
    id          TEXT NOT NULL,
    account_id  TEXT NOT NULL DEFAULT '',
    filename    TEXT NOT NULL,
    format      TEXT NOT NULL DEFAULT '',
    blob_key    TEXT NOT NULL,
    size        BIGINT NOT NULL,
    status      TEXT NOT NULL,
    message     TEXT NOT NULL DEFAULT '',
    parsed      BIGINT NOT NULL DEFAULT 0,
    inserted    BIGINT NOT NULL DEFAULT 0,
    duplicates  BIGINT NOT NULL DEFAULT 0,
    rejected    BIGINT NOT NULL DEFAULT 0,
    errors      TEXT NOT NULL DEFAULT '[]',
    created_at  TIMESTAMPTZ NOT NULL,
    started_at  TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    PRIMARY KEY (user_id, id)
);

-- When a user last asked for a connection to be refreshed (the refresh
-- button's cooldown, shared by every process).
ALTER TABLE connections ADD COLUMN refresh_requested_at TIMESTAMPTZ;

-- When the institution refused the stored login; nothing syncs the
-- connection again, not even the refresh button, until the user updates
-- the credentials (retrying a refused password can lock the account).
ALTER TABLE connections ADD COLUMN credentials_refused_at TIMESTAMPTZ;

-- A pending transaction that posted under a new id (and often a slightly
-- different amount, e.g. a tip) was replaced by its posted twin: the
-- pending row is deleted and the match kept here, so the pending id is not
-- stored again if the institution repeats it.
CREATE TABLE transaction_matches (
    user_id             TEXT NOT NULL,
    account_id          TEXT NOT NULL,
    pending_external_id TEXT NOT NULL,
    posted_id           TEXT NOT NULL,
    pending_on          TEXT NOT NULL,
    pending_amount      BIGINT NOT NULL,
    posted_amount       BIGINT NOT NULL,
    description         TEXT NOT NULL,
    matched_at          TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, account_id, pending_external_id)
);

-- Pending transactions are few; the replacement looks them up per account.
CREATE INDEX transactions_pending ON transactions (user_id, account_id, posted_on) WHERE pending;

-- +goose Down
DROP INDEX transactions_pending;
DROP TABLE transaction_matches;
ALTER TABLE connections DROP COLUMN credentials_refused_at;
ALTER TABLE connections DROP COLUMN refresh_requested_at;
DROP TABLE imports;
