package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/tallyhq/tally"
)

// FileConnectionID is the id of each user's connection that holds the
// accounts of uploaded files (kind tally.ConnectionFile).
const FileConnectionID = "files"

// CreateImport stores a queued import and, when enqueue is set, its job in
// the same transaction.
func (s *Store) CreateImport(ctx context.Context, imp *tally.Import, enqueue bool) error {
	if imp.ID == "" {
		imp.ID = tally.NewID()
	}
	imp.Status = tally.ImportQueued
	imp.CreatedAt = s.now()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		s.touch(tx, imp.UserID)
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO imports (user_id, id, account_id, filename, format, blob_key, size, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
			imp.UserID, imp.ID, imp.AccountID, imp.Filename, imp.Format, imp.BlobKey, imp.Size, imp.Status, imp.CreatedAt)
		if err != nil {
			return fmt.Errorf("store: create import: %w", err)
		}
		if !enqueue {
			return nil
		}
		if err := s.jobs.EnqueueImportTx(ctx, tx, imp.UserID, imp.ID); err != nil {
			return fmt.Errorf("store: enqueue import: %w", err)
		}
		return nil
	})
}

const importColumns = `user_id, id, account_id, filename, format, blob_key, size, status, message, parsed, inserted, duplicates, rejected, errors, created_at, started_at, finished_at`

// Import returns one of the user's imports.
func (s *Store) Import(ctx context.Context, userID, id string) (*tally.Import, error) {
	imp, err := scanImport(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+importColumns+` FROM imports WHERE user_id = ? AND id = ?`), userID, id))
	if err != nil {
		return nil, notFound(err, "import")
	}
	return imp, nil
}

func scanImport(row interface{ Scan(...any) error }) (*tally.Import, error) {
	var imp tally.Import
	var errs string
	var started, finished sql.NullTime
	err := row.Scan(&imp.UserID, &imp.ID, &imp.AccountID, &imp.Filename, &imp.Format, &imp.BlobKey, &imp.Size, &imp.Status, &imp.Message,
		&imp.Parsed, &imp.Inserted, &imp.Duplicates, &imp.Rejected, &errs, &imp.CreatedAt, &started, &finished)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(errs), &imp.Errors); err != nil {
		return nil, fmt.Errorf("store: import %s: errors: %w", imp.ID, err)
	}
	imp.CreatedAt = imp.CreatedAt.UTC()
	imp.StartedAt, imp.FinishedAt = nullTime(started), nullTime(finished)
	return &imp, nil
}

// StartImport marks an import running with its counters at zero: a job that
// runs again counts again (rows stored by the first run count as
// duplicates).
func (s *Store) StartImport(ctx context.Context, userID, id string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE imports SET status = ?, message = '', parsed = 0, inserted = 0, duplicates = 0, rejected = 0, errors = '[]', started_at = ?, finished_at = NULL
		WHERE user_id = ? AND id = ?`), tally.ImportRunning, s.now(), userID, id)
	if err != nil {
		return fmt.Errorf("store: start import: %w", err)
	}
	s.changed(ctx, userID)
	return nil
}

// UpdateImport records an import's account, counters and errors; a status
// of done or failed also sets finished_at.
func (s *Store) UpdateImport(ctx context.Context, imp *tally.Import) error {
	errs := imp.Errors
	if len(errs) > tally.MaxImportErrors {
		errs = errs[:tally.MaxImportErrors]
	}
	if errs == nil {
		errs = []tally.ImportError{}
	}
	b, err := json.Marshal(errs)
	if err != nil {
		return fmt.Errorf("store: update import: %w", err)
	}
	var finished any
	if imp.Status == tally.ImportDone || imp.Status == tally.ImportFailed {
		now := s.now()
		imp.FinishedAt = &now
		finished = now
	}
	_, err = s.db.ExecContext(ctx, s.q(`UPDATE imports SET account_id = ?, format = ?, status = ?, message = ?, parsed = ?, inserted = ?, duplicates = ?, rejected = ?, errors = ?, finished_at = ?
		WHERE user_id = ? AND id = ?`),
		imp.AccountID, imp.Format, imp.Status, imp.Message, imp.Parsed, imp.Inserted, imp.Duplicates, imp.Rejected, string(b), finished, imp.UserID, imp.ID)
	if err != nil {
		return fmt.Errorf("store: update import: %w", err)
	}
	s.changed(ctx, imp.UserID)
	return nil
}

// EnsureFileConnection creates the user's connection for uploaded files
// the first time it is needed and returns its id.
func (s *Store) EnsureFileConnection(ctx context.Context, userID string) (string, error) {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO connections (user_id, id, kind, url, login, secret, institution, status, created_at)
		VALUES (?, ?, ?, '', '', ?, ?, ?, ?) ON CONFLICT (user_id, id) DO NOTHING`),
		userID, FileConnectionID, tally.ConnectionFile, []byte{}, "Uploaded files", tally.StatusActive, s.now())
	if err != nil {
		return "", fmt.Errorf("store: ensure file connection: %w", err)
	}
	return FileConnectionID, nil
}

// AccountByExternalID returns the user's account with an institution's
// account identity, whichever connection holds it (a synced one first), so
// a statement file lands in the account its sync fills.
func (s *Store) AccountByExternalID(ctx context.Context, userID, externalID string) (*tally.Account, error) {
	a, err := scanAccount(s.reader(ctx).QueryRowContext(ctx, s.q(`SELECT `+accountColumns+` FROM accounts WHERE user_id = ? AND external_id = ?
		ORDER BY CASE WHEN connection_id = ? THEN 1 ELSE 0 END, id LIMIT 1`), userID, externalID, FileConnectionID))
	if err != nil {
		return nil, notFound(err, "account")
	}
	return a, nil
}

// Imports lists the user's most recent imports, newest first, in one query.
func (s *Store) Imports(ctx context.Context, userID string, limit int) ([]*tally.Import, error) {
	rows, err := s.reader(ctx).QueryContext(ctx, s.q(`SELECT `+importColumns+` FROM imports WHERE user_id = ? ORDER BY id DESC LIMIT ?`), userID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: imports: %w", err)
	}
	defer rows.Close()
	var out []*tally.Import
	for rows.Next() {
		imp, err := scanImport(rows)
		if err != nil {
			return nil, fmt.Errorf("store: imports: %w", err)
		}
		out = append(out, imp)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: imports: %w", err)
	}
	return out, nil
}
