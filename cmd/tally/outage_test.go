package main

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// tcpProxy forwards connections to a database; Cut drops every connection
// and refuses new ones, as a stopped server does, and Restore listens again
// on the same address.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string

	mu    gosync.Mutex
	ln    net.Listener
	conns []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.Cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// Cut stops the database as clients see it.
func (p *tcpProxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Restore brings the database back on the same address.
func (p *tcpProxy) Restore() {
	var ln net.Listener
	var err error
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		if ln, err = net.Listen("tcp", p.addr); err == nil {
			break
		}
	}
	if err != nil {
		p.t.Fatal(err)
	}
	p.serve(ln)
}

// While PostgreSQL cannot be reached, the API and the web app answer 503
// with Retry-After, never 500; when it is back they serve again.
func TestDatabaseOutageAnswers503(t *testing.T) {
	if sqldbtest.Dialect() != "postgres" {
		t.Skip("a database outage needs PostgreSQL: set TALLY_TEST_DATABASE_URL")
	}
	t.Parallel()
	dbURL := sqldbtest.Open(t).URL
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := newTCPProxy(t, u.Host)
	u.Host = proxy.addr
	m := startWith(t, func(c *config.Config) { c.DatabaseURL = u.String() })
	alice, _ := signUp(t, m.URL(), "alice@example.com")
	alice.must(200, "GET", "/api/v1/accounts", nil)

	proxy.Cut()
	// Reads the cache holds may still answer; none answers 500.
	for _, path := range []string{"/api/v1/accounts", "/api/v1/transactions", "/api/v1/budgets", "/api/v1/rules"} {
		status, body := alice.do("GET", path, nil)
		if status != 503 && status != 200 {
			t.Errorf("GET %s while the database is down: %d %v, want 503 (or 200 from the cache)", path, status, body)
		}
	}
	for _, w := range []struct {
		method, path string
		body         any
	}{{"PUT", "/api/v1/profile", map[string]string{"time_zone": "Europe/Paris"}}, {"POST", "/api/v1/rules", map[string]string{"merchant": "Zebra Kiosk", "category": "hobbies"}}} {
		if status, body := alice.do(w.method, w.path, w.body); status != 503 {
			t.Errorf("%s %s while the database is down: %d %v, want 503", w.method, w.path, status, body)
		}
	}
	status, _ := alice.do("POST", "/api/v1/tokens", map[string]string{"email": "alice@example.com", "password": "correct horse battery"})
	if status != 503 {
		t.Errorf("POST /tokens while the database is down: %d, want 503", status)
	}
	req, _ := http.NewRequest("PUT", m.URL()+"/api/v1/profile", strings.NewReader(`{"time_zone":"UTC"}`))
	req.Header.Set("Authorization", "Bearer "+alice.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Retry-After") == "" {
		t.Error("a 503 without Retry-After")
	}
	web, err := http.Get(m.URL() + "/")
	if err != nil {
		t.Fatal(err)
	}
	web.Body.Close()
	if web.StatusCode == 500 {
		t.Errorf("the web app answered 500 while the database was down")
	}

	proxy.Restore()
	eventually(t, 10*time.Second, "the API serving again", func() bool {
		status, _ := alice.do("GET", "/api/v1/accounts", nil)
		return status == 200
	})
}
