package main

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	gosync "sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/notify"
)

// startWith runs a whole Tally process with cfg applied to the defaults.
func startWith(t *testing.T, cfg func(c *config.Config)) *Main {
	t.Helper()
	c := config.Default()
	c.Addr = "127.0.0.1:0"
	c.DataDir = t.TempDir()
	c.DatabaseURL = testDatabaseURL(t, c.DataDir)
	c.JobTimeout = time.Minute
	c.Signup = config.SignupOpen
	if cfg != nil {
		cfg(&c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	return startMainOn(t, c)
}

const internalSecret = "internal-only: db password is swordfish"

// internalServer stands for a service on the operator's own network: it
// counts the requests that reach it and answers something private.
func internalServer(t *testing.T, hits *atomic.Int32) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, internalSecret)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func setupToken(url string) string { return base64.StdEncoding.EncodeToString([]byte(url)) }

// A SimpleFIN setup token is base64 of any URL: one aimed at 127.0.0.1 is
// refused before anything is sent, and nothing the far end answers is
// repeated, even when the operator allows the network.
func TestSimpleFINSetupTokenCannotReachTheInternalNetwork(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	internal := internalServer(t, &hits)
	m := startWith(t, nil)
	eve, _ := signUp(t, m.URL(), "eve@example.com")
	for _, u := range []string{internal.URL + "/latest/meta-data/", "http://localhost:" + port(internal.URL) + "/", "http://169.254.169.254/latest/meta-data/"} {
		status, body := eve.do("POST", "/api/v1/connections", map[string]string{"kind": "simplefin", "setup_token": setupToken(u)})
		msg := errorMessage(body)
		if status != 400 || !strings.Contains(msg, "private, loopback or link-local") {
			t.Errorf("claim at %s: got %d %q, want 400 naming a private address", u, status, msg)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("%d requests reached the internal server, want 0", n)
	}

	// With the network allowed, a claim that answers something other than
	// an access URL, or redirects to another host, reveals nothing.
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, internal.URL+"/admin", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	m2 := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32" })
	mallory, _ := signUp(t, m2.URL(), "mallory@example.com")
	hits.Store(0)
	status, body := mallory.do("POST", "/api/v1/connections", map[string]string{"kind": "simplefin", "setup_token": setupToken(redirector.URL + "/claim")})
	if status != 502 || strings.Contains(errorMessage(body), "swordfish") {
		t.Errorf("a redirecting claim: got %d %v, want 502 without the answer", status, body)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the redirect was followed: %d requests reached the internal server", n)
	}
	status, body = mallory.do("POST", "/api/v1/connections", map[string]string{"kind": "simplefin", "setup_token": setupToken(internal.URL + "/claim")})
	if status != 502 || strings.Contains(errorMessage(body), "swordfish") {
		t.Errorf("a claim answering private text: got %d %v, want 502 without the answer", status, body)
	}
}

// account_url cannot be used to scan ports: a closed port, an HTTP error,
// an answer that is not OFX and a server that never answers all get the
// same status and message.
func TestConnectAnswersOneMessageForEveryUnreachable(t *testing.T) {
	t.Parallel()
	m := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32" })
	m.Sync.ConnectTimeout = 2 * time.Second
	eve, _ := signUp(t, m.URL(), "eve@example.com")

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedURL := "http://" + closed.Addr().String() + "/ofx"
	closed.Close()
	notFound := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(notFound.Close)
	var hits atomic.Int32
	notOFX := internalServer(t, &hits)
	release := make(chan struct{})
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hanging.Close)
	t.Cleanup(func() { close(release) })

	var first string
	for _, u := range []string{closedURL, notFound.URL + "/ofx", notOFX.URL + "/ofx", hanging.URL + "/ofx"} {
		status, body := eve.do("POST", "/api/v1/account", map[string]string{"account_url": u, "account_login": "l", "account_password": "p"})
		msg := strings.ReplaceAll(errorMessage(body), strings.TrimSuffix(u, "/ofx"), "URL")
		if status != 502 {
			t.Errorf("%s: got %d %v, want 502", u, status, body)
		}
		if strings.Contains(msg, "swordfish") || strings.Contains(msg, "404") {
			t.Errorf("%s: the message tells what answered: %q", u, msg)
		}
		if first == "" {
			first = msg
		} else if msg != first {
			t.Errorf("%s: message %q differs from %q", u, msg, first)
		}
	}

	// Without the allow list, a private address is refused up front.
	m2 := startWith(t, nil)
	bob, _ := signUp(t, m2.URL(), "bob@example.com")
	status, body := bob.do("POST", "/api/v1/account", map[string]string{"account_url": notOFX.URL + "/ofx", "account_login": "l", "account_password": "p"})
	if status != 400 || !strings.Contains(errorMessage(body), "--outbound-allow-cidr") {
		t.Errorf("a private bank URL: got %d %v, want 400 explaining the allow list", status, body)
	}
}

// webhookReceiver records signed deliveries.
type webhookReceiver struct {
	mu     gosync.Mutex
	bodies [][]byte
	sigs   []string
}

func (rcv *webhookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rcv.mu.Lock()
	rcv.bodies = append(rcv.bodies, b)
	rcv.sigs = append(rcv.sigs, r.Header.Get(notify.SignatureHeader))
	rcv.mu.Unlock()
}

func (rcv *webhookReceiver) count() int {
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	return len(rcv.bodies)
}

// With --outbound-allow-cidr 127.0.0.1/32 a webhook receiver on the
// operator's own machine gets its signed deliveries; without it the
// address is refused when saved.
func TestWebhookOnAllowedNetworkGetsSignedDeliveries(t *testing.T) {
	t.Parallel()
	rcv := &webhookReceiver{}
	hook := httptest.NewServer(rcv)
	t.Cleanup(hook.Close)
	bank := httptest.NewServer(demobank.New())
	t.Cleanup(bank.Close)

	m0 := startWith(t, nil)
	bob, _ := signUp(t, m0.URL(), "bob@example.com")
	status, body := bob.do("PUT", "/api/v1/profile", map[string]any{"webhook_url": hook.URL + "/tally"})
	if msg := errorMessage(body); status != 400 || !strings.Contains(msg, "webhook_url") || !strings.Contains(msg, "--outbound-allow-cidr") {
		t.Errorf("a private webhook without the allow list: got %d %q, want 400 explaining why", status, msg)
	}

	m := startWith(t, func(c *config.Config) { c.OutboundAllowCIDR = "127.0.0.1/32" })
	alice, _ := signUp(t, m.URL(), "alice@example.com")
	prof := alice.must(200, "PUT", "/api/v1/profile", map[string]any{
		"webhook_url": hook.URL + "/tally", "channels": map[string][]string{"sync_completed": {"webhook"}},
	})
	secret, _ := prof["webhook_secret"].(string)
	if secret == "" {
		t.Fatalf("PUT /profile = %v, want a webhook_secret", prof)
	}
	alice.must(201, "POST", "/api/v1/account", map[string]string{"account_url": bank.URL, "account_login": "alice", "account_password": "pw"})
	eventually(t, jobWait, "a webhook delivery", func() bool { return rcv.count() > 0 })
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for i, b := range rcv.bodies {
		if !notify.Verify([]byte(secret), b, rcv.sigs[i]) {
			t.Errorf("delivery %d: signature %q does not verify", i, rcv.sigs[i])
		}
		var v map[string]any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Errorf("delivery %d is not JSON: %s", i, b)
		}
	}
}

func port(u string) string { return u[strings.LastIndex(u, ":")+1:] }

func errorMessage(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	s, _ := e["message"].(string)
	return s
}
