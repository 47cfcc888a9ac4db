package tally

import (
	"fmt"
	"time"
)

// WebhookDisabling is when a failing webhook is turned off: after
// MaxFailures failed deliveries in a row that span at least MinFailing (one
// slow night of the receiver is not enough).
type WebhookDisabling struct {
	MaxFailures int
	MinFailing  time.Duration
}

// Disable tells whether a webhook that has failed failures times in a row,
// the first at since, is turned off at now, and returns the notice the user
// then gets (reason is the last delivery's error); nil keeps it on.
func (p WebhookDisabling) Disable(failures int, since, now time.Time, reason string) *Notification {
	if failures < p.MaxFailures || now.Sub(since) < p.MinFailing {
		return nil
	}
	return &Notification{
		Kind:    NotifyAccountNeedsAttention,
		Key:     "webhook:" + now.Format(time.RFC3339Nano),
		Message: fmt.Sprintf("Your webhook failed %d times in a row and is turned off; last error: %s. Set webhook_url in your profile again to turn it back on.", failures, reason),
		Data:    map[string]any{"reason": reason, "failures": failures},
	}
}
