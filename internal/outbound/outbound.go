// Package outbound is the one HTTP client Tally uses for requests made on a
// user's behalf: OFX Direct Connect, SimpleFIN claims and syncs, webhooks.
// A user chooses those addresses, so the client reaches public addresses
// only (checked on the address actually dialed, after DNS), follows no
// redirect to another host, and reports every kind of failure without
// repeating what the far end answered. An operator can open networks of
// their own with an allow list (--outbound-allow-cidr).
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	gosync "sync"
	"syscall"
	"time"
)

// ErrBlocked is a request to an address the guard does not permit: a
// loopback, private, link-local, multicast or unspecified address outside
// the allow list.
var ErrBlocked = errors.New("outbound: address is not public")

// ErrRedirect is a redirect to another host, which the client never follows.
var ErrRedirect = errors.New("outbound: redirect to another host")

// Guard decides which addresses outbound requests may reach and makes the
// clients that enforce it. The zero Guard permits public addresses only.
type Guard struct {
	// Resolve looks a host name up when a URL is checked at save;
	// net.DefaultResolver when nil. Tests pin names to addresses.
	Resolve func(ctx context.Context, host string) ([]netip.Addr, error)

	mu    gosync.RWMutex
	allow []netip.Prefix
	exact map[netip.AddrPort]bool
}

// New returns a guard that also permits the given networks.
func New(allow []netip.Prefix) *Guard {
	return &Guard{allow: allow}
}

// ParseAllowList parses a comma-separated list of CIDR prefixes
// ("192.168.0.0/16,127.0.0.1/32"); a bare address is its own /32 or /128.
func ParseAllowList(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("%q is not a CIDR prefix such as 192.168.0.0/16", f)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not a CIDR prefix such as 192.168.0.0/16", f)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// AllowAddr permits exactly one address and port, such as the demo bank
// served by this process on a loopback address.
func (g *Guard) AllowAddr(ap netip.AddrPort) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.exact == nil {
		g.exact = map[netip.AddrPort]bool{}
	}
	g.exact[netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())] = true
}

// Permits reports whether a connection to ip and port may be made.
func (g *Guard) Permits(ip netip.Addr, port uint16) bool {
	ip = ip.Unmap()
	if g != nil {
		g.mu.RLock()
		defer g.mu.RUnlock()
		if g.exact[netip.AddrPortFrom(ip, port)] {
			return true
		}
		for _, p := range g.allow {
			if p.Contains(ip) {
				return true
			}
		}
	}
	return IsPublic(ip)
}

// IsPublic reports whether ip is a globally reachable unicast address: not
// loopback, private (RFC 1918, fc00::/7), link-local (cloud metadata lives
// at 169.254.169.254), carrier-grade NAT, multicast or unspecified.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range reserved {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// reserved are further ranges that are never a bank or a webhook receiver.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"), // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"), // NAT64 could reach any IPv4 address
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// control is the dialer's check, run on the resolved address of every
// connection just before it is made.
func (g *Guard) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return ErrBlocked
	}
	if !g.Permits(ap.Addr(), ap.Port()) {
		return ErrBlocked
	}
	return nil
}

// Client returns an HTTP client that dials only permitted addresses, uses no
// proxy, follows redirects only on the same scheme, host and port (at most
// three), and gives up after timeout (none when 0: contexts bound calls).
func (g *Guard) Client(timeout time.Duration) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.Proxy = nil
	t.DialContext = d.DialContext
	t.MaxIdleConnsPerHost = 4
	t.ResponseHeaderTimeout = 0
	return &http.Client{
		Timeout:   timeout,
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 3 {
				return ErrRedirect
			}
			first := via[0].URL
			if req.URL.Scheme != first.Scheme || req.URL.Host != first.Host {
				return ErrRedirect
			}
			return nil
		},
	}
}

// CheckURL validates an address a user gives for Tally to call: an absolute
// http or https URL whose host resolves only to permitted addresses. field
// names it in the message ("webhook_url"); the message shows the URL
// without its user:password part.
func (g *Guard) CheckURL(ctx context.Context, field, raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return &URLError{Field: field, URL: Redact(raw), Reason: "want an absolute http:// or https:// URL"}
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	var p uint16
	if _, err := fmt.Sscan(port, &p); err != nil || p == 0 {
		return &URLError{Field: field, URL: Redact(raw), Reason: "the port is not a number between 1 and 65535"}
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if g.Resolve != nil {
			addrs, err = g.Resolve(ctx, host)
		} else {
			addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
		if err != nil || len(addrs) == 0 {
			return &URLError{Field: field, URL: Redact(raw), Reason: "its host name does not resolve"}
		}
	}
	for _, a := range addrs {
		if !g.Permits(a, p) {
			return &URLError{Field: field, URL: Redact(raw), Reason: "it points at a private, loopback or link-local address; " +
				"Tally calls public addresses only (an operator can allow networks with --outbound-allow-cidr)", Blocked: true}
		}
	}
	return nil
}

// URLError is an address a user gave that Tally will not call.
type URLError struct {
	Field   string
	URL     string // redacted
	Reason  string
	Blocked bool // the address is not permitted, as opposed to malformed
}

func (e *URLError) Error() string {
	return fmt.Sprintf("%s %q: %s", e.Field, e.URL, e.Reason)
}

// Redact returns raw with any password removed and any user name masked,
// for messages and display; an unparsable URL becomes "(invalid URL)".
func Redact(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return "(invalid URL)"
	}
	if u.User != nil {
		u.User = url.User("REDACTED")
	}
	return u.String()
}

// IsBlocked reports whether err is a request the guard refused to make.
func IsBlocked(err error) bool {
	var ue *URLError
	if errors.As(err, &ue) {
		return ue.Blocked
	}
	return errors.Is(err, ErrBlocked)
}

// Loopback returns a guard that also permits 127.0.0.0/8 and ::1: the demo
// bank and test servers on this machine, as --outbound-allow-cidr
// 127.0.0.0/8 does.
func Loopback() *Guard {
	return New([]netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")})
}
