// Package source defines what every source of transactions produces: the
// OFX Direct Connect client (ofxdirect), the SimpleFIN bridge client
// (simplefin) and statement files (file) each turn their input into
// statements of raw transactions in these types, and package ingest does
// everything else once. Sources import this package, tally and ofx, never
// the store or one another.
package source

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// Transaction is one raw line as its source sent it.
type Transaction struct {
	Line        int       // where the row starts in a file (1-based); 0 when the source has no lines
	Date        time.Time // a calendar date, UTC midnight
	Amount      int64     // minor units of Currency (the statement's when empty); negative is money out
	Currency    string    // when the line's currency is not the statement's
	Description string    // NAME or payee: what the institution calls the line
	Memo        string
	FITID       string // the institution's transaction id; "" when it has none
	// RepeatedFITID is the id a file gave this line and other, different
	// lines of the same account; FITID is then empty, as the id
	// identifies none of them.
	RepeatedFITID string
	CheckNum      string
	Type          string // an OFX TRNTYPE (DEBIT, CREDIT, CHECK, POS, ...); "" when the source does not say
	MCC           string // the merchant category code (OFX SIC), when the source says
	Pending       bool   // not posted yet; the source lists it again until it posts
}

// Account is an account's identity and description at its source.
type Account struct {
	ExternalID string // stable at the source: "bank:CHECKING:routing:number", "sfin:ID"
	Name       string
	Type       string // a tally account type
	Mask       string
	Currency   string
}

// Statement is one account's transactions from one fetch or file.
type Statement struct {
	Account      Account
	Currency     string // of the amounts; the account's when empty
	Transactions []Transaction
	Balance      *int64 // the closing (ledger) balance, when the source gives one
	// BalanceAsOf is when Balance was the balance; zero when unknown.
	BalanceAsOf time.Time
	// Holdings are an investment account's positions as of their date.
	Holdings []tally.Holding
	// ListsPending says the source lists every pending transaction each
	// time: a pending one stored before and not listed again has posted.
	ListsPending bool
	// PendingIDs are the FITIDs of the statement's pending lines, when its
	// lines come in chunks apart from it (nil otherwise: Transactions
	// says).
	PendingIDs []string
}

// Holdings returns an OFX statement's investment positions, each as of its
// own date or, without one, the statement's balance date.
func Holdings(st *ofx.Statement) []tally.Holding {
	var out []tally.Holding
	for _, p := range st.Positions {
		asOf := p.AsOf
		if asOf.IsZero() && st.Ledger != nil {
			asOf = st.Ledger.AsOf
		}
		out = append(out, tally.Holding{SecurityID: p.SecurityID, IDType: p.SecurityIDType, PositionType: p.Type,
			Units: p.Units, UnitPrice: p.UnitPrice, MarketValue: p.MarketValue, Currency: st.Currency, AsOf: asOf})
	}
	return out
}

// OFXAccount describes an OFX account identity: its external id encodes the
// identity as kind:type:bank-or-broker:acctid (the account id last, so it
// may hold any character).
func OFXAccount(a ofx.Account, currency string) Account {
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
	org := a.BankID
	if a.Kind == ofx.KindInvestment {
		org = a.BrokerID
	}
	return Account{
		ExternalID: a.Kind + ":" + a.AccountType + ":" + org + ":" + a.AccountID,
		Name:       name,
		Type:       typ,
		Mask:       mask,
		Currency:   currency,
	}
}

// ParseOFXAccount reads back the OFX identity OFXAccount encoded.
func ParseOFXAccount(externalID string) (ofx.Account, bool) {
	parts := strings.SplitN(externalID, ":", 4)
	if len(parts) != 4 {
		return ofx.Account{}, false
	}
	a := ofx.Account{Kind: parts[0], AccountType: parts[1], AccountID: parts[3]}
	if a.Kind == ofx.KindInvestment {
		a.BrokerID = parts[2]
	} else {
		a.BankID = parts[2]
	}
	return a, true
}

// FromOFX turns one OFX STMTTRN into a source transaction: NAME is the
// description (MEMO when there is no NAME), SIC the MCC.
func FromOFX(t *ofx.Transaction) Transaction {
	p := t.Posted
	desc := t.Name
	if desc == "" {
		desc = t.Memo
	}
	return Transaction{
		Date:        time.Date(p.Year(), p.Month(), p.Day(), 0, 0, 0, 0, time.UTC),
		Amount:      t.Amount,
		Currency:    t.Currency,
		Description: desc,
		Memo:        t.Memo,
		FITID:       t.FITID,
		CheckNum:    t.CheckNum,
		Type:        t.Type,
		MCC:         t.SIC,
	}
}

// Do sends req with client, http.DefaultClient when nil.
func Do(client *http.Client, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	return client.Do(req)
}

// ReadBody reads an HTTP answer's body, refusing one larger than limit
// bytes.
func ReadBody(res *http.Response, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("the answer is larger than %d MiB", limit>>20)
	}
	return body, nil
}

// LimitBody is body that fails, naming who (a package prefix), once more
// than limit bytes have been read from it.
func LimitBody(body io.ReadCloser, limit int64, who string) io.ReadCloser {
	return &limitedBody{ReadCloser: body, left: limit, limit: limit, who: who}
}

type limitedBody struct {
	io.ReadCloser
	left, limit int64
	who         string
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, fmt.Errorf("%s: the answer is larger than %d MiB", b.who, b.limit>>20)
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.ReadCloser.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n, fmt.Errorf("%s: the answer is larger than %d MiB", b.who, b.limit>>20)
	}
	return n, err
}

// DiscardBody drops the rest of an answer that is not read (up to 64 KiB),
// so its connection can be reused.
func DiscardBody(res *http.Response) {
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
}
