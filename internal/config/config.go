// Package config is Tally's configuration: one Config struct filled from
// command-line flags, each of which falls back to an environment variable
// TALLY_<FLAG> (--database-url reads TALLY_DATABASE_URL).
package config

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/outbound"
)

// Roles a serve process can take.
const (
	RoleAll    = "all"
	RoleAPI    = "api"
	RoleWorker = "worker"
)

// Config holds every setting of a Tally process.
type Config struct {
	Addr        string
	DataDir     string
	DatabaseURL string // default: SQLite in DataDir
	BlobURL     string // default: DataDir/blobs
	RedisURL    string
	Role        string
	AddrSet     bool // --addr or TALLY_ADDR was given
	Demo        bool
	SecretKey   string // TALLY_SECRET_KEY only; never a flag, so it stays out of ps
	LogLevel    string
	LogFormat   string
	Workers     int
	JobTimeout  time.Duration
	RescueAfter time.Duration
	// SyncChunkSize is how many transactions one database transaction of a
	// sync writes.
	SyncChunkSize int
	// SMTPURL (smtp://[user:pass@]host:port) and SMTPFrom send notification
	// emails; email is off when SMTPURL is empty.
	SMTPURL  string
	SMTPFrom string
	// OutboundAllowCIDR lists networks (comma-separated CIDR prefixes) that
	// requests on a user's behalf may reach besides public addresses.
	OutboundAllowCIDR string
	// TrustProxy: a reverse proxy in front sets X-Forwarded-For (the client
	// address for sign-in limits) and X-Forwarded-Proto (https makes the
	// session cookie Secure).
	TrustProxy bool
	// MetricsAddr serves /metrics on a separate address (for the scraper's
	// network only); MetricsToken (TALLY_METRICS_TOKEN only) is the bearer
	// token /metrics asks for. Without either, /metrics is served only to
	// a main address on loopback.
	MetricsAddr  string
	MetricsToken string
	// Signup is who may create an account: SignupOpen lets anyone,
	// SignupClosed only the first user of an instance. --demo opens it.
	Signup string
	// DatabaseReplicaURL is a PostgreSQL streaming replica that serves the
	// API's reads which tolerate lag; empty: every read goes to the primary.
	DatabaseReplicaURL string
}

// DefaultWorkerAddr is where --role worker serves /healthz, /readyz and
// /metrics unless --addr says otherwise.
const DefaultWorkerAddr = "127.0.0.1:8082"

// redactURL hides a URL's password; an unparseable URL is not echoed.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Sign-up policies.
const (
	SignupOpen   = "open"
	SignupClosed = "closed"
)

// Default returns the defaults.
func Default() Config {
	return Config{
		Addr:       "127.0.0.1:8080",
		DataDir:    "./tally-data",
		Role:       RoleAll,
		LogLevel:   "info",
		LogFormat:  "text",
		Workers:    2,
		JobTimeout: 10 * time.Minute,

		SyncChunkSize: 10_000,
		Signup:        SignupClosed,
	}
}

// DataFlags registers the flags of every command that touches data.
func (c *Config) DataFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory for the embedded database, key file and raw documents")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "sqlite:///path/file.db or postgres://... (default: SQLite in the data dir)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json")
}

// ServeFlags registers the flags of serve.
func (c *Config) ServeFlags(fs *flag.FlagSet) {
	c.DataFlags(fs)
	fs.StringVar(&c.Addr, "addr", c.Addr, "address to listen on (default 127.0.0.1:8080; "+DefaultWorkerAddr+" with --role worker)")
	fs.StringVar(&c.BlobURL, "blob-url", c.BlobURL, "object store for raw documents: file:///path or s3://BUCKET/PREFIX?endpoint=URL&region=R (default: the data dir's blobs/)")
	fs.StringVar(&c.RedisURL, "redis-url", c.RedisURL, "Redis for the read cache (default: in-process)")
	fs.StringVar(&c.Role, "role", c.Role, "all, api or worker")
	fs.BoolVar(&c.Demo, "demo", c.Demo, "mount the demo bank and create the demo user with linked accounts")
	fs.IntVar(&c.Workers, "workers", c.Workers, "concurrent sync jobs in this process")
	fs.DurationVar(&c.JobTimeout, "job-timeout", c.JobTimeout, "how long one job may run")
	fs.IntVar(&c.SyncChunkSize, "sync-chunk-size", c.SyncChunkSize, "transactions written per database transaction during a sync")
	fs.DurationVar(&c.RescueAfter, "rescue-after", c.RescueAfter, "how long a job may stay running before another process retries it (default: job timeout + 5m)")
	fs.StringVar(&c.SMTPURL, "smtp-url", c.SMTPURL, "SMTP server for notification emails: smtp://[user:pass@]host:port (default: no email)")
	fs.StringVar(&c.SMTPFrom, "smtp-from", c.SMTPFrom, "sender address of notification emails")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "serve /metrics on this separate address, e.g. 127.0.0.1:9090 (default: on --addr, only on loopback or with TALLY_METRICS_TOKEN)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", c.TrustProxy, "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy in front")
	fs.StringVar(&c.OutboundAllowCIDR, "outbound-allow-cidr", c.OutboundAllowCIDR, "private networks that banks and webhook receivers may be on, e.g. 192.168.0.0/16,127.0.0.1/32 (default: public addresses only)")
	fs.StringVar(&c.Signup, "signup", c.Signup, "who may sign up: open (anyone) or closed (only the first user); --demo opens it")
	fs.StringVar(&c.DatabaseReplicaURL, "database-replica-url", c.DatabaseReplicaURL, "postgres://... of a streaming replica for reads (default: the primary serves every read)")
}

