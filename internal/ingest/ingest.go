// Package ingest is the one pipeline every source of transactions feeds.
// Sources (package source and below: OFX Direct Connect, SimpleFIN,
// statement files) fetch or read their input and turn it into statements of
// raw transactions; ingest keeps the raw input in the object store, then
// for every line normalizes the merchant and its key, categorizes it (the
// dictionary, then the crowd, then the user's own rules), gives lines
// without a usable FITID a content id, and inserts in chunks, each one
// database transaction with the monthly totals and the budget checks it
// causes. Pending lines a source stops listing are replaced by their posted
// twins. It also verifies credentials when a connection is made.
package ingest

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/outbound"
	"github.com/tallyhq/tally/internal/secret"
	"github.com/tallyhq/tally/internal/source/ofxdirect"
	"github.com/tallyhq/tally/internal/store"
)

// Defaults of a Service.
const (
	DefaultOverlap        = 10 * 24 * time.Hour
	DefaultChunkSize      = 10_000
	DefaultConnectTimeout = 20 * time.Second
	DefaultFetchTimeout   = 2 * time.Minute
)

// Service links connections, syncs them and imports statement files.
type Service struct {
	Store      *store.Store
	Blobs      blob.Store
	Box        *secret.Box
	Categorize *categorize.Engine
	// Categorizer, when set, returns the engine instead of Categorize; it
	// is called when a run categorizes its first line, so a command can
	// build the engine while it opens the database.
	Categorizer func() *categorize.Engine
	HTTP        *http.Client // nil: outbound's public-only client; contexts bound each call
	Logger      *slog.Logger
	Now         func() time.Time

	Overlap        time.Duration // how far before the last success a sync starts again
	ChunkSize      int           // transactions per database transaction
	ConnectTimeout time.Duration
	FetchTimeout   time.Duration

	crowd crowdCache
}

func (s *Service) engine() *categorize.Engine {
	if s.Categorizer != nil {
		return s.Categorizer()
	}
	return s.Categorize
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

// orDefault is v, or def when v is not set.
func orDefault[T int | time.Duration](v, def T) T {
	if v > 0 {
		return v
	}
	return def
}

func (s *Service) chunkSize() int { return orDefault(s.ChunkSize, DefaultChunkSize) }
func (s *Service) connectTimeout() time.Duration {
	return orDefault(s.ConnectTimeout, DefaultConnectTimeout)
}
func (s *Service) fetchTimeout() time.Duration { return orDefault(s.FetchTimeout, DefaultFetchTimeout) }
func (s *Service) overlap() time.Duration      { return orDefault(s.Overlap, DefaultOverlap) }

func (s *Service) ofx() *ofxdirect.Client {
	return &ofxdirect.Client{HTTP: s.client(), Now: s.Now}
}

var publicOnly = new(outbound.Guard).Client(0)

// client is the injected HTTP client, or one that reaches public addresses
// only.
func (s *Service) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return publicOnly
}
