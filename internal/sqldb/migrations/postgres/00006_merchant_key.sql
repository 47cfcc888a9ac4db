-- +goose Up
-- The seller's key as the categorizer computed it at insert, from every
-- field of the line (name, memo, type, MCC). Rules, crowd votes, re-filing
-- and explanations read it instead of recomputing it from the description.
-- Rows stored before it carry 'name:' and their display name, which is how
-- they were found before, so re-filing by seller still reaches them.
ALTER TABLE transactions ADD COLUMN merchant_key TEXT NOT NULL DEFAULT '';
UPDATE transactions SET merchant_key = 'name:' || merchant WHERE merchant <> '';
CREATE INDEX transactions_merchant_key ON transactions (merchant_key, user_id);
DROP INDEX transactions_merchant;

-- +goose Down
CREATE INDEX transactions_merchant ON transactions (merchant, user_id);
DROP INDEX transactions_merchant_key;
ALTER TABLE transactions DROP COLUMN merchant_key;
