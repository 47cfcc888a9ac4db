-- +goose Up
-- What changed in a user's transactions since an insight pass last read
-- them, so a pass reads only those sellers and days: per account and
-- seller, the first and last posting day written (account_id and days ''
-- when only a seller's filing changed; merchant '' when only an account's
-- statement balance did). seq is the user's insight_runs.change_seq when
-- the row was last written: a pass deletes the rows up to the seq it read,
-- never one rewritten while it ran.
CREATE TABLE insight_changes (
    user_id    TEXT NOT NULL,
    account_id TEXT NOT NULL,
    merchant   TEXT NOT NULL,
    first_day  TEXT NOT NULL,
    last_day   TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    PRIMARY KEY (user_id, account_id, merchant)
);

-- change_seq counts the writes that recorded changes; full_at is when a
-- pass last read all of the user's history (NULL: the next pass must, as
-- after an account is deleted).
ALTER TABLE insight_runs ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE insight_runs ADD COLUMN full_at TIMESTAMP;

-- A pass reads the transactions of the sellers that changed.
CREATE INDEX transactions_user_merchant ON transactions (user_id, merchant);

-- +goose Down
DROP INDEX transactions_user_merchant;
ALTER TABLE insight_runs DROP COLUMN full_at;
ALTER TABLE insight_runs DROP COLUMN change_seq;
DROP TABLE insight_changes;
