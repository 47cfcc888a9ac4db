package tally

import "time"

// Category sources: how a transaction got its category. CategoryManual is
// final: automation never changes such a transaction again.
const (
	SourceDictionary = "dictionary"
	SourceCrowd      = "crowd"
	SourceRule       = "rule"
	SourceMCC        = "mcc"
	SourceManual     = "manual"
	SourceNone       = "none"
)

// Transaction is one posted or pending line of an account.
type Transaction struct {
	ID             string
	UserID         string
	AccountID      string
	ExternalID     string    // FITID, or a content hash plus an occurrence number
	PostedOn       time.Time // a date: midnight UTC of the posting day
	Amount         int64     // minor units; negative means money left the account
	Currency       string
	Description    string // the raw descriptor as the institution sent it
	Merchant       string // the normalized seller name
	MerchantKey    string // the seller as rules and crowd votes know it, computed at insert from every field of the line
	Category       string // a category id (slug)
	CategorySource string
	Pending        bool
	CreatedAt      time.Time
}

// Month returns the transaction's month as "YYYY-MM".
func (t *Transaction) Month() string { return t.PostedOn.Format("2006-01") }

// DateLayout is how dates travel in the API and the database.
const DateLayout = "2006-01-02"

// MonthLayout is how months travel in the API and the database.
const MonthLayout = "2006-01"
