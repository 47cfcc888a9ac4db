package ingest

import (
	"context"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// UpdateCredentials verifies a connection's new login and password at its
// institution and, when they are accepted, stores them, clears the
// needs-attention status a refused login left and queues a sync. An empty
// login keeps the current one. Refused credentials are EUNPROCESSABLE and
// change nothing.
func (s *Service) UpdateCredentials(ctx context.Context, userID, connectionID, login, password string) (*tally.Connection, error) {
	conn, err := s.Store.Connection(ctx, userID, connectionID)
	if err != nil {
		return nil, err
	}
	if conn.Kind != tally.ConnectionOFX {
		return nil, tally.Errorf(tally.EINVALID, "connection %s of kind %s has no login to update", connectionID, conn.Kind)
	}
	if login = strings.TrimSpace(login); login == "" {
		login = conn.Login
	}
	if password == "" {
		return nil, tally.Errorf(tally.EINVALID, "password is required")
	}
	timeout := s.ConnectTimeout
	if timeout == 0 {
		timeout = DefaultConnectTimeout
	}
	vctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	doc := &ofx.Request{Version: 102, SignOn: s.signOn(login, password), AccountInfo: true}
	for attempt := 0; attempt < 2; attempt++ {
		_, _, err = s.exchange(vctx, conn.URL, doc)
		if !isRetryable(err) {
			break
		}
	}
	if err != nil {
		return nil, connectError(conn.URL, err)
	}
	sealed := s.Box.Seal([]byte(password), []byte(conn.ID))
	if err := s.Store.UpdateCredentials(ctx, userID, connectionID, login, sealed); err != nil {
		return nil, err
	}
	s.logger().InfoContext(ctx, "connection credentials updated", "user_id", userID, "connection_id", connectionID)
	return s.Store.Connection(ctx, userID, connectionID)
}
