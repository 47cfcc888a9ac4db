package ingest

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/file"
	"github.com/tallyhq/tally/internal/store"
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
			return nil, fmt.Errorf("ingest: store upload: %w", err)
		}
		defer sp.Close()
	}
	head, err := sp.Head(8 << 10)
	if err != nil {
		return nil, err
	}
	format, err := file.Sniff(head)
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
	key := sp.Key(blob.UploadPrefix(userID), "."+format)
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

// RunImport reads an import's file from the object store and feeds it
// through the pipeline a chunk at a time: categorized, deduplicated (the
// FITID where the file has one, else a content hash and occurrence number,
// so identical purchases on one day are all kept while importing the file
// again adds nothing) and added to the monthly totals. Progress is recorded
// after each chunk and passed to progress (may be nil).
//
// A file that cannot be read at all, or that is missing from the object
// store, ends failed with its reason and nothing stored; RunImport then
// returns nil, as running it again cannot help. Other errors (database,
// object store) are returned and the import can simply run again.
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
	started := time.Now()
	sum, err := s.readImport(ctx, imp, progress)
	if sum.Format != "" {
		imp.Format = sum.Format
	}
	if err != nil {
		// A file that cannot be read, or whose account was deleted,
		// fails for good; anything else may pass when run again.
		if code := tally.ErrorCode(err); code != tally.EUNPROCESSABLE && code != tally.ENOTFOUND {
			return imp, fmt.Errorf("ingest: import %s: %w", importID, err)
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

// readImport feeds the import's file through the pipeline. A file missing
// from the object store, or one that cannot be read, is EUNPROCESSABLE.
func (s *Service) readImport(ctx context.Context, imp *tally.Import, progress func(*tally.Import)) (file.Summary, error) {
	obj, err := s.Blobs.Get(ctx, imp.BlobKey)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return file.Summary{}, tally.Errorf(tally.EUNPROCESSABLE,
			"the uploaded file %s is missing from the object store (every process must share one object store); upload it again", imp.Filename)
	}
	if err != nil {
		return file.Summary{}, err
	}
	defer obj.Close()
	r, err := s.newRun(ctx, imp.UserID)
	if err != nil {
		return file.Summary{}, err
	}
	fr := &fileRun{s: s, run: r, imp: imp, accounts: map[string]*tally.Account{}}
	opts := file.ReadOptions{ChunkSize: s.chunkSize()}
	if imp.AccountID != "" {
		// The user chose the account: every statement of the file goes
		// there, and a file that does not say its currency is in the
		// account's.
		acct, err := s.Store.Account(ctx, imp.UserID, imp.AccountID)
		if err != nil {
			return file.Summary{}, err
		}
		fr.chosen = acct
		opts.Currency = acct.Currency
	}
	// The parsers read the file more than once. A read that fails midway
	// (the object store's connection dropped) is not the file's fault: the
	// import runs again rather than failing.
	seekable, err := blob.Seekable(obj)
	if err != nil {
		return file.Summary{}, fmt.Errorf("read %s: %w", imp.BlobKey, err)
	}
	defer seekable.Close()
	src := &readFailure{r: seekable}
	p := fr.startPipeline(ctx, progress)
	sum, err := file.ReadWith(src, opts, p.send)
	if perr := p.finish(); perr != nil {
		err = perr // the first failure: reading stops on the store's
	}
	if src.err != nil {
		return sum, fmt.Errorf("read %s: %w", imp.BlobKey, src.err)
	}
	return sum, err
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
	s        *Service
	run      *run
	imp      *tally.Import
	chosen   *tally.Account            // the account the user chose, if any
	accounts map[string]*tally.Account // by the file's account identity ("" for QIF and CSV)
}

// account finds the account a chunk goes into: the import's own account
// when the user chose one; for OFX the account with the statement's
// identity (a synced one if the user has it, else one under the user's
// file connection); for QIF and CSV the file connection's account named
// after the file, so importing the same file again lands in the same place.
func (r *fileRun) account(ctx context.Context, c *file.Chunk) (*tally.Account, error) {
	if r.chosen != nil {
		return r.chosen, nil
	}
	var id *source.Account
	key := ""
	if c.Account != nil {
		a := source.OFXAccount(*c.Account, c.Currency)
		id, key = &a, a.ExternalID
	}
	if a := r.accounts[key]; a != nil {
		return a, nil
	}
	st := r.s.Store
	var a *tally.Account
	var err error
	if id != nil {
		a, err = st.AccountByExternalID(ctx, r.imp.UserID, key)
		if tally.ErrorCode(err) == tally.ENOTFOUND {
			a, err = r.fileAccount(ctx, newAccount(*id))
		}
	} else {
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

// chunkPipeline overlaps the two halves of an import: while the store
// writes one chunk in its database transaction, the file's next chunk is
// parsed, categorized and given its ids. The reading side owns the run's
// per-account state (ids, occurrences); the storing side owns the import
// record, so one chunk's rows, then its progress, are written in file
// order as before. At most two converted chunks are held at once.
type chunkPipeline struct {
	ctx      context.Context
	fr       *fileRun
	jobs     chan *convertedChunk
	free     chan *convertedChunk
	done     chan struct{}
	failed   chan struct{} // closed when the storing side fails
	err      error         // the storing side's failure, read after done
	progress func(*tally.Import)
}

// convertedChunk is one chunk of the file ready to store.
type convertedChunk struct {
	errors   []file.RowError
	acct     *tally.Account // nil when the chunk has no lines nor balance
	currency string
	ledger   *int64
	asOf     time.Time
	holdings []tally.Holding
	rows     []tally.Transaction
	batch    []*tally.Transaction
	prepared []*store.Prepared // the batch's parts with their numbers taken, where the store prepares ahead
}

// errStoreFailed stops the file's reading when the storing side failed;
// finish returns the failure itself.
var errStoreFailed = tally.Errorf(tally.EINTERNAL, "ingest: the chunk before failed")

func (fr *fileRun) startPipeline(ctx context.Context, progress func(*tally.Import)) *chunkPipeline {
	p := &chunkPipeline{ctx: ctx, fr: fr, jobs: make(chan *convertedChunk, 1), free: make(chan *convertedChunk, 2),
		done: make(chan struct{}), failed: make(chan struct{}), progress: progress}
	p.free <- &convertedChunk{}
	p.free <- &convertedChunk{}
	go p.store(ctx)
	return p
}

// send converts a chunk the file's reader handed out (c is reused once
// send returns) and passes it to the storing side.
func (p *chunkPipeline) send(c *file.Chunk) error {
	var cc *convertedChunk
	select {
	case cc = <-p.free:
	case <-p.failed:
		return errStoreFailed
	}
	if err := p.fr.convert(p.ctx, c, cc); err != nil {
		p.free <- cc
		return err
	}
	select {
	case p.jobs <- cc:
		return nil
	case <-p.failed:
		return errStoreFailed
	}
}

// finish waits for the storing side to store what it was sent and returns
// its failure, if any.
func (p *chunkPipeline) finish() error {
	close(p.jobs)
	<-p.done
	return p.err
}

// store writes the chunks in the order they were sent until one fails.
func (p *chunkPipeline) store(ctx context.Context) {
	defer close(p.done)
	for cc := range p.jobs {
		if p.err == nil {
			if err := p.fr.store(ctx, cc, p.progress); err != nil {
				p.err = err
				close(p.failed)
			}
		}
		p.free <- cc
	}
}

// convert turns a chunk of the file into rows ready to store, in cc: the
// account it goes into (found or made on its first chunk), its lines
// categorized and given their ids.
func (r *fileRun) convert(ctx context.Context, c *file.Chunk, cc *convertedChunk) error {
	cc.errors, cc.acct, cc.currency, cc.ledger, cc.asOf, cc.holdings = c.Errors, nil, c.Currency, c.Ledger, c.LedgerAsOf, c.Holdings
	cc.batch, cc.prepared = cc.batch[:0], cc.prepared[:0]
	if len(c.Transactions) == 0 && c.Ledger == nil {
		return nil
	}
	if err := checkValues(c.Ledger, c.Holdings, c.Currency); err != nil {
		// The file says it; reading it again will not change that.
		return tally.Errorf(tally.EUNPROCESSABLE, "%s", tally.ErrorMessage(err))
	}
	acct, err := r.account(ctx, c)
	if err != nil {
		return err
	}
	cc.acct = acct
	currency := c.Currency
	if currency == "" {
		currency = acct.Currency
	}
	ar := r.run.account(acct)
	if len(ar.fitids) == 0 && len(c.Transactions) > 64 {
		ar.fitids = make(map[uint64]uint64, len(c.Transactions)) // no rehashing while a statement fills it
	}
	if cap(cc.rows) < len(c.Transactions) {
		cc.rows = make([]tally.Transaction, len(c.Transactions))
	}
	cc.rows = cc.rows[:len(c.Transactions)]
	for j := range c.Transactions {
		r.run.convert(&cc.rows[j], ar, &c.Transactions[j], currency)
		cc.batch = append(cc.batch, &cc.rows[j])
	}
	if st := r.s.Store; st.PreparesAhead() {
		// Ids and seller numbers are taken here, while the storing side
		// writes the chunk before.
		size := r.s.chunkSize()
		for i := 0; i < len(cc.batch); i += size {
			p, err := st.PrepareTransactions(ctx, r.imp.UserID, cc.batch[i:min(i+size, len(cc.batch))])
			if err != nil {
				return err
			}
			cc.prepared = append(cc.prepared, p)
		}
	}
	return nil
}

// store writes one converted chunk in chunks of the service's size, each
// one database transaction, then the balance the chunk carries and the
// import's progress.
func (r *fileRun) store(ctx context.Context, cc *convertedChunk, progress func(*tally.Import)) error {
	for _, e := range cc.errors {
		if len(r.imp.Errors) < tally.MaxImportErrors {
			r.imp.Errors = append(r.imp.Errors, tally.ImportError{Line: e.Line, Reason: e.Reason})
		}
	}
	r.imp.Rejected += int64(len(cc.errors))
	if acct := cc.acct; acct != nil {
		r.imp.AccountID = acct.ID
		size := r.s.chunkSize()
		for i, part := 0, 0; i < len(cc.batch); i, part = i+size, part+1 {
			rows := cc.batch[i:min(i+size, len(cc.batch))]
			var n int
			var err error
			if part < len(cc.prepared) {
				n, err = r.s.Store.InsertPrepared(ctx, cc.prepared[part])
			} else {
				n, err = r.s.Store.InsertTransactions(ctx, r.imp.UserID, rows)
			}
			if err != nil {
				return err
			}
			r.imp.Parsed += int64(len(rows))
			r.imp.Inserted += int64(n)
			r.imp.Duplicates += int64(len(rows) - n)
			metrics.TransactionsSeen.Add(float64(len(rows)))
			metrics.TransactionsInserted.Add(float64(n))
		}
		if cc.ledger != nil {
			if err := r.s.Store.SetAccountBalance(ctx, acct.UserID, acct.ID, *cc.ledger); err != nil {
				return err
			}
		}
		// Balances over time and holdings.
		if err := r.s.recordStatement(ctx, acct, &source.Statement{Currency: cc.currency, Balance: cc.ledger, BalanceAsOf: cc.asOf, Holdings: cc.holdings}); err != nil {
			return err
		}
	}
	if err := r.s.Store.UpdateImport(ctx, r.imp); err != nil {
		return err
	}
	if progress != nil {
		progress(r.imp)
	}
	return nil
}
