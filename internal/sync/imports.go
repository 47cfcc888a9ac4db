package sync

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/fileimport"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/ofx"
)

// NewImport stores an uploaded statement file in the object store under a
// content-addressed key and records a queued import; with enqueue its job
// is queued in the same database transaction. A file in a format Tally does
// not read is refused here (EUNPROCESSABLE, naming the format), and an
// accountID that is not the user's is ENOTFOUND; nothing is stored then.
//
// The file streams from r to the object store through a temporary file
// (never whole in memory); r may be a *blob.Spool already.
func (s *Service) NewImport(ctx context.Context, userID, accountID, filename string, r io.Reader, enqueue bool) (*tally.Import, error) {
	sp, ok := r.(*blob.Spool)
	if !ok {
		var err error
		if sp, err = blob.NewSpool(r); err != nil {
			return nil, fmt.Errorf("sync: store upload: %w", err)
		}
		defer sp.Close()
	}
	head, err := sp.Head(8 << 10)
	if err != nil {
		return nil, err
	}
	format, err := fileimport.Sniff(head)
	if err != nil {
		return nil, err
	}
	if accountID != "" {
		if _, err := s.Store.Account(ctx, userID, accountID); err != nil {
			return nil, err
		}
	}
	filename = strings.TrimSpace(filepath.Base(strings.ReplaceAll(filename, `\`, "/")))
	if filename == "" || filename == "." || filename == "/" {
		filename = "statement." + format
	}
	key := sp.Key("imports/"+userID, "."+format)
	if _, err := sp.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := s.Blobs.Put(ctx, key, sp, sp.Size()); err != nil {
		return nil, err
	}
	imp := &tally.Import{
		UserID:    userID,
		AccountID: accountID,
		Filename:  filename,
		Format:    format,
		BlobKey:   key,
		Size:      sp.Size(),
	}
	if err := s.Store.CreateImport(ctx, imp, enqueue); err != nil {
		return nil, err
	}
	s.logger().InfoContext(ctx, "import queued", "user_id", userID, "import_id", imp.ID, "format", format, "size", sp.Size(), "blob_key", key)
	return imp, nil
}

// RunImport reads an import's file from the object store and stores its
// transactions in chunks through the same path as a sync: categorized,
// deduplicated (the FITID where the file has one, else a content hash and
// occurrence number, so identical purchases on one day are all kept while
// importing the file again adds nothing) and added to the monthly totals.
// Progress is recorded after each chunk and passed to progress (may be nil).
//
// A file that cannot be read at all ends failed with its reason and nothing
// stored; RunImport then returns nil, as running it again cannot help.
// Other errors (database, object store) are returned and the import can
// simply run again.
func (s *Service) RunImport(ctx context.Context, userID, importID string, progress func(*tally.Import)) (*tally.Import, error) {
	imp, err := s.Store.Import(ctx, userID, importID)
	if err != nil {
		return nil, err
	}
	if imp.Status == tally.ImportDone || imp.Status == tally.ImportFailed {
		return imp, nil
	}
	log := s.logger().With("user_id", userID, "import_id", importID)
	if err := s.Store.StartImport(ctx, userID, importID); err != nil {
		return imp, err
	}
	imp.Status = tally.ImportRunning
	imp.Parsed, imp.Inserted, imp.Duplicates, imp.Rejected, imp.Errors = 0, 0, 0, 0, nil
	file, err := s.Blobs.Get(ctx, imp.BlobKey)
	if err != nil {
		return imp, err
	}
	defer file.Close()
	ov, err := s.overridesFor(ctx, userID)
	if err != nil {
		return imp, err
	}
	run := &fileRun{s: s, imp: imp, chosen: imp.AccountID, accounts: map[string]*tally.Account{}, occurrences: map[string]map[string]int{}, ov: ov}
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	started := time.Now()
	// A read that fails midway (the object store's connection dropped) is
	// not the file's fault: the import runs again rather than failing.
	seekable, err := blob.Seekable(file)
	if err != nil {
		return imp, fmt.Errorf("sync: import %s: read %s: %w", importID, imp.BlobKey, err)
	}
	defer seekable.Close()
	src := &readFailure{r: seekable}
	sum, err := fileimport.Read(src, chunk, func(c *fileimport.Chunk) error {
		if err := run.chunk(ctx, c); err != nil {
			return err
		}
		if err := s.Store.UpdateImport(ctx, imp); err != nil {
			return err
		}
		if progress != nil {
			progress(imp)
		}
		return nil
	})
	imp.Format = sum.Format
	if src.err != nil {
		return imp, fmt.Errorf("sync: import %s: read %s: %w", importID, imp.BlobKey, src.err)
	}
	if err != nil {
		if tally.ErrorCode(err) != tally.EUNPROCESSABLE {
			return imp, fmt.Errorf("sync: import %s: %w", importID, err)
		}
		imp.Status, imp.Message = tally.ImportFailed, tally.ErrorMessage(err)
		if len(imp.Errors) < tally.MaxImportErrors {
			imp.Errors = append(imp.Errors, tally.ImportError{Line: 0, Reason: imp.Message})
		}
		log.WarnContext(ctx, "import failed", "reason", imp.Message)
	} else {
		imp.Status = tally.ImportDone
		log.InfoContext(ctx, "import done", "format", sum.Format, "parsed", imp.Parsed, "inserted", imp.Inserted,
			"duplicates", imp.Duplicates, "rejected", imp.Rejected, "seconds", time.Since(started).Seconds())
	}
	if err := s.Store.UpdateImport(context.WithoutCancel(ctx), imp); err != nil {
		return imp, err
	}
	if progress != nil {
		progress(imp)
	}
	return imp, nil
}

// readFailure remembers the error a read from r failed with, if any.
type readFailure struct {
	r   io.ReadSeeker
	err error
}

func (f *readFailure) Seek(offset int64, whence int) (int64, error) {
	return f.r.Seek(offset, whence)
}

func (f *readFailure) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF && f.err == nil {
		f.err = err
	}
	return n, err
}

// fileRun is one import's state across chunks.
type fileRun struct {
	s           *Service
	imp         *tally.Import
	chosen      string                    // the account the user chose, if any
	accounts    map[string]*tally.Account // by the file's account identity ("" for QIF and CSV)
	occurrences map[string]map[string]int // per account: content hash -> times seen in this file
	ov          overrides                 // the user's rules and the crowd's categories
	rows        []tally.Transaction
	batch       []*tally.Transaction
}

// account finds the account a chunk goes into: the import's own account
// when the user chose one; for OFX the account with the statement's
// identity (a synced one if the user has it, else one under the user's
// file connection); for QIF and CSV the file connection's account named
// after the file, so importing the same file again lands in the same place.
func (r *fileRun) account(ctx context.Context, c *fileimport.Chunk) (*tally.Account, error) {
	key := ""
	if c.Account != nil {
		key = externalID(*c.Account)
	}
	if a := r.accounts[key]; a != nil {
		return a, nil
	}
	st := r.s.Store
	var a *tally.Account
	var err error
	switch {
	case r.chosen != "":
		a, err = st.Account(ctx, r.imp.UserID, r.chosen)
	case c.Account != nil:
		a, err = st.AccountByExternalID(ctx, r.imp.UserID, key)
		if tally.ErrorCode(err) == tally.ENOTFOUND {
			a, err = r.fileAccount(ctx, newAccount(*c.Account, c.Currency))
		}
	default:
		name := strings.TrimSuffix(r.imp.Filename, filepath.Ext(r.imp.Filename))
		a, err = r.fileAccount(ctx, &tally.Account{
			ExternalID: "file:" + strings.ToLower(r.imp.Filename),
			Name:       name,
			Type:       tally.AccountOther,
			Currency:   "USD",
		})
	}
	if err != nil {
		return nil, err
	}
	r.accounts[key] = a
	r.imp.AccountID = a.ID
	return a, nil
}

func (r *fileRun) fileAccount(ctx context.Context, a *tally.Account) (*tally.Account, error) {
	connID, err := r.s.Store.EnsureFileConnection(ctx, r.imp.UserID)
	if err != nil {
		return nil, err
	}
	a.UserID, a.ConnectionID, a.Status = r.imp.UserID, connID, tally.StatusActive
	return r.s.Store.EnsureAccount(ctx, a)
}

func (r *fileRun) chunk(ctx context.Context, c *fileimport.Chunk) error {
	for _, e := range c.Errors {
		if len(r.imp.Errors) < tally.MaxImportErrors {
			r.imp.Errors = append(r.imp.Errors, tally.ImportError{Line: e.Line, Reason: e.Reason})
		}
	}
	r.imp.Rejected += int64(len(c.Errors))
	if len(c.Transactions) == 0 {
		return nil
	}
	acct, err := r.account(ctx, c)
	if err != nil {
		return err
	}
	currency := c.Currency
	if currency == "" {
		currency = acct.Currency
	}
	occ := r.occurrences[acct.ID]
	if occ == nil {
		occ = map[string]int{}
		r.occurrences[acct.ID] = occ
	}
	if cap(r.rows) < len(c.Transactions) {
		r.rows = make([]tally.Transaction, len(c.Transactions))
	}
	rows := r.rows[:len(c.Transactions)]
	r.batch = r.batch[:0]
	for i := range c.Transactions {
		ft := &c.Transactions[i]
		ot := ofx.Transaction{
			Type:     ft.Type,
			Posted:   ft.Date,
			Amount:   ft.Amount,
			FITID:    ft.FITID,
			Name:     ft.Description,
			Memo:     ft.Memo,
			CheckNum: ft.CheckNum,
		}
		if ot.Type == "" {
			ot.Type = "DEBIT"
			if ot.Amount > 0 {
				ot.Type = "CREDIT"
			}
		}
		r.ov.apply(&rows[i], r.s.convert(&rows[i], acct, &ot, currency, occ))
		r.batch = append(r.batch, &rows[i])
	}
	n, err := r.s.Store.InsertTransactions(ctx, acct.UserID, r.batch)
	if err != nil {
		return err
	}
	metrics.TransactionsSeen.Add(float64(len(r.batch)))
	metrics.TransactionsInserted.Add(float64(n))
	r.imp.Parsed += int64(len(r.batch))
	r.imp.Inserted += int64(n)
	r.imp.Duplicates += int64(len(r.batch) - n)
	if c.Ledger != nil {
		if err := r.s.Store.SetAccountBalance(ctx, acct.UserID, acct.ID, *c.Ledger); err != nil {
			return err
		}
	}
	return nil
}
