package tally

import "time"

// SourceTransfer is the category source of a transaction filed under a
// transfer category because it was matched with its other side in another
// of the user's accounts. Unlinking the pair restores the category it had.
const SourceTransfer = "transfer"

// Notification kinds raised by recurring series.
const (
	NotifyRecurringNew           = "recurring_new"            // a new subscription was detected
	NotifyRecurringPriceIncrease = "recurring_price_increase" // a series charged more than before
	NotifyRecurringMissing       = "recurring_missing"        // an expected charge did not come
)

// User choices about a recurring series.
const (
	RecurringConfirmed = "confirmed"
	RecurringIgnored   = "ignored"
)

// RecurringSeries is a stored recurring series: a bill, subscription or
// income found in a user's transactions.
type RecurringSeries struct {
	UserID     string
	ID         string
	Key        string // seller, currency, direction and cadence
	Merchant   string
	Category   string
	Currency   string
	Cadence    string // weekly, biweekly, semimonthly, monthly, quarterly, yearly
	Kind       string // bill, subscription, income
	Amount     int64  // the latest charge
	Previous   int64  // the one before
	Usual      int64  // the median
	FirstDate  time.Time
	LastDate   time.Time
	NextDate   time.Time
	Count      int
	Confidence int
	State      string // active or ended
	UserStatus string // "", confirmed or ignored
	DetectedAt time.Time
	UpdatedAt  time.Time
}

// TransferPair is two of a user's transactions matched as one movement
// between their accounts.
type TransferPair struct {
	UserID   string
	ID       string
	OutID    string // the side that left an account
	InID     string // the side that arrived in another
	Amount   int64  // positive, minor units
	Currency string
	// The sides' categories and sources before matching.
	OutCategory, OutSource string
	InCategory, InSource   string
	Status                 string // linked or unlinked
	CreatedAt              time.Time
}

// Statuses of a transfer pair.
const (
	TransferLinked   = "linked"
	TransferUnlinked = "unlinked"
)

// Balance sources.
const (
	BalanceStatement = "statement" // the institution's ledger balance
	BalanceDerived   = "derived"   // computed from transactions
)

// AccountBalance is an account's balance at the end of a day.
type AccountBalance struct {
	AccountID string
	Day       time.Time
	Balance   int64
	Currency  string
	Source    string
}

// Holding is an investment position as a statement reported it.
type Holding struct {
	AccountID    string
	SecurityID   string // e.g. a CUSIP
	IDType       string // e.g. CUSIP
	PositionType string // e.g. POSMF, POSSTOCK
	Units        string // decimal, as sent
	UnitPrice    string // decimal, as sent
	MarketValue  int64  // minor units
	Currency     string
	AsOf         time.Time
}

// NetWorthPoint is a user's assets and liabilities on one day.
type NetWorthPoint struct {
	Day         time.Time
	Assets      int64
	Liabilities int64 // a positive amount owed
}

// Net returns assets minus liabilities.
func (p NetWorthPoint) Net() int64 { return p.Assets - p.Liabilities }

// Rollover modes of a budget.
const (
	RolloverNone              = "none"
	RolloverSurplus           = "surplus"
	RolloverSurplusAndDeficit = "surplus_and_deficit"
)
