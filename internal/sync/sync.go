// Package sync extracts one connection's accounts and transactions from its
// institution: fetch statements since the last success minus an overlap
// window, keep the raw response in the object store, parse, normalize and
// categorize, and insert in chunks with monthly totals updated in the same
// transactions. It also verifies credentials when a connection is made.
package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/source/simplefin"
	"github.com/tallyhq/tally/internal/store"
)

// Defaults of a Service.
const (
	DefaultOverlap        = 10 * 24 * time.Hour
	DefaultChunkSize      = 10_000
	DefaultConnectTimeout = 20 * time.Second
	DefaultFetchTimeout   = 2 * time.Minute
	maxResponseBytes      = 256 << 20
)

// Service links connections and syncs them.
type Service struct {
	Store      *store.Store
	Blobs      blob.Store
	Box        *secret.Box
	Categorize *categorize.Engine
	HTTP       *http.Client // nil: a client with no overall timeout; contexts bound each call
	Logger     *slog.Logger
	Now        func() time.Time

	Overlap        time.Duration // how far before the last success a sync starts again
	ChunkSize      int           // transactions per database transaction
	ConnectTimeout time.Duration
	FetchTimeout   time.Duration

	crowd crowdCache
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// ConnectRequest is what a user gives to link an institution.
type ConnectRequest struct {
	Kind     string // tally.ConnectionOFX (default)
	URL      string // the institution's OFX Direct Connect URL
	Login    string
	Password string

	SetupToken string // tally.ConnectionSimpleFIN: the bridge's one-time setup token
}

// Connect verifies the credentials at the institution (sign-on and account
// list) and, when they are accepted, stores the connection, its accounts and
// a sync job in one transaction. Refused credentials are EUNPROCESSABLE, an
// institution that cannot be reached is EUPSTREAM; nothing is stored then.
func (s *Service) Connect(ctx context.Context, userID string, req ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	if req.Kind == "" {
		req.Kind = tally.ConnectionOFX
	}
	if req.Kind == tally.ConnectionSimpleFIN {
		return s.connectSimpleFIN(ctx, userID, req)
	}
	if req.Kind != tally.ConnectionOFX {
		return nil, nil, tally.Errorf(tally.EINVALID, "connection kind %q is not supported (want ofx)", req.Kind)
	}
	if err := validateURL(req.URL); err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(req.Login) == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "account_login is required")
	}
	if req.Password == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "account_password is required")
	}
	timeout := s.ConnectTimeout
	if timeout == 0 {
		timeout = DefaultConnectTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	doc := &ofx.Request{
		Version:     102,
		SignOn:      s.signOn(req.Login, req.Password),
		AccountInfo: true,
	}
	// Institutions drop requests now and then; verification retries a
	// server error once before giving up.
	var resp *ofx.Response
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		resp, _, err = s.exchange(ctx, req.URL, doc)
		if !isRetryable(err) {
			break
		}
	}
	if err != nil {
		return nil, nil, connectError(req.URL, err)
	}
	if len(resp.Accounts) == 0 {
		return nil, nil, tally.Errorf(tally.EUNPROCESSABLE, "the institution accepted the login but reported no accounts")
	}
	conn := &tally.Connection{
		ID:          tally.NewID(),
		UserID:      userID,
		Kind:        req.Kind,
		URL:         req.URL,
		Login:       req.Login,
		Institution: resp.SignOn.Org,
		FID:         resp.SignOn.FID,
		Status:      tally.StatusSyncing,
	}
	accounts := make([]*tally.Account, 0, len(resp.Accounts))
	for _, ai := range resp.Accounts {
		accounts = append(accounts, newAccount(ai.Account, ai.Currency))
	}
	sealed := s.Box.Seal([]byte(req.Password), []byte(conn.ID))
	if err := s.Store.CreateConnection(ctx, conn, sealed, accounts); err != nil {
		return nil, nil, err
	}
	s.logger().InfoContext(ctx, "connection created", "user_id", userID, "connection_id", conn.ID, "accounts", len(accounts))
	return conn, accounts, nil
}

func validateURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return tally.Errorf(tally.EINVALID, "account_url %q is not an http or https URL", raw)
	}
	return nil
}

func (s *Service) signOn(login, password string) ofx.SignOnRequest {
	return ofx.SignOnRequest{
		ClientTime: s.now().UTC(),
		UserID:     login,
		UserPass:   password,
		Language:   "ENG",
		AppID:      "QWIN",
		AppVer:     "2700",
	}
}

