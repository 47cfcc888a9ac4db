package tally

import "time"

// Notification kinds.
const (
	NotifyBudgetApproaching     = "budget_approaching"
	NotifyBudgetExceeded        = "budget_exceeded"
	NotifyBudgetProjected       = "budget_projected"
	NotifySyncCompleted         = "sync_completed"
	NotifyAccountNeedsAttention = "account_needs_attention"
)

// NotificationKinds lists every kind, in a stable order.
var NotificationKinds = []string{NotifyBudgetApproaching, NotifyBudgetExceeded, NotifyBudgetProjected, NotifySyncCompleted, NotifyAccountNeedsAttention,
	NotifyRecurringNew, NotifyRecurringPriceIncrease, NotifyRecurringMissing}

// Delivery channels. The inbox is the notifications table itself.
const (
	ChannelInbox   = "inbox"
	ChannelEmail   = "email"
	ChannelWebhook = "webhook"
)

// Notification is one message in a user's inbox. (UserID, Kind, Category,
// Month, Key) is unique: an alert happens at most once.
type Notification struct {
	UserID    string
	ID        string
	Kind      string
	Category  string // budget alerts
	Month     string // "YYYY-MM" of budget alerts
	Key       string // extra uniqueness for notices that repeat, such as a sync's id
	Message   string
	Data      map[string]any // kind-specific figures, sent with webhooks
	CreatedAt time.Time
	ReadAt    *time.Time
}

// Profile is a user's budget and alert settings.
type Profile struct {
	UserID             string
	MonthlyIncome      int64 // minor units of Currency; 0 means detect from paychecks
	Currency           string
	TimeZone           string // users.time_zone
	NotifyEmail        string
	WebhookURL         string
	WebhookSecret      []byte // sealed; never shown after it is first set
	WebhookFailures    int
	WebhookDisabledAt  *time.Time
	ApproachingPercent int
	// Channels maps a notification kind to the outside channels it goes to
	// (email, webhook); the inbox always gets every kind. A kind absent
	// from the map goes to every channel the profile has an address for,
	// except sync_completed, which stays in the inbox unless asked for.
	Channels  map[string][]string
	UpdatedAt time.Time
}

// ChannelsFor returns the outside channels a notification of kind goes to.
func (p *Profile) ChannelsFor(kind string) []string {
	want, ok := p.Channels[kind]
	if !ok && kind != NotifySyncCompleted {
		want = []string{ChannelEmail, ChannelWebhook}
	}
	var out []string
	for _, c := range want {
		switch {
		case c == ChannelEmail && p.NotifyEmail != "":
			out = append(out, c)
		case c == ChannelWebhook && p.WebhookURL != "" && p.WebhookDisabledAt == nil:
			out = append(out, c)
		}
	}
	return out
}
