package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

func TestMain(m *testing.M) {
	// Cheap hashes keep the suite fast; the code path is the same.
	auth.DefaultParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	os.Exit(m.Run())
}

// now is the pinned clock of every test: mid-March 2026.
var now = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// fakeJobs records the sync jobs the store enqueues.
type fakeJobs struct {
	store.NoJobs
	mu      gosync.Mutex
	syncs   []string // connection ids
	imports []string // import ids
	crowd   []string // merchant keys whose crowd category changed
}

func (j *fakeJobs) EnqueueCrowdApplyTx(ctx context.Context, tx *sql.Tx, merchantKey string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.crowd = append(j.crowd, merchantKey)
	return nil
}

// applyCrowd runs the crowd_apply jobs enqueued so far, as the worker would.
func (e *env) applyCrowd() {
	e.t.Helper()
	e.jobs.mu.Lock()
	keys := e.jobs.crowd
	e.jobs.crowd = nil
	e.jobs.mu.Unlock()
	for _, k := range keys {
		if _, err := e.store.ApplyCrowd(context.Background(), k); err != nil {
			e.t.Fatal(err)
		}
	}
}

func (j *fakeJobs) EnqueueSyncTx(ctx context.Context, tx *sql.Tx, userID, connectionID string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.syncs = append(j.syncs, connectionID)
	return nil
}

func (j *fakeJobs) count() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.syncs)
}

// fakeConnector stands in for the institution: password "wrong" is refused
// (422), logins beginning "down-" find the institution unreachable (502).
// Otherwise it stores the connection with a checking and a credit-card
// account, as ingest.Service does after verifying the credentials.
type fakeConnector struct {
	store *store.Store
}

func (c *fakeConnector) Connect(ctx context.Context, userID string, req ingest.ConnectRequest) (*tally.Connection, []*tally.Account, error) {
	switch {
	case req.Password == "wrong":
		return nil, nil, tally.Errorf(tally.EUNPROCESSABLE, "the institution refused the login or password")
	case strings.HasPrefix(req.Login, "down-"):
		return nil, nil, tally.Errorf(tally.EUPSTREAM, "the institution did not answer")
	case !strings.HasPrefix(req.URL, "https://"):
		return nil, nil, tally.Errorf(tally.EINVALID, "url %q: want https://", req.URL)
	}
	conn := &tally.Connection{UserID: userID, Kind: req.Kind, URL: req.URL, Login: req.Login, Institution: "Demo Bank"}
	accounts := []*tally.Account{
		{ExternalID: "1", Name: "Checking", Type: tally.AccountChecking, Mask: "1234", Currency: "USD", Balance: 123456},
		{ExternalID: "2", Name: "Visa", Type: tally.AccountCreditCard, Mask: "9876", Currency: "USD", Balance: -4250},
	}
	if err := c.store.CreateConnection(ctx, conn, []byte("encrypted:"+req.Password), accounts); err != nil {
		return nil, nil, err
	}
	return conn, accounts, nil
}

// env is one test's server over a fresh database.
type env struct {
	t     testing.TB
	store *store.Store
	jobs  *fakeJobs
	srv   *httptest.Server
	logs  *syncBuffer
}

type syncBuffer struct {
	mu  gosync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newEnv(t testing.TB) *env {
	t.Helper()
	jobs := &fakeJobs{}
	st := store.New(sqldbtest.Open(t), jobs)
	st.Now = func() time.Time { return now }
	e := &env{t: t, store: st, jobs: jobs, logs: &syncBuffer{}}
	e.serve(now)
	return e
}

// withNow returns an env over the same database whose server's clock says
// at.
func (e *env) withNow(at time.Time) *env {
	e2 := &env{t: e.t, store: e.store, jobs: e.jobs, logs: e.logs}
	e2.serve(at)
	return e2
}

func (e *env) serve(at time.Time) {
	logger := slog.New(slog.NewJSONHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s := &httpapi.Server{Store: e.store, Connector: &fakeConnector{store: e.store}, Logger: logger, Now: func() time.Time { return at }, SignupOpen: true,
		Outbound: testGuard()}
	mux := http.NewServeMux()
	s.Routes(mux)
	e.srv = httptest.NewServer(httpx.Middleware(mux, logger))
	e.t.Cleanup(e.srv.Close)
}

// response is a decoded answer.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request; body is JSON-encoded unless it is a string or nil.
func (e *env) do(method, path, token string, body any) response {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.roundTrip(req)
}

// roundTrip sends req, reads the answer and checks it against the API's
// OpenAPI description: a status, header or field it does not document fails
// the test.
func (e *env) roundTrip(req *http.Request) response {
	e.t.Helper()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := response{status: res.StatusCode, header: res.Header, raw: raw}
	if len(raw) > 0 && strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &out.body); err != nil {
			e.t.Fatalf("%s %s: answer is not a JSON object: %v: %s", req.Method, req.URL.Path, err, raw)
		}
	}
	if err := checkOpenAPI(req, res, raw); err != nil {
		e.t.Errorf("%s %s answered %d, which openapi.json does not describe: %v\nbody: %s", req.Method, req.URL.Path, res.StatusCode, err, raw)
	}
	return out
}

