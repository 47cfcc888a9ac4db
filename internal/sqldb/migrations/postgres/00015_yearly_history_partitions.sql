-- +goose Up
-- History shares a partition a year (docs/adr/0008-compact-transactions.md,
-- "Partitions"): the monthly partitions of transaction_rows of every year
-- before the current one are merged into one partition for their year,
-- transaction_rows_yYYYY. Months of the current year keep theirs. Every
-- partition carries about 90 KB of pages of its own (free-space and
-- visibility maps, index metapages and roots) whatever it holds, which a
-- user's years of imported history paid once a month. The year's rows are
-- copied in key order and its indexes built once, packed.
-- +goose StatementBegin
DO $$
DECLARE
    y    integer;
    p    record;
    cols text := 'id, amount, user_num, posted_on, merchant_id, account_num, category, category_source, pending, currency, external_id, description';
BEGIN
    FOR y IN
        SELECT DISTINCT substr(c.relname, 19, 4)::integer
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'transaction_rows'::regclass AND c.relname ~ '^transaction_rows_y[0-9]{4}m[0-9]{2}$'
          AND substr(c.relname, 19, 4)::integer < extract(year FROM now())::integer
        ORDER BY 1
    LOOP
        EXECUTE format('CREATE TABLE %I (LIKE transaction_rows)', 'transaction_rows_y' || y);
        FOR p IN
            SELECT c.relname
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'transaction_rows'::regclass AND c.relname ~ ('^transaction_rows_y' || y || 'm[0-9]{2}$')
            ORDER BY 1
        LOOP
            EXECUTE format('ALTER TABLE transaction_rows DETACH PARTITION %I', p.relname);
            EXECUTE format('INSERT INTO %I (%s) SELECT %s FROM %I ORDER BY user_num, posted_on, id', 'transaction_rows_y' || y, cols, cols, p.relname);
            EXECUTE format('DROP TABLE %I', p.relname);
        END LOOP;
        EXECUTE format('ALTER TABLE transaction_rows ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
            'transaction_rows_y' || y, make_date(y, 1, 1), make_date(y + 1, 1, 1));
    END LOOP;
END $$;
-- +goose StatementEnd

-- +goose Down
-- A year's partition goes back to one partition a month that has rows.
-- +goose StatementBegin
DO $$
DECLARE
    p    record;
    m    date;
    cols text := 'id, amount, user_num, posted_on, merchant_id, account_num, category, category_source, pending, currency, external_id, description';
BEGIN
    FOR p IN
        SELECT c.relname
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'transaction_rows'::regclass AND c.relname ~ '^transaction_rows_y[0-9]{4}$'
    LOOP
        EXECUTE format('ALTER TABLE transaction_rows DETACH PARTITION %I', p.relname);
        FOR m IN EXECUTE format('SELECT DISTINCT date_trunc(''month'', posted_on)::date FROM %I', p.relname) LOOP
            EXECUTE format('CREATE TABLE %I PARTITION OF transaction_rows FOR VALUES FROM (%L) TO (%L)',
                'transaction_rows_' || to_char(m, '"y"YYYY"m"MM'), m, (m + interval '1 month')::date);
        END LOOP;
        EXECUTE format('INSERT INTO transaction_rows (%s) SELECT %s FROM %I', cols, cols, p.relname);
        EXECUTE format('DROP TABLE %I', p.relname);
    END LOOP;
END $$;
-- +goose StatementEnd
