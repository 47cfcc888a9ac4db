// Package ofxdirect is a client of OFX Direct Connect, the protocol banks
// and brokers speak to personal finance programs: it signs on and lists a
// login's accounts (to verify credentials when a connection is made), and
// fetches statements, which it turns into source statements. Requests are
// OFX 1.02 SGML, written and parsed by package ofx.
package ofxdirect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/source"
)

// MaxResponseBytes caps an institution's answer.
const MaxResponseBytes = 256 << 20

// Client talks to institutions.
type Client struct {
	HTTP *http.Client     // nil: a client with no overall timeout; contexts bound each call
	Now  func() time.Time // the client time sent at sign-on; time.Now when nil
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Institution is what sign-on tells of the institution.
type Institution struct {
	Org string
	FID string
}

// Verify signs on and lists the login's accounts. A server error or a
// timeout is retried once, as institutions drop requests now and then.
func (c *Client) Verify(ctx context.Context, url, login, password string) (Institution, []source.Account, error) {
	doc := &ofx.Request{Version: 102, SignOn: c.signOn(login, password), AccountInfo: true}
	var resp *ofx.Response
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		resp, err = c.exchange(ctx, url, doc)
		if !IsRetryable(err) {
			break
		}
	}
	if err != nil {
		return Institution{}, nil, err
	}
	accounts := make([]source.Account, 0, len(resp.Accounts))
	for _, ai := range resp.Accounts {
		accounts = append(accounts, source.OFXAccount(ai.Account, ai.Currency))
	}
	return Institution{Org: resp.SignOn.Org, FID: resp.SignOn.FID}, accounts, nil
}

// Fetch requests the statements of the accounts (by their external ids)
// since start (everything the institution keeps when zero) and returns the
// raw answer as it arrives, to be kept before it is parsed (with Read): it
// is never held whole in memory here. The caller closes it; reading more
// than MaxResponseBytes from it fails.
func (c *Client) Fetch(ctx context.Context, url, login, password string, accountIDs []string, start time.Time) (io.ReadCloser, error) {
	doc := &ofx.Request{Version: 102, SignOn: c.signOn(login, password)}
	for i, id := range accountIDs {
		oa, ok := source.ParseOFXAccount(id)
		if !ok {
			return nil, fmt.Errorf("ofxdirect: account external id %q is malformed", id)
		}
		doc.Statements = append(doc.Statements, ofx.StatementRequest{
			TrnUID:              strconv.Itoa(i + 1),
			Account:             oa,
			Start:               start,
			IncludeTransactions: true,
		})
	}
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, doc); err != nil {
		return nil, fmt.Errorf("ofxdirect: write request: %w", err)
	}
	res, err := c.send(ctx, url, body.Bytes())
	if err != nil {
		return nil, err
	}
	return source.LimitBody(res.Body, MaxResponseBytes, "ofxdirect"), nil
}

