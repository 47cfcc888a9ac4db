-- +goose Up
-- Every table is keyed by user first, so the schema can be distributed or
-- split by user_id.

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    email          TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    time_zone      TEXT NOT NULL DEFAULT 'UTC',
    created_at     TIMESTAMPTZ NOT NULL,
    last_active_at TIMESTAMPTZ NOT NULL
);

-- API tokens and web sessions; only a SHA-256 of the token is stored.
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ
);
CREATE INDEX tokens_user ON tokens (user_id);

CREATE TABLE connections (
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id              TEXT NOT NULL,
    kind            TEXT NOT NULL,
    url             TEXT NOT NULL,
    login           TEXT NOT NULL,
    secret          BYTEA NOT NULL,
    institution     TEXT NOT NULL DEFAULT '',
    fid             TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL,
    status_reason   TEXT NOT NULL DEFAULT '',
    last_synced_at  TIMESTAMPTZ,
    last_success_at TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id)
);

CREATE TABLE accounts (
    user_id        TEXT NOT NULL,
    id             TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    name           TEXT NOT NULL,
    type           TEXT NOT NULL,
    mask           TEXT NOT NULL DEFAULT '',
    currency       TEXT NOT NULL,
    balance        BIGINT NOT NULL DEFAULT 0,
    status         TEXT NOT NULL,
    status_reason  TEXT NOT NULL DEFAULT '',
    last_synced_at TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, connection_id, external_id),
    FOREIGN KEY (user_id, connection_id) REFERENCES connections (user_id, id) ON DELETE CASCADE
);

-- The hottest table has no foreign key: a per-row check halves bulk insert
-- speed, rows only ever come from accounts read in the same sync, and
-- deleting a connection deletes its transactions explicitly.
-- posted_on is a calendar date.
CREATE TABLE transactions (
    user_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    account_id      TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    posted_on       DATE NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    description     TEXT NOT NULL,
    merchant        TEXT NOT NULL,
    category        TEXT NOT NULL,
    category_source TEXT NOT NULL,
    pending         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, account_id, external_id)
);
CREATE INDEX transactions_user_posted ON transactions (user_id, posted_on DESC, id DESC);
CREATE INDEX transactions_user_account_posted ON transactions (user_id, account_id, posted_on DESC, id DESC);
CREATE INDEX transactions_user_category_posted ON transactions (user_id, category, posted_on DESC, id DESC);

-- Net amount and count of a user's transactions per month, category and
-- currency. Spending is the negated amount of expense categories. It always
-- equals the sum of the transactions; reconcile proves it.
CREATE TABLE monthly_totals (
    user_id  TEXT NOT NULL,
    month    TEXT NOT NULL,
    category TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount   BIGINT NOT NULL,
    count    BIGINT NOT NULL,
    PRIMARY KEY (user_id, month, category, currency)
);

-- Raw institution responses, stored in the object store before parsing.
CREATE TABLE raw_documents (
    user_id       TEXT NOT NULL,
    id            TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    blob_key      TEXT NOT NULL,
    size          BIGINT NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id)
);
CREATE INDEX raw_documents_connection ON raw_documents (user_id, connection_id, fetched_at);

-- +goose Down
DROP TABLE raw_documents;
DROP TABLE monthly_totals;
DROP TABLE transactions;
DROP TABLE accounts;
DROP TABLE connections;
DROP TABLE tokens;
DROP TABLE users;
