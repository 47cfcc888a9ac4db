-- +goose Up
-- A user's budget and alert settings. Absent until the user sets something;
-- the time zone lives in users.time_zone only.
CREATE TABLE profiles (
    user_id             TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    monthly_income      BIGINT NOT NULL DEFAULT 0,
    currency            TEXT NOT NULL DEFAULT 'USD',
    notify_email        TEXT NOT NULL DEFAULT '',
    webhook_url         TEXT NOT NULL DEFAULT '',
    webhook_secret      BYTEA,
    webhook_failures    BIGINT NOT NULL DEFAULT 0,
    webhook_failing_since TIMESTAMPTZ,
    webhook_disabled_at TIMESTAMPTZ,
    approaching_percent INTEGER NOT NULL DEFAULT 80,
    channels            TEXT NOT NULL DEFAULT '',
    updated_at          TIMESTAMPTZ NOT NULL
);

-- Manual budget overrides only: recommendations are computed, never stored.
CREATE TABLE budgets (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category   TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    currency   TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, category)
);

-- The in-app inbox. The unique key makes each alert happen once per user,
-- kind, category and month however often checks run; sync notices carry a
-- unique month-like key of their own.
CREATE TABLE notifications (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    kind       TEXT NOT NULL,
    category   TEXT NOT NULL DEFAULT '',
    month      TEXT NOT NULL DEFAULT '',
    dedupe_key TEXT NOT NULL DEFAULT '',
    message    TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL,
    read_at    TIMESTAMPTZ,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, kind, category, month, dedupe_key)
);
CREATE INDEX notifications_user_created ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_user_unread ON notifications (user_id) WHERE read_at IS NULL;

-- One row per notification and outside channel once delivered.
CREATE TABLE deliveries (
    user_id         TEXT NOT NULL,
    notification_id TEXT NOT NULL,
    channel         TEXT NOT NULL,
    delivered_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, notification_id, channel)
);

-- +goose Down
DROP TABLE deliveries;
DROP TABLE notifications;
DROP TABLE budgets;
DROP TABLE profiles;
