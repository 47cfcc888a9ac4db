// Package ofx reads and writes Open Financial Exchange documents: bank,
// credit-card and investment statement responses (OFX 1.x SGML and 2.x XML),
// the sign-on, account-information and statement requests Tally sends to an
// institution's Direct Connect server, and the responses the demo bank writes.
// It does no I/O of its own beyond the readers and writers it is given.
package ofx

import (
	"fmt"
	"strings"
	"time"
)

// Version is an OFX specification version as it appears in the header:
// 102, 103, 151, 160 (SGML) or 200, 201, 202, 203, 210, 211, 220 (XML).
type Version int

// IsXML reports whether documents of this version are XML (2.x).
func (v Version) IsXML() bool { return v >= 200 }

// Account kinds: which statement aggregate an account's data travels in.
const (
	KindBank       = "bank"       // STMTRQ/STMTRS with BANKACCTFROM
	KindCreditCard = "creditcard" // CCSTMTRQ/CCSTMTRS with CCACCTFROM
	KindInvestment = "investment" // INVSTMTRQ/INVSTMTRS with INVACCTFROM
)

// Account identifies an account at an institution.
type Account struct {
	Kind        string // KindBank, KindCreditCard or KindInvestment
	BankID      string // BANKID (bank accounts only)
	BrokerID    string // BROKERID (investment accounts only)
	AccountID   string // ACCTID
	AccountType string // ACCTTYPE for bank accounts: CHECKING, SAVINGS, MONEYMRKT, CREDITLINE, CD
	Description string // DESC from ACCTINFO, if any
}

// Status is an OFX STATUS aggregate. Code 0 is success.
type Status struct {
	Code     int
	Severity string // INFO, WARN or ERROR
	Message  string
}

// Failed reports whether the status is a failure: a non-zero code whose
// severity is not INFO or WARN. Institutions send informational codes
// (15000, "the password must be changed soon") with complete responses.
func (s Status) Failed() bool {
	if strings.EqualFold(s.Severity, "INFO") || strings.EqualFold(s.Severity, "WARN") {
		return false
	}
	return s.Code != 0
}

// StatusError is a non-success status reported by the institution, for the
// sign-on (Where is "SONRS") or for one statement ("STMTTRNRS", ...).
type StatusError struct {
	Where  string
	Status Status
}

func (e *StatusError) Error() string {
	msg := statusMeaning(e.Status.Code)
	if e.Status.Message != "" {
		msg = e.Status.Message
	}
	return fmt.Sprintf("ofx: %s status %d: %s", e.Where, e.Status.Code, msg)
}

// Well-known status codes.
const (
	StatusSuccess         = 0
	StatusGeneralError    = 2000
	StatusAccountNotFound = 2003
	StatusInvalidSignOn   = 15500 // wrong login or password
	StatusAccountLocked   = 15501 // the customer account is in use or locked
	StatusMustChangePass  = 15505
	StatusUnsupportedAuth = 15510
)

func statusMeaning(code int) string {
	switch code {
	case StatusSuccess:
		return "success"
	case StatusGeneralError:
		return "general error"
	case StatusAccountNotFound:
		return "account not found"
	case StatusInvalidSignOn:
		return "signon invalid: wrong login or password"
	case StatusAccountLocked:
		return "customer account already in use or locked"
	case StatusMustChangePass:
		return "password must be changed"
	case StatusUnsupportedAuth:
		return "user authentication type not supported"
	}
	return "error"
}

// SignOnRequest is SONRQ.
type SignOnRequest struct {
	ClientTime time.Time // DTCLIENT
	UserID     string
	UserPass   string
	Language   string // default ENG
	Org        string // FI/ORG
	FID        string // FI/FID
	AppID      string // default QWIN
	AppVer     string // default 2700
	ClientUID  string // CLIENTUID, optional
}

// StatementRequest asks for one account's statement.
type StatementRequest struct {
	TrnUID              string
	Account             Account
	Start               time.Time // zero: all history the institution keeps
	End                 time.Time // zero: up to now
	IncludeTransactions bool
}

// Request is a whole request document.
type Request struct {
	Version           Version
	SignOn            SignOnRequest
	AccountInfo       bool      // include ACCTINFORQ
	AccountsSince     time.Time // DTACCTUP; zero means all
	AccountInfoTrnUID string
	Statements        []StatementRequest

	// FileUID is the header's NEWFILEUID; WriteRequest makes up a random
	// one when it is empty.
	FileUID string
}

// SignOnResponse is SONRS.
type SignOnResponse struct {
	Status     Status
	ServerTime time.Time
	Language   string
	Org        string
	FID        string
}

// Transaction is one STMTTRN, in a bank or card statement or inside an
// investment statement's INVBANKTRAN.
type Transaction struct {
	Type     string    // TRNTYPE: CREDIT, DEBIT, INT, DIV, FEE, SRVCHG, DEP, ATM, POS, XFER, CHECK, PAYMENT, CASH, DIRECTDEP, DIRECTDEBIT, REPEATPMT, OTHER
	Posted   time.Time // DTPOSTED
	User     time.Time // DTUSER, zero if absent
	Amount   int64     // TRNAMT in minor units of Currency
	Currency string    // CURRENCY's CURSYM if present, else the statement's CURDEF
	FITID    string
	Name     string // NAME (or PAYEE/NAME)
	Memo     string
	CheckNum string
	RefNum   string
	SIC      string // standard industrial code, when the institution sends one
	SubAcct  string // SUBACCTFUND for INVBANKTRAN

	// OrigCurrency is ORIGCURRENCY's CURSYM: the currency the institution
	// converted Amount from. Amount and Currency are then in the statement's
	// currency, as the specification says.
	OrigCurrency string
}

// Balance is LEDGERBAL, AVAILBAL or INVBAL's AVAILCASH.
type Balance struct {
	Amount int64
	AsOf   time.Time
}

// Position is one INVPOS.
type Position struct {
	SecurityID     string // UNIQUEID
	SecurityIDType string // UNIQUEIDTYPE, e.g. CUSIP
	Type           string // POSSTOCK, POSMF, POSDEBT, POSOPT, POSOTHER
	Units          string // decimal, as sent
	UnitPrice      string // decimal, as sent
	MarketValue    int64  // minor units
	AsOf           time.Time
}

// Statement is one account's statement: STMTRS, CCSTMTRS or INVSTMTRS.
type Statement struct {
	TrnUID       string
	Account      Account
	Currency     string // CURDEF
	Start, End   time.Time
	Transactions []Transaction
	Ledger       *Balance // LEDGERBAL, or for investments the cash balance
	Available    *Balance // AVAILBAL
	Positions    []Position

	// Rejected are the transactions and balances left out because a value
	// they need could not be read (ParseStreamOptions with
	// SkipBadTransactions only), each with its line.
	Rejected []*ParseError `json:",omitempty"`

	// Status is the STATUS of the statement's transaction aggregate
	// (STMTTRNRS, ...). Parse returns a *StatusError instead of a statement
	// whose status Failed; WriteResponse writes only the status then.
	Status Status
}

// AccountInfo is one ACCTINFO of an account-information response.
type AccountInfo struct {
	Account  Account
	Currency string
}

// Response is a whole response document.
type Response struct {
	Version    Version
	SignOn     SignOnResponse
	Accounts   []AccountInfo // from ACCTINFORS, if present
	Statements []Statement

	// AccountsTrnUID is the TRNUID of ACCTINFOTRNRS.
	AccountsTrnUID string
}
