package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
)

// closedAddr is a local address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// An unreachable Redis or replica at start is logged with its URL, password
// hidden, and Tally serves from the database.
func TestUnreachableCacheAndReplicaAtStart(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.Addr = "127.0.0.1:0"
	c.DataDir = t.TempDir()
	c.DatabaseURL = testDatabaseURL(t, c.DataDir)
	c.RedisURL = "redis://:hunter2@" + closedAddr(t) + "/0"
	if c.DatabaseURL != "" {
		c.DatabaseReplicaURL = "postgres://postgres:hunter2@" + closedAddr(t) + "/test?sslmode=disable&connect_timeout=1"
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	var logs syncWriter
	m := &Main{Config: c, Stdout: io.Discard, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := m.Run(ctx); err != nil {
		m.Close()
		t.Fatal(err)
	}
	defer m.Close()
	out := logs.String()
	if !strings.Contains(out, "redis unreachable") || !strings.Contains(out, "redis://:xxxxx@127.0.0.1:") {
		t.Errorf("the log does not report the unreachable Redis by its redacted URL:\n%s", out)
	}
	if c.DatabaseReplicaURL != "" && (!strings.Contains(out, "replica unreachable") || !strings.Contains(out, "postgres://postgres:xxxxx@127.0.0.1:")) {
		t.Errorf("the log does not report the unreachable replica by its redacted URL:\n%s", out)
	}
	if strings.Contains(out, "hunter2") {
		t.Errorf("the log shows a password:\n%s", out)
	}

	u, _ := signUp(t, m.URL(), "startup@example.com")
	for _, path := range []string{"/api/v1/summary", "/api/v1/spending", "/api/v1/budgets", "/api/v1/accounts", "/api/v1/transactions"} {
		u.must(http.StatusOK, "GET", path, nil)
	}
}

// A malformed --redis-url or --database-replica-url refuses to start.
func TestMalformedReadPathURLs(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--redis-url", "localhost:6379"},
		{"--redis-url", "redis://"},
		{"--database-url", "postgres://127.0.0.1/test", "--database-replica-url", "127.0.0.1:5433"},
	} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), append([]string{"serve", "--data-dir", t.TempDir()}, args...), nil, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), strings.TrimPrefix(args[len(args)-2], "--")) {
			t.Errorf("serve %v: got %v, want an error naming %s", args, err, args[len(args)-2])
		}
	}
}

// --role worker serves health and metrics only, on an address of its own
// beside an API process.
func TestWorkerRoleServesHealthOnly(t *testing.T) {
	t.Parallel()
	c := config.Default()
	c.Addr = "127.0.0.1:0"
	c.DataDir = t.TempDir()
	c.DatabaseURL = testDatabaseURL(t, c.DataDir)
	c.Role = config.RoleWorker
	c.JobTimeout = time.Minute
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	m := startMainOn(t, c)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/metrics": 200, "/api/v1/summary": 404, "/": 404} {
		res, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("worker GET %s = %d, want %d", path, res.StatusCode, want)
		}
	}
}

// syncWriter is a buffer several goroutines may log to.
type syncWriter struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.Write(p)
}

func (w *syncWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
