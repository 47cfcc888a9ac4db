package config

import (
	"flag"
	"strings"
	"testing"
)

func TestSMTPSettings(t *testing.T) {
	t.Setenv("TALLY_SMTP_URL", "smtp://mailer:pw@mail.example:587")
	t.Setenv("TALLY_SMTP_FROM", "tally@example.com")
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := Parse(fs, nil, &c); err != nil {
		t.Fatal(err)
	}
	if c.SMTPURL != "smtp://mailer:pw@mail.example:587" || c.SMTPFrom != "tally@example.com" {
		t.Errorf("got %q %q, want the env values", c.SMTPURL, c.SMTPFrom)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
	for _, tc := range []struct{ url, from, want string }{
		{"http://mail.example", "a@example.com", "--smtp-url"},
		{"smtp://mail.example:25", "", "--smtp-from"},
	} {
		c := Default()
		c.SMTPURL, c.SMTPFrom = tc.url, tc.from
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q %q: got %v, want an error naming %s", tc.url, tc.from, err, tc.want)
		}
	}
}
