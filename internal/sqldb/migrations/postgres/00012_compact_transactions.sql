-- +goose Up
-- Compact transactions (docs/adr/0008-compact-transactions.md). Rows are
-- keyed by small integers: the user's number (user_keys), the account's
-- number among the user's accounts (accounts.num), a per-user merchant id
-- (merchants), and category and source codes; the text ids of users,
-- accounts and categories are stored once, not in every row and index
-- entry. transaction_rows is partitioned by month of posted_on. The old
-- column layout stays readable as the view "transactions".

-- A user's number and the counters that hand out the user's merchant and
-- account numbers (taken under this row's lock).
CREATE SEQUENCE user_nums;
CREATE TABLE user_keys (
    user_id       TEXT PRIMARY KEY,
    num           INTEGER NOT NULL DEFAULT nextval('user_nums'),
    next_merchant INTEGER NOT NULL DEFAULT 0,
    next_account  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX user_keys_num ON user_keys (num);
INSERT INTO user_keys (user_id)
SELECT id FROM (SELECT id, created_at FROM users UNION SELECT DISTINCT user_id, CAST(NULL AS TIMESTAMPTZ) FROM transactions WHERE user_id NOT IN (SELECT id FROM users)) u
ORDER BY created_at, id;

-- Category ids and category sources as small codes, shared by every user.
-- The store adds a code the first time it meets a new category; source
-- codes 1-7 are fixed (transaction_rows_manual names 5).
CREATE TABLE category_codes (
    code     SMALLINT PRIMARY KEY,
    category TEXT NOT NULL UNIQUE
);
INSERT INTO category_codes (code, category)
SELECT row_number() OVER (ORDER BY category), category FROM (SELECT DISTINCT category FROM transactions) c;
CREATE TABLE source_codes (
    code   SMALLINT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE
);
INSERT INTO source_codes (code, source) VALUES
    (1, 'dictionary'), (2, 'crowd'), (3, 'rule'), (4, 'mcc'), (5, 'manual'), (6, 'none'), (7, 'transfer');
INSERT INTO source_codes (code, source)
SELECT 7 + row_number() OVER (ORDER BY category_source), category_source
FROM (SELECT DISTINCT category_source FROM transactions WHERE category_source NOT IN (SELECT source FROM source_codes)) s;

-- An account's number among its user's accounts.
ALTER TABLE accounts ADD COLUMN num INTEGER;
UPDATE accounts a SET num = r.n
FROM (SELECT user_id, id, row_number() OVER (PARTITION BY user_id ORDER BY created_at, id) AS n FROM accounts) r
WHERE a.user_id = r.user_id AND a.id = r.id;
ALTER TABLE accounts ADD CONSTRAINT accounts_user_num UNIQUE (user_id, num);
UPDATE user_keys k SET next_account = m.n FROM (SELECT user_id, MAX(num) AS n FROM accounts GROUP BY user_id) m WHERE k.user_id = m.user_id;

-- A user's sellers: the normalized name and the seller key rules and crowd
-- votes use, stored once per user instead of in every row.
CREATE TABLE merchants (
    user_id      TEXT NOT NULL,
    id           INTEGER NOT NULL,
    name         TEXT NOT NULL,
    merchant_key TEXT NOT NULL,
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, merchant_key, name)
);
-- The crowd counts the users who have a seller.
CREATE INDEX merchants_key ON merchants (merchant_key);
INSERT INTO merchants (user_id, id, name, merchant_key)
SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY merchant_key, merchant), merchant, merchant_key
FROM (SELECT DISTINCT user_id, merchant, merchant_key FROM transactions WHERE merchant <> '' OR merchant_key <> '') d;
UPDATE user_keys k SET next_merchant = m.n FROM (SELECT user_id, MAX(id) AS n FROM merchants GROUP BY user_id) m WHERE k.user_id = m.user_id;

-- The transaction ids handed out before this migration (26-character
-- text) and the numbers their rows have now: the API still resolves them.
-- A row's id is (days since 1970-01-01 of posted_on) << 47 | a number from
-- transaction_seq, unique across users, so an id names its row's day, and
-- so its partition.
CREATE SEQUENCE transaction_seq;
CREATE TABLE transaction_legacy_ids (
    user_id   TEXT NOT NULL,
    legacy_id TEXT NOT NULL,
    id        BIGINT NOT NULL,
    PRIMARY KEY (user_id, legacy_id)
);
INSERT INTO transaction_legacy_ids (user_id, legacy_id, id)
SELECT user_id, id, ((posted_on - DATE '1970-01-01')::bigint << 47) | row_number() OVER (ORDER BY user_id, posted_on, id)
FROM transactions;
SELECT setval('transaction_seq', (SELECT COUNT(*) FROM transactions) + 1, false);

-- Columns in alignment order: 8-byte, then 4, 2, 1, then variable width.
-- Only two keys: the pages' order (which also finds a row by id, the id
-- naming its day) and deduplication, which carries posted_on, the date the
-- institution gave, so it can be unique on a table partitioned by it.
CREATE TABLE transaction_rows (
    id              BIGINT NOT NULL,
    amount          BIGINT NOT NULL,
    user_num        INTEGER NOT NULL,
    posted_on       DATE NOT NULL,
    merchant_id     INTEGER NOT NULL,
    account_num     SMALLINT NOT NULL,
    category        SMALLINT NOT NULL,
    category_source SMALLINT NOT NULL,
    pending         BOOLEAN NOT NULL,
    currency        TEXT NOT NULL,
    external_id     TEXT NOT NULL,
    description     TEXT NOT NULL,
    PRIMARY KEY (user_num, posted_on, id),
    UNIQUE (user_num, account_num, external_id, posted_on)
) PARTITION BY RANGE (posted_on);
-- Pending rows are few; the pending-to-posted replacement reads them.
CREATE INDEX transaction_rows_pending ON transaction_rows (user_num, account_num, posted_on) WHERE pending;
-- What the user filed by hand, newest first (manual categories, once a run).
CREATE INDEX transaction_rows_manual ON transaction_rows (user_num, posted_on, id) WHERE category_source = 5;

