-- +goose Up
-- A user's manual filings, newest first: every sync and import reads them
-- once to file new transactions of the same sellers the way the user did.
-- Partial, so it holds only the few rows filed by hand.
CREATE INDEX transactions_manual ON transactions (user_id, posted_on DESC, id DESC, merchant_key, category) WHERE category_source = 'manual';

-- +goose Down
DROP INDEX transactions_manual;