// Parse reads a whole statement answer into source statements. Read does
// the same a chunk at a time.
func Parse(raw []byte) ([]source.Statement, error) {
	resp, err := ofx.Parse(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	out := make([]source.Statement, 0, len(resp.Statements))
	for i := range resp.Statements {
		out = append(out, Statement(&resp.Statements[i]))
	}
	return out, nil
}

// Read parses a statement answer in two passes over r, holding at most
// chunk transactions at a time: the first pass checks that the whole
// answer parses (an answer refused or cut off half-way hands nothing out)
// and notes each statement's balance and holdings, the second hands each
// statement's transactions to fn in chunks of up to chunk, in order. st is
// the statement without its lines (account, currency, balance, holdings)
// on every call; the last call of a statement has done set (txs may be
// empty). fn must not keep txs, which are reused. An error from fn stops
// the read and is returned as it is.
func Read(r io.ReadSeeker, chunk int, fn func(st *source.Statement, txs []source.Transaction, done bool) error) error {
	var statements []source.Statement
	_, err := ofx.ParseStream(r, chunk, func(ost *ofx.Statement, _ []ofx.Transaction, done bool) error {
		if done {
			st := source.Statement{Account: source.OFXAccount(ost.Account, ost.Currency), Currency: ost.Currency}
			finishStatement(&st, ost)
			statements = append(statements, st)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("ofxdirect: rewind: %w", err)
	}
	var buf []source.Transaction
	var fnErr error
	i := 0 // the statement being read
	_, err = ofx.ParseStream(r, chunk, func(_ *ofx.Statement, txs []ofx.Transaction, done bool) error {
		if i >= len(statements) {
			return errors.New("more statements than before")
		}
		buf = buf[:0]
		for j := range txs {
			buf = append(buf, source.FromOFX(&txs[j]))
		}
		fnErr = fn(&statements[i], buf, done)
		if done {
			i++
		}
		return fnErr
	})
	if err != nil && err == fnErr {
		return err
	}
	if err != nil {
		return fmt.Errorf("ofxdirect: the answer changed between two reads: %w", err)
	}
	return nil
}

// Statement turns a parsed OFX statement into a source statement.
func Statement(st *ofx.Statement) source.Statement {
	out := source.Statement{
		Account:      source.OFXAccount(st.Account, st.Currency),
		Currency:     st.Currency,
		Transactions: make([]source.Transaction, len(st.Transactions)),
	}
	for i := range st.Transactions {
		out.Transactions[i] = source.FromOFX(&st.Transactions[i])
	}
	finishStatement(&out, st)
	return out
}

// finishStatement copies what an OFX statement says after its
// transactions: the ledger balance and the positions.
func finishStatement(out *source.Statement, st *ofx.Statement) {
	if st.Ledger != nil {
		v := st.Ledger.Amount
		out.Balance = &v
		out.BalanceAsOf = st.Ledger.AsOf
	}
	out.Holdings = source.Holdings(st)
}

func (c *Client) signOn(login, password string) ofx.SignOnRequest {
	return ofx.SignOnRequest{
		ClientTime: c.now().UTC(),
		UserID:     login,
		UserPass:   password,
		Language:   "ENG",
		AppID:      "QWIN",
		AppVer:     "2700",
	}
}

// UpstreamError is an institution that failed at the HTTP level.
type UpstreamError struct {
	Status int
}

func (e *UpstreamError) Error() string {
	return fmt.Sprintf("institution answered HTTP %d", e.Status)
}

// IsRetryable reports whether err may pass when the request is sent again:
// a server error, too many requests, or a timeout.
func IsRetryable(err error) bool {
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return ue.Status >= 500 || ue.Status == http.StatusTooManyRequests
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// IsCredentialError reports whether err is the institution refusing the
// login, which retrying cannot fix.
func IsCredentialError(err error) bool {
	var se *ofx.StatusError
	return errors.As(err, &se) && se.Where == "SONRS"
}

// ConnectError is what a user linking an institution sees of err. Only a
// real OFX sign-on answer is told apart (EUNPROCESSABLE); a closed port, a
// timeout, an HTTP error status and an answer that is not OFX all get one
// EUPSTREAM message, so account_url cannot be used to scan ports, and
// nothing the far end sent is repeated. An address the outbound guard
// refuses is EINVALID.
func ConnectError(rawURL string, err error) error {
	var se *ofx.StatusError
	if errors.As(err, &se) && se.Where == "SONRS" {
		return tally.Errorf(tally.EUNPROCESSABLE, "the institution refused the login: %s (OFX status %d)", signOnMeaning(se), se.Status.Code)
	}
	if outbound.IsBlocked(err) {
		return tally.Errorf(tally.EINVALID, "account_url %q points at a private, loopback or link-local address; "+
			"Tally calls public addresses only (an operator can allow networks with --outbound-allow-cidr)", outbound.Redact(rawURL))
	}
	return tally.Errorf(tally.EUPSTREAM, "no OFX server answered at %s (unreachable, too slow, or not an OFX Direct Connect server)", outbound.Redact(rawURL))
}

// Reason is the short explanation a user sees on a connection whose sync
// failed with err, and false when err is not the institution's doing.
func Reason(err error) (string, bool) {
	var se *ofx.StatusError
	if errors.As(err, &se) && se.Where == "SONRS" {
		return "The institution refused the login: " + signOnMeaning(se) + ". Update the credentials to resume syncing.", true
	}
	var ue *UpstreamError
	if errors.As(err, &ue) {
		return fmt.Sprintf("The institution kept failing (HTTP %d).", ue.Status), true
	}
	return "", false
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

// exchange posts an OFX request and parses the answer.
func (c *Client) exchange(ctx context.Context, rawURL string, doc *ofx.Request) (*ofx.Response, error) {
	var body bytes.Buffer
	if err := ofx.WriteRequest(&body, doc); err != nil {
		return nil, fmt.Errorf("ofxdirect: write request: %w", err)
	}
	raw, err := c.post(ctx, rawURL, body.Bytes())
	if err != nil {
		return nil, err
	}
	return ofx.Parse(bytes.NewReader(raw))
}

func (c *Client) post(ctx context.Context, rawURL string, body []byte) ([]byte, error) {
	res, err := c.send(ctx, rawURL, body)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := source.ReadBody(res, MaxResponseBytes)
	if err != nil {
		return nil, fmt.Errorf("ofxdirect: %w", err)
	}
	return raw, nil
}

// send posts an OFX request and returns the answer, whose status was OK;
// the caller closes its body.
func (c *Client) send(ctx context.Context, rawURL string, body []byte) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("ofxdirect: request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-ofx")
	req.Header.Set("Accept", "application/x-ofx, application/xml, */*")
	res, err := source.Do(c.HTTP, req)
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		source.DiscardBody(res)
		res.Body.Close()
		return nil, &UpstreamError{Status: res.StatusCode}
	}
	return res, nil
}
