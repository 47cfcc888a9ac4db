package ingest

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/source"
	"github.com/tallyhq/tally/internal/source/ofxdirect"
	"github.com/tallyhq/tally/internal/source/simplefin"
)

// ConnectRequest is what a user gives to link an institution.
type ConnectRequest struct {
	Kind     string // tally.ConnectionOFX (default)
	URL      string // the institution's OFX Direct Connect URL
	Login    string
	Password string

	SetupToken string // tally.ConnectionSimpleFIN: the bridge's one-time setup token
}

// Connect verifies the credentials at the institution (sign-on and account
// list) and, when they are accepted, stores the connection, its accounts and
// a sync job in one transaction. Refused credentials are EUNPROCESSABLE, an
// institution that cannot be reached is EUPSTREAM; nothing is stored then.
func (s *Service) Connect(ctx context.Context, userID string, req ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	if req.Kind == "" {
		req.Kind = tally.ConnectionOFX
	}
	switch req.Kind {
	case tally.ConnectionSimpleFIN:
		return s.connectSimpleFIN(ctx, userID, req)
	case tally.ConnectionOFX:
		return s.connectOFX(ctx, userID, req)
	}
	return nil, nil, tally.Errorf(tally.EINVALID, "connection kind %q is not supported (want ofx)", req.Kind)
}

func (s *Service) connectOFX(ctx context.Context, userID string, req ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	if err := validateURL(req.URL); err != nil {
		return nil, nil, err
	}
	if strings.TrimSpace(req.Login) == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "account_login is required")
	}
	if req.Password == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "account_password is required")
	}
	ctx, cancel := context.WithTimeout(ctx, s.connectTimeout())
	defer cancel()
	inst, found, err := s.ofx().Verify(ctx, req.URL, req.Login, req.Password)
	if err != nil {
		return nil, nil, ofxdirect.ConnectError(req.URL, err)
	}
	if len(found) == 0 {
		return nil, nil, tally.Errorf(tally.EUNPROCESSABLE, "the institution accepted the login but reported no accounts")
	}
	conn := &tally.Connection{
		ID:          tally.NewID(),
		UserID:      userID,
		Kind:        req.Kind,
		URL:         req.URL,
		Login:       req.Login,
		Institution: inst.Org,
		FID:         inst.FID,
		Status:      tally.StatusSyncing,
	}
	return s.createConnection(ctx, conn, []byte(req.Password), found, nil)
}

// createConnection stores a verified connection with its secret sealed and
// its accounts, and a sync job, in one transaction.
func (s *Service) createConnection(ctx context.Context, conn *tally.Connection, secret []byte, found []source.Account, balances map[string]int64) (*tally.Connection, []*tally.Account, error) {
	accounts := make([]*tally.Account, 0, len(found))
	for _, a := range found {
		acct := newAccount(a)
		acct.Balance = balances[a.ExternalID]
		accounts = append(accounts, acct)
	}
	sealed := s.Box.Seal(secret, []byte(conn.ID))
	if err := s.Store.CreateConnection(ctx, conn, sealed, accounts); err != nil {
		return nil, nil, err
	}
	s.logger().InfoContext(ctx, "connection created", "user_id", conn.UserID, "connection_id", conn.ID, "kind", conn.Kind, "accounts", len(accounts))
	return conn, accounts, nil
}

func newAccount(a source.Account) *tally.Account {
	return &tally.Account{
		ExternalID: a.ExternalID,
		Name:       a.Name,
		Type:       a.Type,
		Mask:       a.Mask,
		Currency:   a.Currency,
		Status:     tally.StatusSyncing,
	}
}

func validateURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return tally.Errorf(tally.EINVALID, "account_url %q is not an http or https URL", outbound.Redact(raw))
	}
	return nil
}

// connectSimpleFIN claims the setup token, reads the account list and
// stores the connection with the access URL sealed as its secret.
func (s *Service) connectSimpleFIN(ctx context.Context, userID string, req ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	if strings.TrimSpace(req.SetupToken) == "" {
		return nil, nil, tally.Errorf(tally.EINVALID, "setup_token is required")
	}
	ctx, cancel := context.WithTimeout(ctx, s.connectTimeout())
	defer cancel()
	access, err := simplefin.Claim(ctx, s.client(), req.SetupToken)
	if err != nil {
		return nil, nil, simpleFINError(err)
	}
	// Only the account list is needed now; the first sync reads history.
	set, err := simplefin.Accounts(ctx, s.client(), access, s.now())
	if err != nil {
		return nil, nil, simpleFINError(err)
	}
	if len(set.Accounts) == 0 {
		bridge := ""
		if len(set.Errors) > 0 {
			bridge = ": " + strings.Join(set.Errors, "; ")
		}
		return nil, nil, tally.Errorf(tally.EUNPROCESSABLE, "the SimpleFIN bridge reports no accounts%s", bridge)
	}
	u, _ := url.Parse(access)
	conn := &tally.Connection{
		ID:          tally.NewID(),
		UserID:      userID,
		Kind:        tally.ConnectionSimpleFIN,
		URL:         simplefin.Redact(access),
		Login:       u.User.Username(),
		Institution: set.Accounts[0].Org.Name,
		Status:      tally.StatusSyncing,
	}
	if conn.Institution == "" {
		conn.Institution = "SimpleFIN"
	}
	found := make([]source.Account, 0, len(set.Accounts))
	balances := map[string]int64{}
	for _, a := range set.Accounts {
		sa := simplefin.AccountOf(a)
		found = append(found, sa)
		if bal, err := tally.ParseAmount(a.Balance, sa.Currency); err == nil {
			balances[sa.ExternalID] = bal
		}
	}
	return s.createConnection(ctx, conn, []byte(access), found, balances)
}

// simpleFINError maps a bridge failure to what the user sees.
func simpleFINError(err error) error {
	switch {
	case errors.Is(err, simplefin.ErrAuth):
		return tally.Errorf(tally.EUNPROCESSABLE, "the SimpleFIN bridge refused the setup token (a token can be claimed only once; create a new one)")
	case outbound.IsBlocked(err):
		return tally.Errorf(tally.EINVALID, "the setup token's claim URL points at a private, loopback or link-local address; "+
			"Tally calls public addresses only (an operator can allow networks with --outbound-allow-cidr)")
	case errors.Is(err, simplefin.ErrMalformedToken):
		return tally.Errorf(tally.EINVALID, "setup_token: %s", strings.TrimPrefix(err.Error(), "simplefin: "))
	}
	// Unreachable, too slow, an unexpected status or an answer that is not
	// SimpleFIN: one message, so a token cannot tell them apart.
	return tally.Errorf(tally.EUPSTREAM, "no SimpleFIN bridge answered the setup token (unreachable, too slow, or not a SimpleFIN bridge)")
}

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
	vctx, cancel := context.WithTimeout(ctx, s.connectTimeout())
	defer cancel()
	if _, _, err := s.ofx().Verify(vctx, conn.URL, login, password); err != nil {
		return nil, ofxdirect.ConnectError(conn.URL, err)
	}
	sealed := s.Box.Seal([]byte(password), []byte(conn.ID))
	if err := s.Store.UpdateCredentials(ctx, userID, connectionID, login, sealed); err != nil {
		return nil, err
	}
	s.logger().InfoContext(ctx, "connection credentials updated", "user_id", userID, "connection_id", connectionID)
	return s.Store.Connection(ctx, userID, connectionID)
}
