-- +goose Up
-- Failed sign-in, token and two-factor attempts, per account and per client
-- address, so that limits hold across every process sharing the database.
-- key is "account:EMAIL" or "addr:ADDRESS".
CREATE TABLE auth_attempts (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    locked_until TIMESTAMPTZ
);

-- TOTP two-factor: the sealed secret, enabled once confirmed with a code;
-- last_step is the last time step accepted, so a code is used once.
CREATE TABLE user_totp (
    user_id      TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BYTEA NOT NULL,
    confirmed_at TIMESTAMPTZ,
    last_step    BIGINT NOT NULL DEFAULT 0,
    created_at   TIMESTAMPTZ NOT NULL
);

-- One-time recovery codes; only a SHA-256 of each is stored.
CREATE TABLE totp_recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- Whether the voter had transactions of the seller from a linked bank (not
-- a file) when voting: only such votes count towards a crowd category.
ALTER TABLE crowd_votes ADD COLUMN linked_history BOOLEAN NOT NULL DEFAULT false;

-- Transactions the current sync of a connection inserted so far, across
-- retries of a sync that crashed, for the "sync completed" notice.
ALTER TABLE connections ADD COLUMN sync_inserted BIGINT NOT NULL DEFAULT 0;

-- Worker processes say they are alive every few seconds; a job left
-- running by a process that stopped saying so is made available again
-- within a minute, however long jobs may legitimately run.
CREATE TABLE worker_heartbeats (
    id      TEXT PRIMARY KEY,
    seen_at TIMESTAMPTZ NOT NULL
);

-- +goose Down
DROP TABLE worker_heartbeats;
ALTER TABLE connections DROP COLUMN sync_inserted;
ALTER TABLE crowd_votes DROP COLUMN linked_history;
DROP TABLE totp_recovery_codes;
DROP TABLE user_totp;
DROP TABLE auth_attempts;
