package tally_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally"
)

func TestWebhookDisabling(t *testing.T) {
	t.Parallel()
	p := tally.WebhookDisabling{MaxFailures: 5, MinFailing: 24 * time.Hour}
	since := time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		failures int
		after    time.Duration
		off      bool
	}{
		{"a few failures", 4, 48 * time.Hour, false},
		{"many failures in one slow night", 9, 8 * time.Hour, false},
		{"enough failures over a day", 5, 24 * time.Hour, true},
	} {
		n := p.Disable(tc.failures, since, since.Add(tc.after), "HTTP 500")
		if (n != nil) != tc.off {
			t.Errorf("%s: got %v, want turned off %v", tc.name, n, tc.off)
			continue
		}
		if n != nil && (n.Kind != tally.NotifyAccountNeedsAttention || !strings.Contains(n.Message, "HTTP 500") || !strings.Contains(n.Message, "turned off")) {
			t.Errorf("%s: notice %+v does not say the webhook is off and why", tc.name, n)
		}
	}
}
