package simplefin

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/source"
)

// errNotAccountSet is any answer that is not an /accounts document.
var errNotAccountSet = errors.New("simplefin: the bridge answered something that is not an account set")

// Read reads an /accounts answer in two passes over r, holding one
// account's description and at most chunk lines at a time, never the
// answer's transactions. The first pass checks the whole answer and notes
// each account's fields and pending lines; the second hands each account's
// lines to fn in chunks of up to chunk, converted as Statement converts
// them. st is the account's statement without its lines: identity,
// currency, balance, and in PendingIDs the ids of the pending lines it
// lists. The last call of an account has done set (txs may be empty). fn
// must not keep txs. Lines whose amount cannot be read are left out and
// returned in skipped, with the bridge's own messages in errs.
func Read(r io.ReadSeeker, chunk int, now time.Time, fn func(st *source.Statement, txs []source.Transaction, done bool) error) (errs []string, skipped []error, err error) {
	chunk = max(chunk, 1)
	var statements []source.Statement
	var pendingIDs []string
	errs, err = walk(r, func() error {
		pendingIDs = nil
		return nil
	}, func(t *Transaction) error {
		if t.Pending && t.ID != "" {
			pendingIDs = append(pendingIDs, t.ID)
		}
		return nil
	}, func(a *Account) error {
		st, _ := Statement(*a, now)
		st.PendingIDs = pendingIDs
		statements = append(statements, st)
		return nil
	})
	if err != nil {
		return errs, nil, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return errs, nil, fmt.Errorf("simplefin: rewind: %w", err)
	}
	var fnErr error
	i := -1
	buf := make([]source.Transaction, 0, min(chunk, 1024))
	flush := func(done bool) error {
		if i >= len(statements) {
			return errors.New("more accounts than before")
		}
		fnErr = fn(&statements[i], buf, done)
		buf = buf[:0]
		return fnErr
	}
	_, err = walk(r, func() error {
		i++
		return nil
	}, func(t *Transaction) error {
		if i >= len(statements) {
			return errors.New("more accounts than before")
		}
		l, err := line(t, statements[i].Currency, now)
		if err != nil {
			skipped = append(skipped, err)
			return nil
		}
		buf = append(buf, l)
		if len(buf) >= chunk {
			return flush(false)
		}
		return nil
	}, func(*Account) error {
		return flush(true)
	})
	if err != nil && err == fnErr {
		return errs, skipped, err
	}
	if err != nil {
		return errs, skipped, fmt.Errorf("simplefin: the answer changed between two reads: %w", err)
	}
	return errs, skipped, nil
}

// walk reads an account set token by token: for each account it calls
// start, then tx with each transaction (one at a time, only it decoded),
// then end with the account's other fields, which may come in any order.
// It returns the bridge's error messages.
func walk(r io.Reader, start func() error, tx func(*Transaction) error, end func(*Account) error) ([]string, error) {
	dec := json.NewDecoder(r)
	var errs []string
	if err := delim(dec, '{'); err != nil {
		return nil, err
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, errNotAccountSet
		}
		switch k, _ := key.(string); {
		case strings.EqualFold(k, "errors"):
			if err := dec.Decode(&errs); err != nil {
				return nil, errNotAccountSet
			}
		case strings.EqualFold(k, "accounts"):
			if null, err := openArray(dec); err != nil {
				return nil, err
			} else if null {
				continue
			}
			for dec.More() {
				if err := start(); err != nil {
					return nil, err
				}
				a, err := walkAccount(dec, tx)
				if err != nil {
					return nil, err
				}
				if err := end(a); err != nil {
					return nil, err
				}
			}
			if err := delim(dec, ']'); err != nil {
				return nil, err
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, errNotAccountSet
			}
		}
	}
	if err := delim(dec, '}'); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errNotAccountSet
	}
	return errs, nil
}

// walkAccount reads one account object: transactions are decoded one at a
// time and handed to tx; the other fields are gathered into an object of
// their own, decoded at the end.
func walkAccount(dec *json.Decoder, tx func(*Transaction) error) (*Account, error) {
	if err := delim(dec, '{'); err != nil {
		return nil, err
	}
	var fields bytes.Buffer
	fields.WriteByte('{')
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return nil, errNotAccountSet
		}
		k, _ := key.(string)
		if !strings.EqualFold(k, "transactions") {
			var v json.RawMessage
			if err := dec.Decode(&v); err != nil {
				return nil, errNotAccountSet
			}
			if fields.Len() > 1 {
				fields.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			fields.Write(kb)
			fields.WriteByte(':')
			fields.Write(v)
			continue
		}
		if null, err := openArray(dec); err != nil {
			return nil, err
		} else if null {
			continue
		}
		for dec.More() {
			var t Transaction
			if err := dec.Decode(&t); err != nil {
				return nil, errNotAccountSet
			}
			if err := tx(&t); err != nil {
				return nil, err
			}
		}
		if err := delim(dec, ']'); err != nil {
			return nil, err
		}
	}
	if err := delim(dec, '}'); err != nil {
		return nil, err
	}
	fields.WriteByte('}')
	var a Account
	if err := json.Unmarshal(fields.Bytes(), &a); err != nil {
		return nil, errNotAccountSet
	}
	return &a, nil
}

func delim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil || tok != want {
		return errNotAccountSet
	}
	return nil
}

// openArray reads the start of an array, or a null (then null is true).
func openArray(dec *json.Decoder) (null bool, err error) {
	tok, err := dec.Token()
	switch {
	case err != nil:
		return false, errNotAccountSet
	case tok == nil:
		return true, nil
	case tok != json.Delim('['):
		return false, errNotAccountSet
	}
	return false, nil
}
