// Package metrics holds Tally's Prometheus collectors, served at /metrics.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every Tally collector plus the Go and process collectors.
var Registry = prometheus.NewRegistry()

var (
	// HTTPRequests counts HTTP requests by method, route pattern and status.
	HTTPRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tally_http_requests_total",
		Help: "HTTP requests by method, route pattern and status code.",
	}, []string{"method", "route", "code"})

	// HTTPDuration observes request latency by route pattern.
	HTTPDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "tally_http_request_duration_seconds",
		Help:    "HTTP request latency by route pattern.",
		Buckets: []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"route"})

	// Jobs counts finished job attempts by kind and outcome (ok, error,
	// cancelled).
	Jobs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tally_jobs_total",
		Help: "Finished job attempts by kind and outcome.",
	}, []string{"kind", "outcome"})

	// TransactionsInserted counts transactions stored (duplicates excluded).
	TransactionsInserted = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tally_transactions_inserted_total",
		Help: "Transactions stored, duplicates excluded.",
	})

	// TransactionsSeen counts transactions parsed from institutions and files,
	// duplicates included.
	TransactionsSeen = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tally_transactions_seen_total",
		Help: "Transactions parsed from institutions and files, duplicates included.",
	})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		HTTPRequests, HTTPDuration, Jobs, TransactionsInserted, TransactionsSeen,
	)
}

// Handler serves the registry in Prometheus' text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{})
}

var (
	// CacheRequests counts read-cache lookups by entry kind (summary,
	// spending, budgets, trends) and result (hit, miss, bypass when the
	// backend did not answer).
	CacheRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tally_cache_requests_total",
		Help: "Read-cache lookups by entry kind and result (hit, miss, bypass).",
	}, []string{"kind", "result"})

	// CacheErrors counts the intervals in which the cache backend failed.
	CacheErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "tally_cache_errors_total",
		Help: "Intervals (one a minute at most) in which the cache backend failed.",
	})

	// DBReads counts API reads by the database that served them: primary
	// or replica.
	DBReads = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "tally_db_reads_total",
		Help: "API read requests by the database that served them (primary, replica).",
	}, []string{"target"})
)

func init() {
	Registry.MustRegister(CacheRequests, CacheErrors, DBReads)
}
