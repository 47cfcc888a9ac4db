package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/insight"
	"github.com/tallyhq/tally/internal/jobs"
	"github.com/tallyhq/tally/internal/metrics"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/sqldb"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/summary"
	"github.com/tallyhq/tally/internal/web"
)

// Main is a running Tally process: it opens the database, starts the
// workers and serves HTTP. Tests start one on 127.0.0.1:0 with a temporary
// data dir.
type Main struct {
	Config config.Config
	Logger *slog.Logger
	Stdout io.Writer

	DB    *sqldb.DB
	Store *store.Store
	Jobs  *jobs.Client
	Sync  *ingest.Service
	// Notify checks budgets and delivers notifications.
	Notify *notify.Service
	// Outbound guards requests made on a user's behalf.
	Outbound *outbound.Guard
	// Cache is the read cache: Redis with --redis-url, else in-process.
	Cache *cache.Cache
	// Replica serves the API's lag-tolerant reads (--database-replica-url).
	Replica *sqldb.Replica

	listener net.Listener
	server   *http.Server

	metricsListener net.Listener // --metrics-addr
	metricsServer   *http.Server
	unlock          func()
	started         bool
	serveErr        chan error
}

// openDatabase opens and migrates the configured database.
func openDatabase(ctx context.Context, c *config.Config) (*sqldb.DB, error) {
	url := c.DatabaseURL
	if url == "" {
		url = sqldb.DefaultURL(c.DataDir)
	}
	db, err := sqldb.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := jobs.Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Run opens everything and starts serving; it returns once the process is
// listening. Close stops it.
func (m *Main) Run(ctx context.Context) error {
	c := &m.Config
	if m.Logger == nil {
		m.Logger = slog.Default()
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	// Owner-only, also when the directory existed with wider permissions.
	if err := os.Chmod(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("restrict data dir: %w", err)
	}
	db, err := openDatabase(ctx, c)
	if err != nil {
		return err
	}
	m.DB = db
	runsWorkers := c.Role != config.RoleAPI && c.Workers > 0
	if runsWorkers && db.Dialect == sqldb.SQLite {
		// One process works on an embedded database at a time; the lock
		// also lets it requeue jobs a crashed predecessor left running.
		unlock, err := lockDataDir(c.DataDir)
		if err != nil {
			return err
		}
		m.unlock = unlock
	}
	key, err := secret.LoadKey(c.SecretKey, c.DataDir)
	if err != nil {
		return err
	}
	box, err := secret.New(key)
	if err != nil {
		return err
	}
	blobURL := c.BlobURL
	if blobURL == "" {
		blobURL = filepath.Join(c.DataDir, "blobs")
	}
	blobs, err := blob.Open(ctx, blobURL)
	if err != nil {
		return err
	}
	m.Store = store.New(db, store.NoJobs{})
	if err := m.Store.EnsureCurrentPartitions(ctx); err != nil {
		return err
	}
	if m.Cache, err = openCache(ctx, c, m.Logger); err != nil {
		return err
	}
	m.Store.SetInvalidator(m.Cache)
	if db.Dialect == sqldb.Postgres {
		// Every process records where the log stood after a user's write,
		// so an API process with a replica knows when it has caught up,
		// whichever process wrote.
		m.Cache.WriteMark = db.WriteLSN
	}
	if c.DatabaseReplicaURL != "" && c.Role != config.RoleWorker {
		if m.Replica, err = sqldb.OpenReplica(ctx, c.DatabaseReplicaURL, m.Logger); err != nil {
			return err
		}
		m.Store.SetReplica(m.Replica)
	}
	allow, _ := outbound.ParseAllowList(c.OutboundAllowCIDR) // checked by Validate
	m.Outbound = outbound.New(allow)
	m.Sync = &ingest.Service{
		HTTP:       m.Outbound.Client(0),
		Store:      m.Store,
		Blobs:      blobs,
		Box:        box,
		Categorize: categorize.New(),
		Logger:     m.Logger,
		ChunkSize:  c.SyncChunkSize,
	}
	workers := 0
	if runsWorkers {
		workers = c.Workers
	}
	// PostgreSQL wakes workers through LISTEN; SQLite has no notifications,
	// so its workers poll more often (a cheap indexed query).
	poll := time.Second
	if db.Dialect == sqldb.SQLite {
		poll = 250 * time.Millisecond
	}
	m.Notify = &notify.Service{Store: m.Store, Box: box, HTTP: m.Outbound.Client(15 * time.Second)}
	if c.SMTPURL != "" {
		if m.Notify.Email, err = notify.ParseSMTPURL(c.SMTPURL, c.SMTPFrom); err != nil {
			return err
		}
	}
	m.Jobs, err = jobs.New(db, jobs.Config{
		Notify:       m.Notify,
		Insight:      &insight.Service{Store: m.Store, Notify: m.Notify},
		Workers:      workers,
		JobTimeout:   c.JobTimeout,
		RescueAfter:  c.RescueAfter,
		PollInterval: poll,
		Logger:       m.Logger,
	}, m.Sync, m.Store)
	if err != nil {
		return err
	}
	m.Store.SetJobs(m.Jobs)
	if workers > 0 {
		if err := m.Jobs.Start(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("start jobs: %w", err)
		}
		m.started = true
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "database unreachable\n")
			return
		}
		io.WriteString(w, "ok\n")
	})
	if c.MetricsAddr == "" {
		mux.Handle("GET /metrics", httpx.MetricsGuard(metrics.Handler(), c.MetricsToken, isLoopback(c.Addr) && !c.TrustProxy))
	}
	var demoHint string
	gate := &auth.Gate{Store: m.Store, Box: box}
	if c.Role != config.RoleWorker {
		signupOpen := c.Signup == config.SignupOpen || c.Demo
		// The API's summary and the web dashboard read one service.
		sums := &summary.Service{Store: m.Store, Notify: m.Notify, Cache: m.Cache}
		api := &httpapi.Server{Store: m.Store, Connector: m.Sync, Importer: m.Sync, Logger: m.Logger,
			Categorize: m.Sync.Categorize, Notify: m.Notify, Secrets: box, Cache: m.Cache, SignupOpen: signupOpen, Outbound: m.Outbound,
			Gate: gate, TrustProxy: c.TrustProxy, Blobs: blobs, Summary: sums}
		api.Routes(mux)
		if c.Demo {
			mux.Handle("/demobank/ofx", demobank.New())
			mux.Handle("/demobank/simplefin/", &demobank.SimpleFIN{Bank: demobank.New(), Prefix: "/demobank/simplefin"})
			demoHint = fmt.Sprintf("Demo: sign in as %s with password %s", demoEmail, demoPassword(key))
		}
		wh, err := web.New(web.Config{Store: m.Store, Logger: m.Logger, DemoHint: demoHint, Notify: m.Notify, Importer: m.Sync,
			Linker: m.Sync, Categorize: m.Sync.Categorize, Secrets: box, SignupOpen: signupOpen,
			Gate: gate, TrustProxy: c.TrustProxy, Blobs: blobs, Summary: sums})
		if err != nil {
			return err
		}
		wh.Routes(mux)
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Addr, err)
	}
	m.listener = ln
	if c.Demo {
		// The demo bank is served here, on an address the guard would
		// otherwise refuse; exactly that address is allowed.
		for _, ap := range demoBankAddrs(ln.Addr()) {
			m.Outbound.AllowAddr(ap)
		}
	}
	m.server = &http.Server{
		Handler:           httpx.SecurityHeaders(httpx.Middleware(mux, m.Logger), c.TrustProxy),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ConnContext:       httpx.ConnContext,
	}
	m.serveErr = make(chan error, 1)
	go func() { m.serveErr <- m.server.Serve(httpx.Listener(ln)) }()
	if c.MetricsAddr != "" {
		mln, err := net.Listen("tcp", c.MetricsAddr)
		if err != nil {
			return fmt.Errorf("listen on --metrics-addr %s: %w", c.MetricsAddr, err)
		}
		m.metricsListener = mln
		mmux := http.NewServeMux()
		mmux.Handle("GET /metrics", httpx.MetricsGuard(metrics.Handler(), c.MetricsToken, true))
		m.metricsServer = &http.Server{Handler: httpx.SecurityHeaders(mmux, false), ReadHeaderTimeout: 10 * time.Second}
		go m.metricsServer.Serve(mln)
	}
	m.Logger.Info("tally listening", "url", m.URL(), "role", c.Role, "database", string(db.Dialect), "version", Version(),
		"cache", cacheKind(c), "replica", c.DatabaseReplicaURL != "" && c.Role != config.RoleWorker)

	if c.Demo {
		if err := m.setUpDemo(ctx, key); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}

