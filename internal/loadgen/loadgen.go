// Package loadgen drives a running Tally the way its users would at the
// design's scale, compressed in time: simulated users link demo-bank logins,
// Tally imports their history, then their days pass quickly and each user
// asks for a refresh as Tally's daily sync would, while other requests read
// pages in the design's proportion (500 M reads against 5 B transactions a
// month: about one read per ten transactions written). At the end it
// checks that every user holds exactly the transactions the demo bank
// produced for them, and reports throughput and latencies.
//
// The demo bank runs inside the load generator on a loopback port, with a
// clock that stands still while the history is imported, then runs Speed
// times faster than real time, then stops for the final check. Only
// loopback targets are accepted: this is a test tool, not a traffic source.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tallyhq/tally/internal/demobank"
)

// Config says how much load to generate, and for how long.
type Config struct {
	Target       string        // Tally's base URL, e.g. http://127.0.0.1:8080 (loopback only)
	Users        int           // simulated users, each with one demo-bank login
	Duration     time.Duration // how long the daily phase runs, after the history is imported
	Speed        float64       // simulated time per real time in the daily phase; 1440 is a day a minute
	RefreshEvery time.Duration // how often each user asks for a refresh; above the API's one-minute cooldown
	ReadRatio    float64       // reads per transaction written
	Readers      int           // concurrent readers
	Connectors   int           // concurrent sign-ups and connections
	Settle       time.Duration // how long the history import, and the final catch-up, may take
	BankAddr     string        // where the demo bank listens; loopback
	Tag          string        // makes this run's e-mails and logins unique; default from the clock
	Logf         func(format string, args ...any)
}

// Defaults fills unset fields.
func (c *Config) Defaults() {
	if c.Users <= 0 {
		c.Users = 10
	}
	if c.Duration <= 0 {
		c.Duration = 2 * time.Minute
	}
	if c.Speed <= 0 {
		c.Speed = 1440
	}
	if c.RefreshEvery <= 0 {
		c.RefreshEvery = 65 * time.Second
	}
	if c.ReadRatio <= 0 {
		c.ReadRatio = 0.1
	}
	if c.Readers <= 0 {
		c.Readers = 4
	}
	if c.Connectors <= 0 {
		c.Connectors = 4
	}
	if c.Settle <= 0 {
		c.Settle = 5 * time.Minute
	}
	if c.BankAddr == "" {
		c.BankAddr = "127.0.0.1:0"
	}
	if c.Tag == "" {
		c.Tag = strconv.FormatInt(time.Now().Unix(), 36)
	}
	if c.Logf == nil {
		c.Logf = func(string, ...any) {}
	}
}

// Report is what a run measured; it is printed as JSON.
type Report struct {
	Target string `json:"target"`
	Users  int    `json:"users"`
	// Transactions Tally holds for the users at the end, all written
	// during the run.
	TransactionsWritten int64 `json:"transactions_written"`
	// The history import: from the first sign-up to every user's first
	// sync done.
	HistoryTransactions    int64   `json:"history_transactions"`
	HistorySeconds         float64 `json:"history_seconds"`
	HistoryWritesPerSecond float64 `json:"history_writes_per_second"`
	// The whole run, from the first sign-up until every user holds what
	// the bank produced.
	WriteSeconds    float64 `json:"write_seconds"`
	WritesPerSecond float64 `json:"writes_per_second"`
	SimulatedDays   float64 `json:"simulated_days"`
	Refreshes       int64   `json:"refreshes"`
	Reads           int64   `json:"reads"`
	ReadsPerSecond  float64 `json:"reads_per_second"`
	// Latency per endpoint ("GET /api/v1/transactions"), reads and writes.
	Endpoints map[string]*Latency `json:"endpoints"`
	// Failed requests by "METHOD /path STATUS" (or "... error").
	Errors      map[string]int64 `json:"errors"`
	ErrorsTotal int64            `json:"errors_total"`
	// The final check: each user's transaction count against the bank's.
	UsersMatched int        `json:"users_matched"`
	Mismatches   []Mismatch `json:"mismatches"`
}

