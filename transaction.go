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

// CategoryReason explains in a sentence why t has its category.
func CategoryReason(t *Transaction) string {
	name := t.Category
	if c, ok := LookupCategory(t.Category); ok {
		name = c.Name
	}
	merchant := t.Merchant
	if merchant == "" {
		merchant = t.Description
	}
	switch t.CategorySource {
	case SourceManual:
		return "Set by you"
	case SourceDictionary:
		return "Filed under " + name + " by the seller dictionary (" + merchant + ")"
	case SourceCrowd:
		return "Filed under " + name + " because that is where most people file " + merchant
	case SourceRule:
		return "Filed under " + name + " by your rule for " + merchant
	case SourceMCC:
		return "Filed under " + name + " by the merchant category code the card network reported"
	case SourceTransfer:
		return "Filed under " + name + " because it moves money between your own accounts"
	}
	return "Not categorized: nothing recognized " + merchant + "; set a category to file it"
}