// Parse parses args into fs and then fills every flag not given on the
// command line from its TALLY_* environment variable.
func Parse(fs *flag.FlagSet, args []string, c *Config) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		if set[f.Name] {
			return
		}
		env := EnvName(f.Name)
		if v, ok := os.LookupEnv(env); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", env, v, err))
			}
		}
	})
	c.SecretKey = os.Getenv("TALLY_SECRET_KEY")
	c.MetricsToken = os.Getenv("TALLY_METRICS_TOKEN")
	if f := fs.Lookup("addr"); f != nil {
		_, env := os.LookupEnv(EnvName("addr"))
		c.AddrSet = set["addr"] || env
	}
	return errors.Join(errs...)
}

// EnvName returns the environment variable of a flag: TALLY_DATABASE_URL for
// database-url.
func EnvName(flagName string) string {
	return "TALLY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Validate checks the configuration and fills derived defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("config: --data-dir is required")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return fmt.Errorf("config: --data-dir %q: %w", c.DataDir, err)
	}
	c.DataDir = abs
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "sqlite:") &&
		!strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return errors.New("config: --database-url must start with sqlite: or postgres://")
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			return fmt.Errorf("config: --addr %q: %w", c.Addr, err)
		}
	}
	switch c.Role {
	case RoleAll, RoleAPI, RoleWorker:
	default:
		return fmt.Errorf("config: --role %q: want all, api or worker", c.Role)
	}
	switch c.Signup {
	case SignupOpen, SignupClosed:
	case "":
		c.Signup = SignupClosed
	default:
		return fmt.Errorf("config: --signup %q: want open or closed", c.Signup)
	}
	switch c.LogFormat {
	case "text", "json":
	default:
		return fmt.Errorf("config: --log-format %q: want text or json", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: --log-level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.Workers < 0 {
		return errors.New("config: --workers must not be negative")
	}
	if c.SyncChunkSize < 1 || c.SyncChunkSize > 100_000 {
		return errors.New("config: --sync-chunk-size must be between 1 and 100000")
	}
	if c.JobTimeout <= 0 {
		return errors.New("config: --job-timeout must be positive")
	}
	if c.RescueAfter == 0 {
		c.RescueAfter = c.JobTimeout + 5*time.Minute
	}
	if c.RescueAfter <= c.JobTimeout {
		return errors.New("config: --rescue-after must be longer than --job-timeout")
	}
	if c.SMTPURL != "" {
		u, err := url.Parse(c.SMTPURL)
		if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
			return fmt.Errorf("config: --smtp-url %q: want smtp://[user:pass@]host:port", c.SMTPURL)
		}
		if c.SMTPFrom == "" {
			return errors.New("config: --smtp-url needs --smtp-from (TALLY_SMTP_FROM), the sender address")
		}
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			return fmt.Errorf("config: --metrics-addr %q: %w", c.MetricsAddr, err)
		}
	}
	if c.OutboundAllowCIDR != "" {
		if _, err := outbound.ParseAllowList(c.OutboundAllowCIDR); err != nil {
			return fmt.Errorf("config: --outbound-allow-cidr: %w", err)
		}
	}
	if c.Role == RoleWorker && c.Addr == Default().Addr && !c.AddrSet {
		// A worker serves only health and metrics; its own default lets it
		// run beside an API process on one host.
		c.Addr = DefaultWorkerAddr
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
			return fmt.Errorf("config: --redis-url %q: want redis://[user:password@]host:port[/db]", redactURL(c.RedisURL))
		}
	}
	if c.DatabaseReplicaURL != "" {
		u, err := url.Parse(c.DatabaseReplicaURL)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			return fmt.Errorf("config: --database-replica-url %q: want postgres://[user:password@]host:port/db", redactURL(c.DatabaseReplicaURL))
		}
		if !strings.HasPrefix(c.DatabaseURL, "postgres") {
			return errors.New("config: --database-replica-url needs a PostgreSQL --database-url (the primary it replicates)")
		}
	}
	if c.Demo && c.Role == RoleWorker {
		return errors.New("config: --demo needs the api role (use --role all or api)")
	}
	return nil
}
