package outbound_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/outbound"
)

func TestIsPublic(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"93.184.216.34", true},
		{"2606:4700::1111", true},
		{"127.0.0.1", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false}, // cloud metadata
		{"100.64.0.1", false},
		{"0.0.0.0", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"fd00::1", false},
		{"fe80::1", false},
		{"64:ff9b::7f00:1", false},
		{"224.0.0.1", false},
	} {
		if got := outbound.IsPublic(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("IsPublic(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestParseAllowList(t *testing.T) {
	t.Parallel()
	got, err := outbound.ParseAllowList(" 192.168.0.0/16, 127.0.0.1 ,,fd00::/8")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"192.168.0.0/16", "127.0.0.1/32", "fd00::/8"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("got %v, want %v", got[i], want[i])
		}
	}
	if _, err := outbound.ParseAllowList("192.168.0.0/40"); err == nil || !strings.Contains(err.Error(), "192.168.0.0/40") {
		t.Errorf("a bad prefix: got %v, want an error naming it", err)
	}
}

func counting(n *atomic.Int32) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.WriteString(w, "secret internal answer")
	}))
}

// The check runs on the dialed address: loopback, private and link-local
// addresses are refused unless allowed, and nothing reaches them.
func TestClientRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := counting(&hits)
	t.Cleanup(srv.Close)
	c := new(outbound.Guard).Client(5 * time.Second)
	for _, u := range []string{srv.URL, "http://localhost:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:],
		"http://10.0.0.1:9/", "http://169.254.169.254/latest/meta-data/", "http://[::1]:9/", "http://0.0.0.0:9/"} {
		res, err := c.Get(u)
		if err == nil {
			res.Body.Close()
		}
		if !outbound.IsBlocked(err) {
			t.Errorf("GET %s: got %v, want a refusal", u, err)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("%d requests reached the loopback server, want 0", hits.Load())
	}

	prefixes, _ := outbound.ParseAllowList("127.0.0.1/32")
	res, err := outbound.New(prefixes).Client(5 * time.Second).Get(srv.URL)
	if err != nil {
		t.Fatalf("with 127.0.0.1/32 allowed: %v", err)
	}
	res.Body.Close()
	if hits.Load() != 1 {
		t.Errorf("with 127.0.0.1/32 allowed: %d requests arrived, want 1", hits.Load())
	}
}

// AllowAddr opens one address and port, not the whole host.
func TestAllowAddrIsExact(t *testing.T) {
	t.Parallel()
	var a, b atomic.Int32
	srvA, srvB := counting(&a), counting(&b)
	t.Cleanup(srvA.Close)
	t.Cleanup(srvB.Close)
	g := new(outbound.Guard)
	g.AllowAddr(netip.MustParseAddrPort(strings.TrimPrefix(srvA.URL, "http://")))
	c := g.Client(5 * time.Second)
	if res, err := c.Get(srvA.URL); err != nil {
		t.Fatalf("the allowed address: %v", err)
	} else {
		res.Body.Close()
	}
	if _, err := c.Get(srvB.URL); !outbound.IsBlocked(err) {
		t.Errorf("another port on the same host: got %v, want a refusal", err)
	}
}

// A redirect to another host is never followed, even an allowed one.
func TestClientFollowsNoRedirectToAnotherHost(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	target := counting(&hits)
	t.Cleanup(target.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/same" {
			io.WriteString(w, "ok")
			return
		}
		if r.URL.Path == "/local" {
			http.Redirect(w, r, "/same", http.StatusFound)
			return
		}
		http.Redirect(w, r, target.URL+"/latest/meta-data/", http.StatusFound)
	}))
	t.Cleanup(redirector.Close)
	prefixes, _ := outbound.ParseAllowList("127.0.0.1/32")
	c := outbound.New(prefixes).Client(5 * time.Second)
	res, err := c.Post(redirector.URL+"/claim", "text/plain", nil)
	if err == nil {
		res.Body.Close()
	}
	if !errors.Is(err, outbound.ErrRedirect) {
		t.Errorf("redirect to another host: got %v, want ErrRedirect", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the redirect target got %d requests, want 0", hits.Load())
	}
	res, err = c.Get(redirector.URL + "/local")
	if err != nil {
		t.Fatalf("redirect on the same host: %v", err)
	}
	res.Body.Close()
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g := new(outbound.Guard)
	for _, u := range []string{"https://93.184.216.34/hook", "http://[2606:4700::1111]:8443/x"} {
		if err := g.CheckURL(ctx, "webhook_url", u); err != nil {
			t.Errorf("%s: %v, want accepted", u, err)
		}
	}
	for _, tc := range []struct{ url, want string }{
		{"http://user:hunter2@127.0.0.1:8080/hook", "private, loopback or link-local"},
		{"http://localhost/hook", "private, loopback or link-local"},
		{"http://169.254.169.254/", "private, loopback or link-local"},
		{"ftp://example.com/", "want an absolute http:// or https:// URL"},
		{"/relative", "want an absolute http:// or https:// URL"},
		{"https://example.com:0/", "port"},
	} {
		err := g.CheckURL(ctx, "webhook_url", tc.url)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "webhook_url") {
			t.Errorf("%s: got %v, want an error naming webhook_url and saying %q", tc.url, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "user:") {
			t.Errorf("%s: the message repeats the credentials: %v", tc.url, err)
		}
	}
	prefixes, _ := outbound.ParseAllowList("127.0.0.0/8")
	if err := outbound.New(prefixes).CheckURL(ctx, "webhook_url", "http://127.0.0.1:9000/hook"); err != nil {
		t.Errorf("an allowed network: %v", err)
	}
}
