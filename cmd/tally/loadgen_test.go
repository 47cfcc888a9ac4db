package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/loadgen"
)

// tally loadgen drives a running server: its users' history is imported,
// they read pages, and the final check finds each user holding exactly the
// demo bank's transactions.
func TestLoadgen(t *testing.T) {
	t.Parallel()
	// The load generator's demo bank listens on loopback.
	m := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32" })
	var out, errs bytes.Buffer
	// A ceiling that catches a hang, as long as loadgen's own two settle
	// periods (history import, final catch-up; 5 minutes each): a -race
	// build on a loaded two-core machine took 156 s for the history alone.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	// Real-time speed and a short daily phase: no new day appears, so the
	// final check needs no refresh (the API allows one a minute).
	err := run(ctx, []string{"loadgen", "--target", m.URL(), "--users", "3", "--duration", "1s",
		"--speed", "1", "--read-ratio", "0.05", "--quiet"}, nil, &out, &errs)
	if err != nil {
		t.Fatalf("loadgen: %v\n%s%s", err, out.String(), errs.String())
	}
	var rep loadgen.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("loadgen printed %q: %v", out.String(), err)
	}
	if !rep.OK() || rep.UsersMatched != 3 {
		t.Fatalf("users matched %d, mismatches %v; want 3 and none", rep.UsersMatched, rep.Mismatches)
	}
	if rep.TransactionsWritten < 1000 || rep.TransactionsWritten != rep.HistoryTransactions {
		t.Fatalf("written %d, history %d: want the three users' whole history", rep.TransactionsWritten, rep.HistoryTransactions)
	}
	if rep.Reads == 0 || rep.Endpoints["GET /api/v1/transactions"] == nil || rep.Endpoints["GET /api/v1/spending"] == nil {
		t.Fatalf("reads %d, endpoints %v: want reads across the read endpoints", rep.Reads, rep.Endpoints)
	}
	if l := rep.Endpoints["GET /api/v1/transactions"]; l.P50 <= 0 || l.P99 < l.P50 {
		t.Fatalf("transactions latency %+v", l)
	}
	if rep.ErrorsTotal != 0 {
		t.Fatalf("errors: %v", rep.Errors)
	}
}

func TestLoadgenRefusesOtherHosts(t *testing.T) {
	t.Parallel()
	for _, target := range []string{"http://192.168.1.10:8080", "http://example.com", "ftp://127.0.0.1"} {
		err := run(context.Background(), []string{"loadgen", "--target", target, "--quiet"}, nil, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "loadgen") {
			t.Errorf("loadgen --target %s: %v, want a refusal", target, err)
		}
	}
}