// demoBankAddrs are the addresses the demo bank is reached at: the
// listener's, and loopback on its port when it listens on every interface.
func demoBankAddrs(a net.Addr) []netip.AddrPort {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return nil
	}
	if ap.Addr().IsUnspecified() {
		return []netip.AddrPort{ap, netip.AddrPortFrom(netip.IPv4Unspecified(), ap.Port()),
			netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), ap.Port()), netip.AddrPortFrom(netip.IPv6Loopback(), ap.Port())}
	}
	return []netip.AddrPort{ap}
}

// MetricsURL is the base URL of the --metrics-addr listener, "" without one.
func (m *Main) MetricsURL() string {
	if m.metricsListener == nil {
		return ""
	}
	return "http://" + m.metricsListener.Addr().String()
}

// isLoopback reports whether addr listens on a loopback address only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.IsLoopback()
}

// openCache opens the read cache: Redis when --redis-url is set, else a
// bounded in-process LRU. A Redis that does not answer at start is
// reported and Tally serves from the database until it does.
func openCache(ctx context.Context, c *config.Config, logger *slog.Logger) (*cache.Cache, error) {
	if c.RedisURL == "" {
		return cache.New(cache.NewMemory(0), cache.Options{Logger: logger}), nil
	}
	r, err := cache.NewRedis(c.RedisURL)
	if err != nil {
		return nil, err
	}
	pingCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := r.Ping(pingCtx); err != nil {
		logger.Warn("redis unreachable; reading from the database until it answers",
			"url", cache.RedactURL(c.RedisURL), "error", err.Error())
	}
	return cache.New(r, cache.Options{Logger: logger}), nil
}

