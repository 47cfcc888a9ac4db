-- +goose Up
-- Recurring series found in a user's transactions (bills, subscriptions,
-- income). Detection rewrites them; series_key (seller, currency,
-- direction, cadence) keeps a series' id and the user's choice across runs.
-- user_status is '' until the user confirms or ignores the series.
CREATE TABLE recurring_series (
    user_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    series_key      TEXT NOT NULL,
    merchant        TEXT NOT NULL,
    category        TEXT NOT NULL,
    currency        TEXT NOT NULL,
    cadence         TEXT NOT NULL,
    kind            TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    previous_amount BIGINT NOT NULL,
    usual_amount    BIGINT NOT NULL,
    first_date      DATE NOT NULL,
    last_date       DATE NOT NULL,
    next_date       DATE NOT NULL,
    txn_count       BIGINT NOT NULL,
    confidence      BIGINT NOT NULL,
    state           TEXT NOT NULL,
    user_status     TEXT NOT NULL DEFAULT '',
    detected_at     TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, series_key)
);
CREATE INDEX recurring_series_next ON recurring_series (user_id, next_date);

-- Matched transfers: out_id left one of the user's accounts, in_id arrived
-- in another. The sides' categories before matching are kept so unlinking
-- restores them. An unlinked pair stays (status 'unlinked') so neither side
-- is ever matched again: the user's choice is final.
CREATE TABLE transfer_pairs (
    user_id         TEXT NOT NULL,
    id              TEXT NOT NULL,
    out_id          TEXT NOT NULL,
    in_id           TEXT NOT NULL,
    amount          BIGINT NOT NULL,
    currency        TEXT NOT NULL,
    out_category    TEXT NOT NULL,
    out_source      TEXT NOT NULL,
    in_category     TEXT NOT NULL,
    in_source       TEXT NOT NULL,
    status          TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    unlinked_at     TIMESTAMPTZ,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, out_id),
    UNIQUE (user_id, in_id)
);

-- An account's balance at the end of a day: the institution's ledger
-- balance where a statement gave one (source 'statement'), derived from
-- the transactions between such balances otherwise ('derived').
CREATE TABLE account_balances (
    user_id    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    day        DATE NOT NULL,
    balance    BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    source     TEXT NOT NULL,
    PRIMARY KEY (user_id, account_id, day)
);
CREATE INDEX account_balances_user_day ON account_balances (user_id, day);

-- Investment positions as an institution's statement reported them, per
-- account, security and day. units and price are decimal strings as sent.
CREATE TABLE holdings (
    user_id       TEXT NOT NULL,
    account_id    TEXT NOT NULL,
    security_id   TEXT NOT NULL,
    as_of         DATE NOT NULL,
    id_type       TEXT NOT NULL,
    position_type TEXT NOT NULL,
    units         TEXT NOT NULL,
    unit_price    TEXT NOT NULL,
    market_value  BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    PRIMARY KEY (user_id, account_id, security_id, as_of)
);

-- A budget's rollover: none, surplus, or surplus_and_deficit, carried from
-- since_month (when the user turned it on) onwards.
CREATE TABLE budget_rollovers (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category    TEXT NOT NULL,
    rollover    TEXT NOT NULL,
    since_month TEXT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, category)
);

-- Whether a user's recurring detection pass is due, since when, and when
-- one last ran: a budget check waits briefly for a pass that is due, so a
-- bill paid as usual is known as such before it could raise an alert.
-- due_version counts the writes that asked for a pass; a pass clears due_at
-- only if none came in while it ran.
CREATE TABLE insight_runs (
    user_id     TEXT PRIMARY KEY,
    due_at      TIMESTAMPTZ,
    due_version BIGINT NOT NULL DEFAULT 0,
    ran_at      TIMESTAMPTZ
);

-- +goose Down
DROP TABLE insight_runs;
DROP TABLE budget_rollovers;
DROP TABLE holdings;
DROP TABLE account_balances;
DROP TABLE transfer_pairs;
DROP TABLE recurring_series;