// upstreamError is an institution that failed at the HTTP level.
type upstreamError struct {
	status int
	msg    string
}

func (e *upstreamError) Error() string { return e.msg }

func isRetryable(err error) bool {
	var ue *upstreamError
	if errors.As(err, &ue) {
		return ue.status >= 500 || ue.status == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// IsCredentialError reports whether err is the institution refusing the
// login, which retrying cannot fix.
func IsCredentialError(err error) bool {
	var se *ofx.StatusError
	return errors.As(err, &se) && se.Where == "SONRS" || errors.Is(err, simplefin.ErrAuth)
}

func connectError(rawURL string, err error) error {
	var se *ofx.StatusError
	if errors.As(err, &se) && se.Where == "SONRS" {
		return tally.Errorf(tally.EUNPROCESSABLE, "the institution refused the login: %s (OFX status %d)", signOnMeaning(se), se.Status.Code)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return tally.Errorf(tally.EUPSTREAM, "the institution at %s did not answer in time", rawURL)
	}
	var ue *upstreamError
	if errors.As(err, &ue) {
		return tally.Errorf(tally.EUPSTREAM, "the institution at %s answered HTTP %d", rawURL, ue.status)
	}
	var ne net.Error
	var oe *net.OpError
	if errors.As(err, &oe) || errors.As(err, &ne) {
		return tally.Errorf(tally.EUPSTREAM, "could not reach the institution at %s", rawURL)
	}
	return tally.Errorf(tally.EUPSTREAM, "the institution at %s sent a response Tally cannot read: %v", rawURL, err)
}

func signOnMeaning(se *ofx.StatusError) string {
	switch se.Status.Code {
	case ofx.StatusInvalidSignOn:
		return "wrong login or password"
	case ofx.StatusAccountLocked:
		return "the account is locked or in use"
	case ofx.StatusMustChangePass:
		return "the password must be changed at the institution"
	}
	if se.Status.Message != "" {
		return se.Status.Message
	}
	return "sign-on failed"
}

// exchange posts an OFX request and parses the answer. It also returns the
// raw response bytes.
func (s *Service) exchange(ctx context.Context, rawURL string, doc *ofx.Request) (*ofx.Response, []byte, error) {
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, doc); err != nil {
		return nil, nil, fmt.Errorf("sync: write request: %w", err)
	}
	raw, err := s.post(ctx, rawURL, body.Bytes())
	if err != nil {
		return nil, nil, err
	}
	resp, err := ofx.Parse(bytes.NewReader(raw))
	return resp, raw, err
}

func (s *Service) post(ctx context.Context, rawURL string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("sync: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-ofx")
	req.Header.Set("Accept", "application/x-ofx, application/xml, */*")
	client := s.HTTP
	if client == nil {
		client = http.DefaultClient
	}
	res, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
		return nil, &upstreamError{status: res.StatusCode, msg: fmt.Sprintf("institution answered HTTP %d", res.StatusCode)}
	}
	raw, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxResponseBytes {
		return nil, fmt.Errorf("sync: institution response is larger than %d MiB", maxResponseBytes>>20)
	}
	return raw, nil
}

// externalID encodes an OFX account identity as the account's external id:
// kind:type:bank-or-broker:acctid (the account id last, so it may hold any
// character).
func externalID(a ofx.Account) string {
	org := a.BankID
	if a.Kind == ofx.KindInvestment {
		org = a.BrokerID
	}
	return a.Kind + ":" + a.AccountType + ":" + org + ":" + a.AccountID
}

func parseExternalID(id string) (ofx.Account, error) {
	parts := strings.SplitN(id, ":", 4)
	if len(parts) != 4 {
		return ofx.Account{}, fmt.Errorf("sync: account external id %q is malformed", id)
	}
	a := ofx.Account{Kind: parts[0], AccountType: parts[1], AccountID: parts[3]}
	if a.Kind == ofx.KindInvestment {
		a.BrokerID = parts[2]
	} else {
		a.BankID = parts[2]
	}
	return a, nil
}