// Latency summarizes one endpoint's response times in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50_ms"`
	P95   float64 `json:"p95_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
}

// Mismatch is a user whose transactions differ from the bank's.
type Mismatch struct {
	Email string `json:"email"`
	Got   int64  `json:"got"`
	Want  int64  `json:"want"`
	Error string `json:"error,omitempty"`
}

// OK reports whether every user matched the bank.
func (r *Report) OK() bool { return len(r.Mismatches) == 0 && r.UsersMatched == r.Users }

// CheckLoopback refuses a URL whose host is not a loopback address.
func CheckLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("loadgen: target %q is not a URL like http://127.0.0.1:8080", raw)
	}
	return checkHost(u.Hostname(), raw)
}

func checkHost(host, what string) error {
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("loadgen: %s is not a loopback address; loadgen only targets this machine", what)
}

// clock is the demo bank's time: frozen, or running Speed times real time.
type clock struct {
	mu     sync.Mutex
	real   func() time.Time // real time; time.Now unless a test pins it
	base   time.Time        // bank time at anchor
	anchor time.Time        // real time when it last started running; zero when frozen
	speed  float64
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.anchor.IsZero() {
		return c.base
	}
	return c.base.Add(time.Duration(float64(c.real().Sub(c.anchor)) * c.speed))
}

func (c *clock) run(speed float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.anchor, c.speed = c.real(), speed
}

func (c *clock) freeze() time.Time {
	now := c.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.base, c.anchor = now, time.Time{}
	return now
}

// bankCount is how many transactions the demo bank holds for login posted
// in (from, to], as it answers when its clock reads to.
func bankCount(login string, from, to time.Time) int64 {
	b := &demobank.Bank{Now: func() time.Time { return to }}
	var n int64
	for _, st := range b.Statements(login, from.Add(time.Nanosecond), to) {
		n += int64(len(st.Transactions))
	}
	return n
}

type user struct {
	email, login, token, connID string
	want                        atomic.Int64 // the bank's count up to the last refresh's bank time
	got                         int64        // what Tally held at the final check
	wantAsked                   int64        // want when the last sync was asked for
	lastRefresh                 time.Time    // real time of the last accepted refresh request
	lastBank                    time.Time    // bank time of the last refresh
}

// runner is one run's state.
type runner struct {
	cfg    Config
	http   *http.Client
	clock  *clock
	bank   string // the demo bank's OFX URL
	t0     time.Time
	users  []*user
	reads  []string // read endpoints that exist on the target
	rng    *rand.Rand
	rngMu  sync.Mutex
	budget atomic.Int64 // reads allowed so far, in thousandths
	issued atomic.Int64
	wake   chan struct{}

	mu        sync.Mutex
	latencies map[string][]time.Duration
	errors    map[string]int64
	refreshes atomic.Int64
}

// Run generates the load and returns what it measured. An error means the
// run could not proceed at all; a run that completes with users not
// matching the bank returns a Report whose OK is false.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg.Defaults()
	if err := CheckLoopback(cfg.Target); err != nil {
		return nil, err
	}
	host, _, err := net.SplitHostPort(cfg.BankAddr)
	if err != nil {
		return nil, fmt.Errorf("loadgen: bank address %q: %w", cfg.BankAddr, err)
	}
	if err := checkHost(host, "bank address "+cfg.BankAddr); err != nil {
		return nil, err
	}
	r := &runner{
		cfg:       cfg,
		clock:     &clock{real: time.Now, base: time.Now().UTC()},
		rng:       rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7)),
		wake:      make(chan struct{}, 1),
		latencies: map[string][]time.Duration{},
		errors:    map[string]int64{},
		http: &http.Client{
			Timeout:   time.Minute,
			Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Readers + cfg.Connectors + cfg.Users},
		},
	}
	r.t0 = r.clock.Now()

	ln, err := net.Listen("tcp", cfg.BankAddr)
	if err != nil {
		return nil, fmt.Errorf("loadgen: demo bank: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/ofx", &demobank.Bank{Now: r.clock.Now})
	bankSrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go bankSrv.Serve(ln)
	defer bankSrv.Close()
	r.bank = "http://" + ln.Addr().String() + "/ofx"

	rep := &Report{Target: cfg.Target, Users: cfg.Users, Endpoints: map[string]*Latency{}}
	start := time.Now()
	r.probeReads(ctx)

	readCtx, stopReads := context.WithCancel(ctx)
	var readers sync.WaitGroup
	for range cfg.Readers {
		readers.Add(1)
		go func() { defer readers.Done(); r.reader(readCtx) }()
	}
	readStart := time.Now()

	// History: sign up and connect everyone with the bank's clock frozen,
	// then wait until every first sync is done.
	cfg.Logf("connecting %d users to the demo bank at %s", cfg.Users, r.bank)
	if err := r.connectAll(ctx); err != nil {
		stopReads()
		readers.Wait()
		return nil, err
	}
	for _, u := range r.users {
		rep.HistoryTransactions += u.want.Load()
	}
	cfg.Logf("all %d users connected; importing %d transactions of history", len(r.users), rep.HistoryTransactions)
	if err := r.waitFirstSyncs(ctx); err != nil {
		stopReads()
		readers.Wait()
		return nil, err
	}
	rep.HistorySeconds = time.Since(start).Seconds()
	rep.HistoryWritesPerSecond = float64(rep.HistoryTransactions) / rep.HistorySeconds
	cfg.Logf("history imported: %d transactions in %.1fs", rep.HistoryTransactions, rep.HistorySeconds)

	// Days pass: each user refreshes every RefreshEvery, staggered.
	r.clock.run(cfg.Speed)
	dayCtx, stopDays := context.WithTimeout(ctx, cfg.Duration)
	var days sync.WaitGroup
	for i, u := range r.users {
		days.Add(1)
		offset := time.Duration(i) * cfg.RefreshEvery / time.Duration(len(r.users))
		go func() { defer days.Done(); r.refresher(dayCtx, u, offset) }()
	}
	days.Wait()
	stopDays()
	end := r.clock.freeze()
	rep.SimulatedDays = end.Sub(r.t0).Hours() / 24
	cfg.Logf("daily phase over: %.1f simulated days; catching up", rep.SimulatedDays)

	// Catch up: every user must hold exactly the bank's transactions.
	rep.Mismatches = r.settle(ctx, end)
	stopReads()
	readers.Wait()
	rep.WriteSeconds = time.Since(start).Seconds()
	for _, u := range r.users {
		rep.TransactionsWritten += u.got
	}
	rep.UsersMatched = len(r.users) - len(rep.Mismatches)
	rep.WritesPerSecond = float64(rep.TransactionsWritten) / rep.WriteSeconds
	rep.Refreshes = r.refreshes.Load()
	rep.Reads = r.issued.Load()
	rep.ReadsPerSecond = float64(rep.Reads) / time.Since(readStart).Seconds()

	r.mu.Lock()
	defer r.mu.Unlock()
	for k, ds := range r.latencies {
		rep.Endpoints[k] = summarize(ds)
	}
	rep.Errors = r.errors
	for _, n := range r.errors {
		rep.ErrorsTotal += n
	}
	if rep.Mismatches == nil {
		rep.Mismatches = []Mismatch{}
	}
	return rep, nil
}

func summarize(ds []time.Duration) *Latency {
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	at := func(q float64) float64 {
		if len(ds) == 0 {
			return 0
		}
		i := int(q*float64(len(ds))+0.5) - 1
		i = max(0, min(i, len(ds)-1))
		return float64(ds[i].Microseconds()) / 1000
	}
	return &Latency{Count: int64(len(ds)), P50: at(0.50), P95: at(0.95), P99: at(0.99), Max: at(1)}
}

// call sends one request and records its latency under key (its method
// and path without the query); out, when not nil, receives the JSON answer.
func (r *runner) call(ctx context.Context, method, path, token string, body, out any) (int, error) {
	return r.callAs(ctx, "", method, path, token, body, out)
}

// check is call for the load generator's own checks (waiting for syncs,
// counting), recorded apart from the simulated users' requests.
func (r *runner) check(ctx context.Context, method, path, token string, out any) (int, error) {
	return r.callAs(ctx, "check ", method, path, token, nil, out)
}

func (r *runner) callAs(ctx context.Context, label, method, path, token string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.cfg.Target+path, rd)
	if err != nil {
		return 0, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	key := label + method + " " + pathOnly(path)
	began := time.Now()
	res, err := r.http.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			r.fail(key + " error")
		}
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	took := time.Since(began)
	r.mu.Lock()
	r.latencies[key] = append(r.latencies[key], took)
	r.mu.Unlock()
	if err != nil {
		r.fail(key + " error")
		return res.StatusCode, err
	}
	if res.StatusCode >= 400 {
		r.fail(fmt.Sprintf("%s %d", key, res.StatusCode))
		return res.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, res.StatusCode, bytes.TrimSpace(raw))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return res.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return res.StatusCode, nil
}

func (r *runner) fail(key string) {
	r.mu.Lock()
	r.errors[key]++
	r.mu.Unlock()
}

// pathOnly is p without its query and with ids replaced by {id}, so that
// one endpoint is one key: /api/v1/connections/{id}/refresh.
func pathOnly(p string) string {
	p, _, _ = strings.Cut(p, "?")
	segs := strings.Split(p, "/")
	for i, seg := range segs {
		if i > 3 && len(seg) >= 16 {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

// probeReads keeps the read endpoints the target has.
func (r *runner) probeReads(ctx context.Context) {
	r.reads = []string{"/api/v1/transactions?limit=50", "/api/v1/spending", "/api/v1/budgets", "/api/v1/accounts"}
	req, err := http.NewRequestWithContext(ctx, "GET", r.cfg.Target+"/api/v1/summary", nil)
	if err != nil {
		return
	}
	res, err := r.http.Do(req)
	if err != nil {
		return
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		r.reads = append(r.reads, "/api/v1/summary")
	}
}

// allow adds reads for n transactions the bank produced.
func (r *runner) allow(n int64) {
	r.budget.Add(int64(float64(n) * r.cfg.ReadRatio * 1000))
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// reader issues reads while the budget allows, as a random user.
func (r *runner) reader(ctx context.Context) {
	for ctx.Err() == nil {
		n := r.issued.Load()
		if (n+1)*1000 > r.budget.Load() || len(r.connected()) == 0 {
			select {
			case <-ctx.Done():
				return
			case <-r.wake:
				// Pass the wake-up on: other readers may have budget too.
				select {
				case r.wake <- struct{}{}:
				default:
				}
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		if !r.issued.CompareAndSwap(n, n+1) {
			continue
		}
		users := r.connected()
		r.rngMu.Lock()
		u := users[r.rng.IntN(len(users))]
		path := r.reads[r.rng.IntN(len(r.reads))]
		r.rngMu.Unlock()
		r.call(ctx, "GET", path, u.token, nil, nil)
	}
}

func (r *runner) connected() []*user {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.users
}

// connectAll signs every user up and links their demo-bank login.
func (r *runner) connectAll(ctx context.Context) error {
	var wg sync.WaitGroup
	next := make(chan int)
	var firstErr error
	var errMu sync.Mutex
	for range r.cfg.Connectors {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				u, err := r.connect(ctx, i)
				if err != nil {
					errMu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					errMu.Unlock()
					continue
				}
				r.mu.Lock()
				r.users = append(r.users, u)
				r.mu.Unlock()
				r.allow(u.want.Load())
			}
		}()
	}
	for i := range r.cfg.Users {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("loadgen: connect: %w", firstErr)
	}
	return ctx.Err()
}

func (r *runner) connect(ctx context.Context, i int) (*user, error) {
	u := &user{
		email: fmt.Sprintf("loadgen-%s-%d@example.com", r.cfg.Tag, i),
		login: fmt.Sprintf("lg%s-%d", r.cfg.Tag, i),
	}
	const password = "loadgen password"
	if _, err := r.call(ctx, "POST", "/api/v1/users", "", map[string]string{"email": u.email, "password": password}, nil); err != nil {
		return nil, err
	}
	var tok struct {
		Token string `json:"token"`
	}
	if _, err := r.call(ctx, "POST", "/api/v1/tokens", "", map[string]string{"email": u.email, "password": password}, &tok); err != nil {
		return nil, err
	}
	u.token = tok.Token
	var conn struct {
		ID string `json:"id"`
	}
	if _, err := r.call(ctx, "POST", "/api/v1/connections", u.token,
		map[string]string{"kind": "ofx", "url": r.bank, "login": u.login, "password": "pw"}, &conn); err != nil {
		return nil, err
	}
	u.connID = conn.ID
	u.lastBank = r.t0
	u.lastRefresh = time.Now()
	u.want.Store(bankCount(u.login, time.Time{}, r.t0))
	u.wantAsked = u.want.Load()
	return u, nil
}

type connectionState struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	LastSyncedAt *string `json:"last_synced_at"`
}

// syncedSince reports whether the user's connection finished a sync after t.
func (r *runner) syncedSince(ctx context.Context, u *user, t time.Time) (bool, error) {
	var out struct {
		Connections []connectionState `json:"connections"`
	}
	if _, err := r.check(ctx, "GET", "/api/v1/connections", u.token, &out); err != nil {
		return false, err
	}
	for _, c := range out.Connections {
		if c.ID != u.connID {
			continue
		}
		if c.Status == "needs_attention" {
			return false, fmt.Errorf("connection %s needs attention", c.ID)
		}
		if c.LastSyncedAt == nil || c.Status == "syncing" {
			return false, nil
		}
		at, err := time.Parse(time.RFC3339Nano, *c.LastSyncedAt)
		if err != nil {
			return false, err
		}
		return !at.Before(t.Truncate(time.Second)), nil
	}
	return false, fmt.Errorf("connection %s is missing", u.connID)
}

// waitFirstSyncs waits until every user's first sync is done.
func (r *runner) waitFirstSyncs(ctx context.Context) error {
	deadline := time.Now().Add(r.cfg.Settle)
	pending := append([]*user(nil), r.users...)
	for len(pending) > 0 {
		var still []*user
		for _, u := range pending {
			ok, err := r.syncedSince(ctx, u, time.Time{})
			if err == nil && !ok {
				still = append(still, u)
			} else if err != nil && ctx.Err() == nil {
				still = append(still, u) // the target may be restarting
			}
		}
		pending = still
		if len(pending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("loadgen: %d of %d users' history was not imported within %s", len(pending), len(r.users), r.cfg.Settle)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return nil
}

// refresher asks for u's refresh every RefreshEvery, after offset.
func (r *runner) refresher(ctx context.Context, u *user, offset time.Duration) {
	wait := offset
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		r.refresh(ctx, u)
		wait = r.cfg.RefreshEvery
	}
}

// refresh asks Tally to sync u now and adds what the bank produced since
// the last refresh to u's expected count and to the read budget.
func (r *runner) refresh(ctx context.Context, u *user) bool {
	now := r.clock.Now()
	if _, err := r.call(ctx, "POST", "/api/v1/connections/"+u.connID+"/refresh", u.token, nil, nil); err != nil {
		return false
	}
	r.refreshes.Add(1)
	u.lastRefresh = time.Now()
	if now.After(u.lastBank) {
		n := bankCount(u.login, u.lastBank, now)
		u.want.Add(n)
		u.lastBank = now
		r.allow(n)
	}
	u.wantAsked = u.want.Load()
	return true
}

// settle brings every user up to the bank's frozen clock end: a last
// refresh once the cooldown allows, then the transaction count compared
// with the bank's. It returns the users that do not match.
func (r *runner) settle(ctx context.Context, end time.Time) []Mismatch {
	deadline := time.Now().Add(r.cfg.Settle)
	var mu sync.Mutex
	var out []Mismatch
	var wg sync.WaitGroup
	sem := make(chan struct{}, r.cfg.Connectors)
	for _, u := range r.users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if m := r.settleOne(ctx, u, end, deadline); m != nil {
				mu.Lock()
				out = append(out, *m)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

func (r *runner) settleOne(ctx context.Context, u *user, end, deadline time.Time) *Mismatch {
	// What the bank holds at end, whether or not the last refresh asked
	// for it.
	if end.After(u.lastBank) {
		n := bankCount(u.login, u.lastBank, end)
		u.want.Add(n)
		u.lastBank = end
	}
	want := u.want.Load()
	var got int64
	var lastErr error
	// Nothing new since the last refresh: its sync is all that is needed.
	needRefresh := u.want.Load() != u.wantAsked
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if !needRefresh {
			needRefresh = true
			asked := u.lastRefresh
			if r.waitSynced(ctx, u, asked, deadline) {
				got, lastErr = r.count(ctx, u)
				u.got = got
				if lastErr == nil && got == want {
					return nil
				}
			}
			continue
		}
		// A refresh brings the days since the last one; the API allows
		// one a minute per connection.
		if wait := time.Until(u.lastRefresh.Add(61 * time.Second)); wait > 0 {
			select {
			case <-ctx.Done():
			case <-time.After(wait):
			}
		}
		if !r.refresh(ctx, u) {
			continue
		}
		r.waitSynced(ctx, u, u.lastRefresh, deadline)
		got, lastErr = r.count(ctx, u)
		u.got = got
		if lastErr == nil && got == want {
			return nil
		}
		if got > want {
			break // more than the bank has: a duplicate, not a delay
		}
	}
	m := &Mismatch{Email: u.email, Got: got, Want: want}
	if lastErr != nil {
		m.Error = lastErr.Error()
	}
	return m
}

// waitSynced waits until u's connection finished a sync after asked, or
// one minute passes (a refresh that arrived while a sync was running may
// have been folded into it), or the deadline.
func (r *runner) waitSynced(ctx context.Context, u *user, asked, deadline time.Time) bool {
	limit := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && time.Now().Before(limit) && ctx.Err() == nil {
		if ok, _ := r.syncedSince(ctx, u, asked); ok {
			return true
		}
		select {
		case <-ctx.Done():
		case <-time.After(500 * time.Millisecond):
		}
	}
	return false
}

// count reads every page of the user's transactions.
func (r *runner) count(ctx context.Context, u *user) (int64, error) {
	var n int64
	cursor := ""
	for {
		path := "/api/v1/transactions?limit=500"
		if cursor != "" {
			path += "&cursor=" + url.QueryEscape(cursor)
		}
		var page struct {
			Transactions []json.RawMessage `json:"transactions"`
			NextCursor   string            `json:"next_cursor"`
		}
		if _, err := r.check(ctx, "GET", path, u.token, &page); err != nil {
			return n, err
		}
		n += int64(len(page.Transactions))
		if page.NextCursor == "" {
			return n, nil
		}
		cursor = page.NextCursor
	}
}
