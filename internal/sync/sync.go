// Package sync extracts one connection's accounts and transactions from its
// institution: fetch statements since the last success minus an overlap
// window, keep the raw response in the object store, parse, normalize and
// categorize, and insert in chunks with monthly totals updated in the same
// transactions. It also verifies credentials when a connection is made.
package sync

// ConnectRequest is what a user gives to link an institution.
type ConnectRequest struct {
	Kind     string // tally.ConnectionOFX (default)
	URL      string // the institution's OFX Direct Connect URL
	Login    string
	Password string
}