func newAccount(a ofx.Account, currency string) *tally.Account {
	if currency == "" {
		currency = "USD"
	}
	typ := tally.AccountOther
	switch a.Kind {
	case ofx.KindCreditCard:
		typ = tally.AccountCreditCard
	case ofx.KindInvestment:
		typ = tally.AccountInvestment
	case ofx.KindBank:
		switch a.AccountType {
		case "CHECKING":
			typ = tally.AccountChecking
		case "SAVINGS", "MONEYMRKT", "CD":
			typ = tally.AccountSavings
		case "CREDITLINE":
			typ = tally.AccountLoan
		}
	}
	mask := a.AccountID
	if len(mask) > 4 {
		mask = mask[len(mask)-4:]
	}
	name := strings.TrimSpace(a.Description)
	if name == "" {
		name = strings.ReplaceAll(typ, "_", " ")
		name = strings.ToUpper(name[:1]) + name[1:] + " " + mask
	}
	return &tally.Account{
		ExternalID: externalID(a),
		Name:       name,
		Type:       typ,
		Mask:       mask,
		Currency:   currency,
		Status:     tally.StatusSyncing,
	}
}

// Result summarizes one sync.
type Result struct {
	Seen     int // transactions the institution sent
	Inserted int // of which new
}

// Sync extracts a connection's statements and stores what is new. A sync
// that dies part-way can simply run again: raw documents are
// content-addressed, and inserts skip transactions already stored.
func (s *Service) Sync(ctx context.Context, userID, connectionID string) (Result, error) {
	var res Result
	log := s.logger().With("user_id", userID, "connection_id", connectionID)
	conn, err := s.Store.Connection(ctx, userID, connectionID)
	if err != nil {
		return res, err
	}
	sealed, err := s.Store.ConnectionSecret(ctx, userID, connectionID)
	if err != nil {
		return res, err
	}
	password, err := s.Box.Open(sealed, []byte(conn.ID))
	if err != nil {
		return res, fmt.Errorf("sync: connection %s: %w", conn.ID, err)
	}
	if conn.Kind == tally.ConnectionSimpleFIN {
		return s.syncSimpleFIN(ctx, conn, string(password))
	}
	if err := s.Store.StartSync(ctx, userID, connectionID); err != nil {
		return res, err
	}
	accounts, err := s.Store.ConnectionAccounts(ctx, userID, connectionID)
	if err != nil {
		return res, err
	}
	var start time.Time
	if conn.LastSuccessAt != nil {
		overlap := s.Overlap
		if overlap == 0 {
			overlap = DefaultOverlap
		}
		start = conn.LastSuccessAt.Add(-overlap)
	}
	doc := &ofx.Request{Version: 102, SignOn: s.signOn(conn.Login, string(password))}
	byExternal := make(map[string]*tally.Account, len(accounts))
	for i, a := range accounts {
		oa, err := parseExternalID(a.ExternalID)
		if err != nil {
			return res, err
		}
		byExternal[a.ExternalID] = a
		doc.Statements = append(doc.Statements, ofx.StatementRequest{
			TrnUID:              strconv.Itoa(i + 1),
			Account:             oa,
			Start:               start,
			IncludeTransactions: true,
		})
	}

	timeout := s.FetchTimeout
	if timeout == 0 {
		timeout = DefaultFetchTimeout
	}
	fetchCtx, cancel := context.WithTimeout(ctx, timeout)
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, doc); err != nil {
		cancel()
		return res, fmt.Errorf("sync: write request: %w", err)
	}
	raw, err := s.post(fetchCtx, conn.URL, body.Bytes())
	cancel()
	if err != nil {
		return res, fmt.Errorf("sync: fetch %s: %w", conn.URL, err)
	}
	fetchedAt := s.now()
	key := blob.Key("raw/"+userID, raw, ".ofx")
	if err := s.Blobs.Put(ctx, key, raw); err != nil {
		return res, err
	}
	if err := s.Store.RecordRawDocument(ctx, userID, connectionID, key, int64(len(raw)), fetchedAt); err != nil {
		return res, err
	}
	resp, err := ofx.Parse(bytes.NewReader(raw))
	if err != nil {
		return res, fmt.Errorf("sync: parse %s: %w", key, err)
	}
	for _, st := range resp.Statements {
		acct := byExternal[externalID(st.Account)]
		if acct == nil {
			a := newAccount(st.Account, st.Currency)
			a.UserID, a.ConnectionID = userID, connectionID
			if acct, err = s.Store.EnsureAccount(ctx, a); err != nil {
				return res, err
			}
		}
		n, err := s.ImportStatement(ctx, acct, &st)
		res.Seen += len(st.Transactions)
		res.Inserted += n
		if err != nil {
			return res, err
		}
	}
	if err := s.Store.FinishSync(ctx, userID, connectionID, tally.StatusActive, ""); err != nil {
		return res, err
	}
	log.InfoContext(ctx, "sync done", "seen", res.Seen, "inserted", res.Inserted, "raw_key", key)
	return res, nil
}