func cacheKind(c *config.Config) string {
	if c.RedisURL != "" {
		return "redis"
	}
	return "memory"
}

// URL is the base URL the process serves.
func (m *Main) URL() string {
	if m.listener == nil {
		return ""
	}
	return "http://" + m.listener.Addr().String()
}

// Close stops serving, lets running jobs finish (up to 30 s; the rest stay
// retryable) and closes the database.
func (m *Main) Close() error {
	var errs []error
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if m.server != nil {
		if err := m.server.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if m.metricsServer != nil {
		if err := m.metricsServer.Shutdown(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if m.Jobs != nil && m.started {
		if err := m.Jobs.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if m.Replica != nil {
		if err := m.Replica.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.Cache != nil {
		if err := m.Cache.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.DB != nil {
		if err := m.DB.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	if m.unlock != nil {
		m.unlock()
	}
	return errors.Join(errs...)
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	if _, err := parseFlags("serve", args, stderr, &c, c.ServeFlags); err != nil {
		return err
	}
	m := &Main{Config: c, Logger: newLogger(&c, stderr), Stdout: stdout}
	if err := m.Run(ctx); err != nil {
		m.Close()
		return err
	}
	fmt.Fprintf(stdout, "Tally is running at %s/\n", m.URL())
	select {
	case <-ctx.Done():
		m.Logger.Info("shutting down")
	case err := <-m.serveErr:
		m.Close()
		return err
	}
	return m.Close()
}
