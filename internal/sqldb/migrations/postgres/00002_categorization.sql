-- +goose Up
-- A user's rules: "always file this seller under this category". The seller
-- is the engine's key (categorize.Result.Key); merchant is its display name,
-- which is how past transactions are found (transactions store it).
CREATE TABLE rules (
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    merchant_key TEXT NOT NULL,
    merchant     TEXT NOT NULL,
    category     TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, merchant_key)
);

-- Crowd votes: a user's latest manual choice for a seller that is not in the
-- dictionary, one per (seller, user). Counting is per seller, so the seller
-- comes first; user_id is indexed for deleting a user's votes.
CREATE TABLE crowd_votes (
    merchant_key TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    merchant     TEXT NOT NULL,
    category     TEXT NOT NULL,
    voted_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (merchant_key, user_id)
);
CREATE INDEX crowd_votes_user ON crowd_votes (user_id);

-- A seller's crowd category: '' until enough distinct users agree. Every
-- vote locks its seller's row here first, so concurrent votes count in turn.
CREATE TABLE crowd_categories (
    merchant_key TEXT PRIMARY KEY,
    merchant     TEXT NOT NULL,
    category     TEXT NOT NULL,
    voters       BIGINT NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);

-- Rules and crowd changes re-file past transactions by seller name: a
-- user's (rules) or everyone's (crowd).
CREATE INDEX transactions_merchant ON transactions (merchant, user_id);

-- +goose Down
DROP INDEX transactions_merchant;
DROP TABLE crowd_categories;
DROP TABLE crowd_votes;
DROP TABLE rules;