// ImportStatement categorizes a parsed statement's transactions and stores
// them in chunks, one database transaction each, then records the balance.
// It returns how many transactions were new.
func (s *Service) ImportStatement(ctx context.Context, acct *tally.Account, st *ofx.Statement) (int, error) {
	chunk := s.ChunkSize
	if chunk <= 0 {
		chunk = DefaultChunkSize
	}
	currency := st.Currency
	if currency == "" {
		currency = acct.Currency
	}
	ov, err := s.overridesFor(ctx, acct.UserID)
	if err != nil {
		return 0, err
	}
	inserted := 0
	occurrences := map[string]int{}
	batch := make([]*tally.Transaction, 0, min(chunk, len(st.Transactions)))
	rows := make([]tally.Transaction, min(chunk, len(st.Transactions)))
	for i := 0; i < len(st.Transactions); i += chunk {
		end := min(i+chunk, len(st.Transactions))
		batch = batch[:0]
		for j := i; j < end; j++ {
			t := &rows[j-i]
			ov.apply(t, s.convert(t, acct, &st.Transactions[j], currency, occurrences))
			batch = append(batch, t)
		}
		n, err := s.Store.InsertTransactions(ctx, acct.UserID, batch)
		if err != nil {
			return inserted, err
		}
		inserted += n
		metrics.TransactionsSeen.Add(float64(len(batch)))
		metrics.TransactionsInserted.Add(float64(n))
	}
	if st.Ledger != nil {
		if err := s.Store.SetAccountBalance(ctx, acct.UserID, acct.ID, st.Ledger.Amount); err != nil {
			return inserted, err
		}
	}
	if err := s.recordStatement(ctx, acct, st); err != nil { // balances over time and holdings
		return inserted, err
	}
	return inserted, nil
}

// convert fills t from ot, categorized by the engine, and returns the
// seller's key for rules and crowd categories.
func (s *Service) convert(t *tally.Transaction, acct *tally.Account, ot *ofx.Transaction, currency string, occurrences map[string]int) string {
	posted := ot.Posted
	cur := currency
	if ot.Currency != "" {
		cur = ot.Currency
	}
	desc := strings.TrimSpace(ot.Name)
	if desc == "" {
		desc = strings.TrimSpace(ot.Memo)
	}
	r := s.Categorize.Categorize(categorize.Input{Description: desc, Memo: ot.Memo, Amount: ot.Amount, Type: ot.Type, MCC: ot.SIC})
	ext := ot.FITID
	if ext == "" {
		ext = contentID(acct.ID, ot, occurrences)
	}
	*t = tally.Transaction{
		AccountID:      acct.ID,
		ExternalID:     ext,
		PostedOn:       time.Date(posted.Year(), posted.Month(), posted.Day(), 0, 0, 0, 0, time.UTC),
		Amount:         ot.Amount,
		Currency:       cur,
		Description:    desc,
		Merchant:       r.Merchant,
		Category:       r.Category,
		CategorySource: r.Source,
	}
	return r.Key
}

// contentID identifies a transaction that has no FITID by its content plus
// an occurrence number, so two identical purchases on one day are both kept
// and importing the same document twice adds nothing.
func contentID(accountID string, t *ofx.Transaction, occurrences map[string]int) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%d|%s|%s|%s", accountID, t.Posted.Format(tally.DateLayout), t.Amount, t.Name, t.Memo, t.CheckNum)
	sum := hex.EncodeToString(h.Sum(nil)[:12])
	occurrences[sum]++
	return "h:" + sum + ":" + strconv.Itoa(occurrences[sum])
}

// Reason turns a sync error into the short explanation a user sees on a
// connection that needs attention.
func Reason(err error) string {
	var se *ofx.StatusError
	if errors.As(err, &se) && se.Where == "SONRS" {
		return "The institution refused the login: " + signOnMeaning(se) + ". Update the credentials to resume syncing."
	}
	if errors.Is(err, simplefin.ErrAuth) {
		return "The SimpleFIN bridge revoked Tally's access. Connect again with a new setup token."
	}
	var ue *upstreamError
	if errors.As(err, &ue) {
		return fmt.Sprintf("The institution kept failing (HTTP %d).", ue.status)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "The institution did not answer in time."
	}
	return "Sync failed: " + tally.ErrorMessage(err)
}
