package store

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"time"
	"unicode/utf8"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/sqldb"
)

// secretColumns are never exported: credentials, hashes and sealed keys.
var secretColumns = map[string]bool{
	"connections.secret": true, "profiles.webhook_secret": true, "user_totp.secret": true,
	"tokens.token_hash": true, "totp_recovery_codes.code_hash": true, "users.password_hash": true,
}

// keyTables hold the numbers transactions are stored by (ADR 0008), not
// data of the user's own: the export leaves them out (the view
// transactions has each transaction with its names).
var keyTables = map[string]bool{"user_keys": true, "merchants": true, "transaction_legacy_ids": true}

// userTables lists the tables that hold rows of users, by their user_id
// column, so a table added later is exported and deleted without a change
// here.
func (s *Store) userTables(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) ([]string, error) {
	query := `SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') AND p.name = 'user_id'`
	if s.db.Dialect == sqldb.Postgres {
		query = `SELECT table_name FROM information_schema.columns WHERE column_name = 'user_id' AND table_schema = current_schema()`
	}
	rows, err := q.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("store: user tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("store: user tables: %w", err)
		}
		out = append(out, t)
	}
	sort.Strings(out)
	return out, rows.Err()
}

// ExportUser writes every row of the user's, table by table, as one JSON
// object streamed to w: {"user":{...},"tables":{"accounts":[...],...}}.
// Credentials, password and token hashes are left out.
func (s *Store) ExportUser(ctx context.Context, userID string, w io.Writer) error {
	tables, err := s.userTables(ctx, s.db.Reader())
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, `{"exported_at":`+jsonString(s.now().Format(time.RFC3339))+`,"user":`); err != nil {
		return err
	}
	if err := s.exportRows(ctx, w, "users", `SELECT * FROM users WHERE id = ?`, userID, true); err != nil {
		return err
	}
	if _, err := io.WriteString(w, `,"tables":{`); err != nil {
		return err
	}
	first := true
	for _, t := range tables {
		if keyTables[t] {
			continue
		}
		sep := ","
		if first {
			sep = ""
		}
		first = false
		if _, err := io.WriteString(w, sep+jsonString(t)+":"); err != nil {
			return err
		}
		if err := s.exportRows(ctx, w, t, `SELECT * FROM `+t+` WHERE user_id = ?`, userID, false); err != nil {
			return err
		}
	}
	_, err = io.WriteString(w, "}}\n")
	return err
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// exportRows writes the rows of query as a JSON array (or the one row as an
// object when single is set), column by column.
func (s *Store) exportRows(ctx context.Context, w io.Writer, table, query, userID string, single bool) error {
	rows, err := s.db.Reader().QueryContext(ctx, s.q(query), userID)
	if err != nil {
		return fmt.Errorf("store: export %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("store: export %s: %w", table, err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !single {
		io.WriteString(w, "[")
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("store: export %s: %w", table, err)
		}
		obj := make(map[string]any, len(cols))
		for i, c := range cols {
			if secretColumns[table+"."+c] {
				continue
			}
			obj[c] = exportValue(vals[i])
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return fmt.Errorf("store: export %s: %w", table, err)
		}
		if n > 0 {
			io.WriteString(w, ",")
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export %s: %w", table, err)
	}
	if single {
		if n == 0 {
			return tally.Errorf(tally.ENOTFOUND, "user not found")
		}
		return nil
	}
	_, err = io.WriteString(w, "]")
	return err
}

func exportValue(v any) any {
	switch x := v.(type) {
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}

// DeleteUser removes the user and every row of theirs, in one transaction.
// Their crowd votes go too; crowd categories are recounted by the next vote.
func (s *Store) DeleteUser(ctx context.Context, userID string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, userID)
		tables, err := s.userTables(ctx, tx)
		if err != nil {
			return err
		}
		// The user's transactions, by the user's number, before the numbers go.
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM transaction_rows WHERE user_num = (SELECT num FROM user_keys WHERE user_id = ?)`), userID); err != nil {
			return fmt.Errorf("store: delete user rows of transaction_rows: %w", err)
		}
		for _, t := range tables {
			if t == "transactions" {
				continue // the view of transaction_rows
			}
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+t+` WHERE user_id = ?`), userID); err != nil {
				return fmt.Errorf("store: delete user rows of %s: %w", t, err)
			}
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM users WHERE id = ?`), userID)
		if err != nil {
			return fmt.Errorf("store: delete user: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return tally.Errorf(tally.ENOTFOUND, "user not found")
		}
		return nil
	})
}

// Sealed is one secret stored sealed: where it lives and what binds it.
type Sealed struct {
	Table, Key string // table and row key (connection id, user id)
	UserID     string
	Additional []byte // the additional data it was sealed with
	Value      []byte
}

// ResealAll opens every stored secret (connection credentials, webhook
// secrets, TOTP secrets) with reseal's help and writes back what it
// returns, in one transaction: a key rotation either happens for every
// secret or for none.
func (s *Store) ResealAll(ctx context.Context, reseal func(Sealed) ([]byte, error)) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n = 0
		type source struct {
			table, query, update string
			aad                  func(userID, key string) []byte
		}
		for _, src := range []source{
			{"connections", `SELECT user_id, id, secret FROM connections WHERE kind <> 'file'`, `UPDATE connections SET secret = ? WHERE user_id = ? AND id = ?`,
				func(_, id string) []byte { return []byte(id) }},
			{"profiles", `SELECT user_id, user_id, webhook_secret FROM profiles WHERE webhook_secret IS NOT NULL`, `UPDATE profiles SET webhook_secret = ? WHERE user_id = ? AND user_id = ?`,
				func(u, _ string) []byte { return []byte(u) }},
			{"user_totp", `SELECT user_id, user_id, secret FROM user_totp`, `UPDATE user_totp SET secret = ? WHERE user_id = ? AND user_id = ?`,
				func(u, _ string) []byte { return []byte("totp:" + u) }},
		} {
			rows, err := tx.QueryContext(ctx, src.query)
			if err != nil {
				return fmt.Errorf("store: read %s secrets: %w", src.table, err)
			}
			var all []Sealed
			for rows.Next() {
				var x Sealed
				if err := rows.Scan(&x.UserID, &x.Key, &x.Value); err != nil {
					rows.Close()
					return fmt.Errorf("store: read %s secrets: %w", src.table, err)
				}
				x.Table, x.Additional = src.table, src.aad(x.UserID, x.Key)
				all = append(all, x)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("store: read %s secrets: %w", src.table, err)
			}
			for _, x := range all {
				v, err := reseal(x)
				if err != nil {
					return fmt.Errorf("store: %s %s: %w", x.Table, x.Key, err)
				}
				if _, err := tx.ExecContext(ctx, s.q(src.update), v, x.UserID, x.Key); err != nil {
					return fmt.Errorf("store: write %s secret: %w", src.table, err)
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
