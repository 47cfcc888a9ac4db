// Package simplefin is a client of the SimpleFIN protocol
// (https://www.simplefin.org/protocol.html), which several bank bridges
// speak: a one-time setup token is a base64 claim URL; POSTing to it
// returns an access URL with credentials in its user info; GET
// ACCESS_URL/accounts?start-date=UNIX returns accounts and transactions as
// JSON.
package simplefin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/source"
)

// ErrAuth is the bridge refusing a setup token that was already claimed or
// an access URL that was revoked; retrying cannot help.
var ErrAuth = errors.New("simplefin: the bridge refused the token or access URL")

// ErrMalformedToken is a setup token that is not base64 of a claim URL.
var ErrMalformedToken = errors.New("simplefin: the setup token is malformed")

// ErrNotAccessURL is a claim that answered something other than an access
// URL.
var ErrNotAccessURL = errors.New("simplefin: the claim did not answer an access URL")

const maxBody = 256 << 20

// Org is the institution of an account.
type Org struct {
	Domain  string `json:"domain"`
	SFINURL string `json:"sfin-url"`
	Name    string `json:"name"`
}

// Transaction is one account transaction. Amounts are decimal strings.
type Transaction struct {
	ID           string `json:"id"`
	Posted       int64  `json:"posted"` // Unix seconds; 0 while pending
	Amount       string `json:"amount"`
	Description  string `json:"description"`
	Payee        string `json:"payee,omitempty"`
	Memo         string `json:"memo,omitempty"`
	TransactedAt int64  `json:"transacted_at,omitempty"`
	Pending      bool   `json:"pending,omitempty"`
}

// Account is one account with its transactions.
type Account struct {
	Org              Org           `json:"org"`
	ID               string        `json:"id"`
	Name             string        `json:"name"`
	Currency         string        `json:"currency"`
	Balance          string        `json:"balance"`
	AvailableBalance string        `json:"available-balance,omitempty"`
	BalanceDate      int64         `json:"balance-date"`
	Transactions     []Transaction `json:"transactions"`
}

// AccountSet is the answer of /accounts.
type AccountSet struct {
	Errors   []string  `json:"errors"`
	Accounts []Account `json:"accounts"`
}

// Claim exchanges a setup token for an access URL. The token can be claimed
// once.
func Claim(ctx context.Context, client *http.Client, setupToken string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(setupToken))
	if err != nil {
		raw, err = base64.URLEncoding.DecodeString(strings.TrimSpace(setupToken))
	}
	if err != nil {
		return "", fmt.Errorf("%w: it is not base64", ErrMalformedToken)
	}
	claim, err := url.Parse(string(raw))
	if err != nil || (claim.Scheme != "https" && claim.Scheme != "http") || claim.Host == "" {
		return "", fmt.Errorf("%w: it does not hold a claim URL", ErrMalformedToken)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, claim.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Length", "0")
	body, err := do(client, req, 64<<10)
	if err != nil {
		return "", err
	}
	access := strings.TrimSpace(string(body))
	u, err := url.Parse(access)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.User == nil {
		// The answer is never repeated: the claim URL came from a token
		// anyone can write, and its answer is not for them to read.
		return "", ErrNotAccessURL
	}
	return access, nil
}

// Accounts reads the accounts and their transactions since start (all the
// bridge has when start is zero), pending ones included.
func Accounts(ctx context.Context, client *http.Client, accessURL string, start time.Time) (*AccountSet, error) {
	body, err := Fetch(ctx, client, accessURL, start)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	return Decode(body)
}

// Fetch asks for the accounts and their transactions since start (all the
// bridge has when start is zero), pending ones included, and returns the
// raw answer as it arrives, to be kept before Decode reads it. The caller
// closes it; reading more than 256 MiB from it fails.
func Fetch(ctx context.Context, client *http.Client, accessURL string, start time.Time) (io.ReadCloser, error) {
	u, err := url.Parse(accessURL)
	if err != nil || u.User == nil {
		return nil, fmt.Errorf("simplefin: access URL is malformed")
	}
	user := u.User.Username()
	pass, _ := u.User.Password()
	u.User = nil
	u.Path = strings.TrimSuffix(u.Path, "/") + "/accounts"
	q := url.Values{"pending": {"1"}}
	if !start.IsZero() {
		q.Set("start-date", strconv.FormatInt(start.Unix(), 10))
	}
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, err
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Accept", "application/json")
	res, err := send(client, req)
	if err != nil {
		return nil, err
	}
	return source.LimitBody(res.Body, maxBody, "simplefin"), nil
}

// Decode reads an /accounts answer from r, without a copy of its bytes.
func Decode(r io.Reader) (*AccountSet, error) {
	var set AccountSet
	if err := json.NewDecoder(r).Decode(&set); err != nil {
		var ue *json.UnmarshalTypeError
		var se *json.SyntaxError
		if errors.As(err, &ue) || errors.As(err, &se) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("simplefin: the bridge answered something that is not an account set")
		}
		return nil, fmt.Errorf("simplefin: read the answer: %w", err)
	}
	return &set, nil
}

// StatusError is a bridge answering an unexpected HTTP status.
type StatusError struct{ Status int }

func (e *StatusError) Error() string {
	return fmt.Sprintf("simplefin: the bridge answered HTTP %d", e.Status)
}

func do(client *http.Client, req *http.Request, limit int64) ([]byte, error) {
	res, err := send(client, req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	body, err := source.ReadBody(res, limit)
	if err != nil {
		return nil, fmt.Errorf("simplefin: %w", err)
	}
	return body, nil
}

// send sends req and returns an answer whose status was OK; the caller
// closes its body.
func send(client *http.Client, req *http.Request) (*http.Response, error) {
	res, err := source.Do(client, req)
	if err != nil {
		return nil, err
	}
	switch {
	case res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized:
		source.DiscardBody(res)
		res.Body.Close()
		return nil, ErrAuth
	case res.StatusCode != http.StatusOK:
		source.DiscardBody(res)
		res.Body.Close()
		return nil, &StatusError{Status: res.StatusCode}
	}
	return res, nil
}

// Redact returns an access URL without its credentials, for display.
func Redact(accessURL string) string {
	u, err := url.Parse(accessURL)
	if err != nil {
		return ""
	}
	u.User = nil
	return u.String()
}
