package tally

import "time"

// User is a person with a Tally login.
type User struct {
	ID           string
	Email        string
	TimeZone     string // IANA name; "UTC" by default
	CreatedAt    time.Time
	LastActiveAt time.Time
}

// Location returns the user's time zone, UTC when it is unset or unknown.
func (u *User) Location() *time.Location {
	if u.TimeZone == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(u.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Connection kinds.
const (
	ConnectionOFX       = "ofx"
	ConnectionSimpleFIN = "simplefin"
	ConnectionFile      = "file"
)

// Statuses of connections and accounts.
const (
	StatusActive         = "active"
	StatusSyncing        = "syncing"
	StatusNeedsAttention = "needs_attention"
)

// Connection is a user's link to one institution: where to reach it and the
// (encrypted) credentials. One connection yields one or more accounts.
type Connection struct {
	ID            string
	UserID        string
	Kind          string // ConnectionOFX, ...
	URL           string
	Login         string
	Institution   string // display name of the institution (ORG), if known
	FID           string // OFX FI id, if known
	Status        string
	StatusReason  string
	LastSyncedAt  *time.Time // last sync attempt that finished
	LastSuccessAt *time.Time // last sync that completed without error
	CreatedAt     time.Time
	// RefreshRequestedAt is when the user last asked for a refresh (the
	// refresh button's cooldown).
	RefreshRequestedAt *time.Time
}

// Account types.
const (
	AccountChecking   = "checking"
	AccountSavings    = "savings"
	AccountCreditCard = "credit_card"
	AccountInvestment = "investment"
	AccountLoan       = "loan"
	AccountOther      = "other"
)

// Account is one account at an institution.
type Account struct {
	ID           string
	UserID       string
	ConnectionID string
	ExternalID   string // the institution's identity of the account (e.g. bank id + account number)
	Name         string
	Type         string
	Mask         string // last four characters of the account number
	Currency     string
	Balance      int64 // minor units
	Status       string
	StatusReason string
	LastSyncedAt *time.Time
	CreatedAt    time.Time
	Hidden       bool // left out of the dashboard's balances and net worth
}

// RefreshCooldown is how often a user may ask for one connection to be
// refreshed.
const RefreshCooldown = time.Minute