-- +goose StatementBegin
DO $$
DECLARE m date;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', posted_on)::date FROM transactions LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF transaction_rows FOR VALUES FROM (%L) TO (%L)',
            'transaction_rows_' || to_char(m, '"y"YYYY"m"MM'), m, (m + interval '1 month')::date);
    END LOOP;
END $$;
-- +goose StatementEnd

INSERT INTO transaction_rows (id, amount, user_num, posted_on, merchant_id, account_num, category, category_source, pending, currency, external_id, description)
SELECT l.id, t.amount, k.num, t.posted_on, COALESCE(m.id, 0), a.num, c.code, s.code, t.pending, t.currency, t.external_id, t.description
FROM transactions t
JOIN transaction_legacy_ids l ON l.user_id = t.user_id AND l.legacy_id = t.id
JOIN user_keys k ON k.user_id = t.user_id
JOIN accounts a ON a.user_id = t.user_id AND a.id = t.account_id
JOIN category_codes c ON c.category = t.category
JOIN source_codes s ON s.source = t.category_source
LEFT JOIN merchants m ON m.user_id = t.user_id AND m.name = t.merchant AND m.merchant_key = t.merchant_key
ORDER BY k.num, t.posted_on, l.id;

-- Rows that name a transaction now name its number.
UPDATE transfer_pairs p SET out_id = l.id::text FROM transaction_legacy_ids l WHERE l.user_id = p.user_id AND l.legacy_id = p.out_id;
UPDATE transfer_pairs p SET in_id = l.id::text FROM transaction_legacy_ids l WHERE l.user_id = p.user_id AND l.legacy_id = p.in_id;
UPDATE transaction_matches m SET posted_id = l.id::text FROM transaction_legacy_ids l WHERE l.user_id = m.user_id AND l.legacy_id = m.posted_id;

DROP TABLE transactions;

-- The old layout, for reads that are not on a page's path (totals,
-- reconcile, exports, tests): text ids, names instead of codes.
CREATE VIEW transactions AS
SELECT k.user_id, CAST(t.id AS TEXT) AS id, a.id AS account_id, t.external_id, t.posted_on, t.amount, t.currency, t.description,
       COALESCE(m.name, '') AS merchant, COALESCE(m.merchant_key, '') AS merchant_key, c.category, s.source AS category_source, t.pending
FROM transaction_rows t
JOIN user_keys k ON k.num = t.user_num
JOIN accounts a ON a.user_id = k.user_id AND a.num = t.account_num
JOIN category_codes c ON c.code = t.category
JOIN source_codes s ON s.code = t.category_source
LEFT JOIN merchants m ON m.user_id = k.user_id AND m.id = t.merchant_id;

-- +goose Down
CREATE TABLE transactions_down AS SELECT * FROM transactions;
DROP VIEW transactions;
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
    merchant_key    TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (user_id, id),
    UNIQUE (user_id, account_id, external_id)
);
INSERT INTO transactions (user_id, id, account_id, external_id, posted_on, amount, currency, description, merchant, category, category_source, pending, created_at, merchant_key)
SELECT d.user_id, COALESCE(l.legacy_id, d.id), d.account_id, d.external_id, d.posted_on, d.amount, d.currency, d.description, d.merchant, d.category, d.category_source, d.pending, now(), d.merchant_key
FROM transactions_down d LEFT JOIN transaction_legacy_ids l ON l.user_id = d.user_id AND l.id::text = d.id;
CREATE INDEX transactions_user_posted ON transactions (user_id, posted_on DESC, id DESC);
CREATE INDEX transactions_user_account_posted ON transactions (user_id, account_id, posted_on DESC, id DESC);
CREATE INDEX transactions_user_category_posted ON transactions (user_id, category, posted_on DESC, id DESC);
CREATE INDEX transactions_pending ON transactions (user_id, account_id, posted_on) WHERE pending;
CREATE INDEX transactions_merchant_key ON transactions (merchant_key, user_id);
CREATE INDEX transactions_manual ON transactions (user_id, posted_on DESC, id DESC, merchant_key, category) WHERE category_source = 'manual';
UPDATE transfer_pairs p SET out_id = l.legacy_id FROM transaction_legacy_ids l WHERE l.user_id = p.user_id AND l.id::text = p.out_id;
UPDATE transfer_pairs p SET in_id = l.legacy_id FROM transaction_legacy_ids l WHERE l.user_id = p.user_id AND l.id::text = p.in_id;
UPDATE transaction_matches m SET posted_id = l.legacy_id FROM transaction_legacy_ids l WHERE l.user_id = m.user_id AND l.id::text = m.posted_id;
DROP TABLE transactions_down;
DROP TABLE transaction_rows;
DROP TABLE transaction_legacy_ids;
DROP TABLE merchants;
ALTER TABLE accounts DROP CONSTRAINT accounts_user_num;
ALTER TABLE accounts DROP COLUMN num;
DROP TABLE source_codes;
DROP TABLE category_codes;
DROP TABLE user_keys;
DROP SEQUENCE user_nums;
DROP SEQUENCE transaction_seq;
