// Package tally holds Tally's domain: the types every other package speaks
// (users, connections, accounts, transactions, categories, money), the error
// codes that cross package boundaries, and the interfaces the adapters in
// internal/ implement. It imports nothing internal.
package tally

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Error codes. They are stable strings: the REST API returns them in
// {"error":{"code":...}} and exactly one function maps them to HTTP status.
const (
	EINVALID       = "invalid_argument"  // 400: the request is malformed
	EUNAUTHORIZED  = "unauthenticated"   // 401: no or bad credentials
	EFORBIDDEN     = "forbidden"         // 403
	ENOTFOUND      = "not_found"         // 404, also for other users' ids
	ECONFLICT      = "conflict"          // 409: e.g. the email is taken
	ETOOLARGE      = "payload_too_large" // 413
	EUNPROCESSABLE = "unprocessable"     // 422: well-formed but refused (bad bank credentials)
	ERATELIMIT     = "rate_limited"      // 429
	EUPSTREAM      = "upstream_error"    // 502: the institution failed or is unreachable
	EUNAVAILABLE   = "unavailable"       // 503
	EINTERNAL      = "internal"          // 500
)

// Error is an error whose Message is safe to show to the user.
type Error struct {
	Code    string
	Message string
	// RetryAfter, when set, tells the client how long to wait before trying
	// again (ERATELIMIT, EUNAVAILABLE).
	RetryAfter time.Duration
}

func (e *Error) Error() string { return fmt.Sprintf("tally: %s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err: the message of the
// first *Error in its chain, or a generic text for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// RetryAfter returns the RetryAfter of the first *Error in err's chain.
func RetryAfter(err error) time.Duration {
	var e *Error
	if errors.As(err, &e) {
		return e.RetryAfter
	}
	return 0
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID returns a new opaque identifier: 26 lowercase characters, time-ordered
// (48 bits of milliseconds) followed by 80 random bits, so ids sort by
// creation and index inserts stay local.
func NewID() string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return idEncoding.EncodeToString(b[:])
}

// TransactionFilter selects a page of a user's transactions, newest first.
type TransactionFilter struct {
	AccountID  string
	Month      string   // "YYYY-MM"
	Categories []string // category ids, any of which matches (a top-level category and its children)
	Query      string   // matches description or merchant, case-insensitively
	Limit      int
	Cursor     string // opaque, from a previous page's next cursor
	// SearchWindow, when set with a Query, bounds how many transactions one
	// page reads to find matches: a page may then hold fewer than Limit
	// matches and still have a next cursor, which goes on with older ones.
	SearchWindow int
}

// MonthlyTotal is the net amount and count of a user's transactions in one
// category and currency for a month.
type MonthlyTotal struct {
	Month    string
	Category string
	Currency string
	Amount   int64
	Count    int64
}