// want fails unless the answer has the status.
func (r response) want(t testing.TB, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("got status %d, want %d; body %s", r.status, status, r.raw)
	}
	return r
}

// wantError fails unless the answer is the error shape with status and code,
// and its message contains every one of contains.
func (r response) wantError(t testing.TB, status int, code string, contains ...string) {
	t.Helper()
	r.want(t, status)
	var shape struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&shape); err != nil {
		t.Fatalf("error answer %s is not {\"error\":{\"code\",\"message\"}}: %v", r.raw, err)
	}
	if shape.Error.Code != code {
		t.Fatalf("got code %q, want %q; body %s", shape.Error.Code, code, r.raw)
	}
	if shape.Error.Message == "" {
		t.Fatalf("error answer %s has no message", r.raw)
	}
	for _, c := range contains {
		if !strings.Contains(shape.Error.Message, c) {
			t.Fatalf("got message %q, want it to contain %q", shape.Error.Message, c)
		}
	}
}

func (r response) str(key string) string {
	v, _ := r.body[key].(string)
	return v
}

func (r response) list(key string) []map[string]any {
	var out []map[string]any
	for _, v := range r.body[key].([]any) {
		out = append(out, v.(map[string]any))
	}
	return out
}

// signUp creates a user and returns their id and an API token.
func (e *env) signUp(email string) (id, token string) {
	e.t.Helper()
	res := e.do("POST", "/api/v1/users", "", map[string]string{"email": email, "password": "password123"}).want(e.t, http.StatusCreated)
	id = res.str("id")
	res = e.do("POST", "/api/v1/tokens", "", map[string]string{"email": email, "password": "password123"}).want(e.t, http.StatusCreated)
	return id, res.str("token")
}

// link connects a fake institution and returns the connection's id and its
// accounts' ids.
func (e *env) link(token string) (connID string, accountIDs []string) {
	e.t.Helper()
	res := e.do("POST", "/api/v1/connections", token, map[string]string{
		"kind": "ofx", "url": "https://bank.example/ofx", "login": "alice", "password": "s3cret-pw",
	}).want(e.t, http.StatusCreated)
	for _, a := range res.list("accounts") {
		accountIDs = append(accountIDs, a["id"].(string))
	}
	return res.str("id"), accountIDs
}

// txn describes a transaction to seed.
type txn struct {
	account, date, category, source, merchant string
	amount                                    int64
}

// seedEngine gives seeded transactions the seller key the pipeline would.
var seedEngine = categorize.New()

// seed stores transactions the way sync would, monthly totals included.
func (e *env) seed(userID string, txns ...txn) []*tally.Transaction {
	e.t.Helper()
	var out []*tally.Transaction
	for i, x := range txns {
		posted, err := time.Parse(tally.DateLayout, x.date)
		if err != nil {
			e.t.Fatal(err)
		}
		source := x.source
		if source == "" {
			source = tally.SourceDictionary
		}
		merchant := x.merchant
		if merchant == "" {
			merchant = "Merchant " + fmt.Sprint(i)
		}
		out = append(out, &tally.Transaction{
			AccountID: x.account, ExternalID: fmt.Sprintf("fitid-%d-%s", i, x.date), PostedOn: posted,
			Amount: x.amount, Currency: "USD", Description: strings.ToUpper(merchant) + " #" + fmt.Sprint(i),
			Merchant: merchant, MerchantKey: seedEngine.Merchant(merchant).Key, Category: x.category, CategorySource: source,
		})
	}
	n, err := e.store.InsertTransactions(context.Background(), userID, out)
	if err != nil {
		e.t.Fatal(err)
	}
	if n != len(out) {
		e.t.Fatalf("inserted %d transactions, want %d", n, len(out))
	}
	return out
}

// testGuard checks webhook URLs as serve does, with names under .example
// resolving to a public documentation address and internal.example to a
// private one, so no test needs DNS.
func testGuard() *outbound.Guard {
	return &outbound.Guard{Resolve: func(ctx context.Context, host string) ([]netip.Addr, error) {
		switch {
		case host == "internal.example":
			return []netip.Addr{netip.MustParseAddr("10.0.0.7")}, nil
		case strings.HasSuffix(host, ".example"):
			return []netip.Addr{netip.MustParseAddr("93.184.216.34")}, nil
		}
		return nil, fmt.Errorf("no such host %s", host)
	}}
}
