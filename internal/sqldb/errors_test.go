package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tallyhq/tally/internal/sqldb"
)

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                   string
		err                    error
		retryable, unavailable bool
	}{
		{"deadlock", &pgconn.PgError{Code: "40P01"}, true, false},
		{"serialization", fmt.Errorf("store: x: %w", &pgconn.PgError{Code: "40001"}), true, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, false, true},
		{"starting up", &pgconn.PgError{Code: "57P03"}, false, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, false, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, false, true},
		{"refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, false, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false, false},
		{"syntax", &pgconn.PgError{Code: "42601"}, false, false},
		{"cancelled", context.Canceled, false, false},
		{"other", errors.New("boom"), false, false},
	} {
		if got := sqldb.IsRetryable(tc.err); got != tc.retryable {
			t.Errorf("%s: IsRetryable = %v, want %v", tc.name, got, tc.retryable)
		}
		if got := sqldb.IsUnavailable(tc.err); got != tc.unavailable {
			t.Errorf("%s: IsUnavailable = %v, want %v", tc.name, got, tc.unavailable)
		}
	}
}
