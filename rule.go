package tally

import "time"

// Rule files every transaction of one seller under a category for one user:
// the user's past transactions when it is made, and future ones as they
// arrive. Transactions the user filed by hand are never touched.
type Rule struct {
	ID          string
	UserID      string
	MerchantKey string // the seller as the categorizer knows it
	Merchant    string // the seller's display name
	Category    string
	CreatedAt   time.Time
}

// CrowdMinVoters is how many distinct users must file a seller that is not in
// the dictionary under the same category, with more votes than any other
// category, before that category applies to everyone.
const CrowdMinVoters = 3
