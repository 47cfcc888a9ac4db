package notify

import (
	"context"
	"crypto/tls"
	"fmt"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// Email sends notifications through an SMTP server.
type Email struct {
	Addr     string // host:port
	Username string
	Password string
	From     string
}

// ParseSMTPURL reads smtp://[user:pass@]host:port; the port defaults to 25.
func ParseSMTPURL(raw, from string) (*Email, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Hostname() == "" {
		return nil, fmt.Errorf("smtp url %q: want smtp://[user:pass@]host:port", raw)
	}
	if from == "" {
		return nil, fmt.Errorf("smtp url is set but the sender is not: set --smtp-from or TALLY_SMTP_FROM")
	}
	e := &Email{Addr: u.Host, From: from}
	if u.Port() == "" {
		e.Addr = net.JoinHostPort(u.Hostname(), "25")
	}
	if u.User != nil {
		e.Username = u.User.Username()
		e.Password, _ = u.User.Password()
	}
	return e, nil
}

// Send mails the notification to one address. Its Message-ID is derived
// from the notification id, so a repeat is recognizable as one.
func (e *Email) Send(ctx context.Context, to string, n *tally.Notification) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	host, _, _ := net.SplitHostPort(e.Addr)
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", e.Addr)
	if err != nil {
		return fmt.Errorf("email: %w", err)
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("email: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: host}); err != nil {
			return fmt.Errorf("email: starttls: %w", err)
		}
	}
	if e.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password, host)); err != nil {
			return fmt.Errorf("email: auth: %w", err)
		}
	}
	if err := c.Mail(e.From); err != nil {
		return fmt.Errorf("email: MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return fmt.Errorf("email: RCPT TO: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("email: DATA: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\n", e.From, to)
	fmt.Fprintf(&b, "Subject: %s\r\n", mime.QEncoding.Encode("utf-8", subject(n)))
	fmt.Fprintf(&b, "Message-ID: <%s@tally>\r\nDate: %s\r\n", n.ID, n.CreatedAt.Format(time.RFC1123Z))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n")
	b.WriteString(n.Message + "\r\n")
	if _, err := w.Write([]byte(b.String())); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("email: %w", err)
	}
	return c.Quit()
}

func subject(n *tally.Notification) string {
	name := n.Category
	if c, ok := tally.LookupCategory(n.Category); ok {
		name = c.Name
	}
	switch n.Kind {
	case tally.NotifyBudgetApproaching:
		return "Tally: your " + name + " budget is almost spent"
	case tally.NotifyBudgetExceeded:
		return "Tally: you are over your " + name + " budget"
	case tally.NotifyBudgetProjected:
		return "Tally: your " + name + " budget may run out this month"
	case tally.NotifySyncCompleted:
		return "Tally: new transactions"
	}
	return "Tally: your account needs attention"
}
