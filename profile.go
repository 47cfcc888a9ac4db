package tally

import (
	"net/mail"
	"slices"
	"sort"
	"strings"
	"time"
)

// ProfileChange is a change to a user's profile: the fields that are set
// change, the rest stay. The webhook address is changed apart, as it needs
// a secret sealed.
type ProfileChange struct {
	MonthlyIncome      *string // a decimal amount in the profile's currency; "" or "0" detects it from paychecks
	TimeZone           *string // an IANA time zone
	NotifyEmail        *string // a plain address; "" turns email off
	ApproachingPercent *int    // 1 to 99
	Channels           *map[string][]string
}

// Apply validates the change and applies it to p. An invalid field is an
// EINVALID error naming the field, and p is then unchanged.
func (c ProfileChange) Apply(p *Profile) error {
	next := *p
	if v := c.MonthlyIncome; v != nil {
		a, err := ParseAmount(*v, p.Currency)
		if *v == "" {
			a, err = 0, nil
		}
		if err != nil || a < 0 {
			return Errorf(EINVALID, `monthly_income %q: want a decimal amount such as "5200.00", or "0" to detect it from paychecks`, *v)
		}
		next.MonthlyIncome = a
	}
	if v := c.TimeZone; v != nil {
		if _, err := time.LoadLocation(*v); err != nil || *v == "" || strings.EqualFold(*v, "local") {
			return Errorf(EINVALID, "time_zone %q: want an IANA time zone such as America/New_York", *v)
		}
		next.TimeZone = *v
	}
	if v := c.NotifyEmail; v != nil {
		if *v != "" {
			a, err := mail.ParseAddress(*v)
			if err != nil || a.Address != *v {
				return Errorf(EINVALID, "notify_email %q: want a plain email address", *v)
			}
		}
		next.NotifyEmail = *v
	}
	if v := c.ApproachingPercent; v != nil {
		if *v < 1 || *v > 99 {
			return Errorf(EINVALID, "approaching_percent %d: want 1 to 99", *v)
		}
		next.ApproachingPercent = *v
	}
	if v := c.Channels; v != nil {
		ch := map[string][]string{}
		for kind, list := range *v {
			if !slices.Contains(NotificationKinds, kind) {
				return Errorf(EINVALID, "channels: %q is not a notification kind; want one of %s", kind, strings.Join(NotificationKinds, ", "))
			}
			out := []string{}
			for _, c := range list {
				switch c {
				case ChannelInbox:
					// Always on.
				case ChannelEmail, ChannelWebhook:
					out = append(out, c)
				default:
					return Errorf(EINVALID, "channels.%s: %q is not a channel; want inbox, email or webhook", kind, c)
				}
			}
			sort.Strings(out)
			ch[kind] = out
		}
		next.Channels = ch
	}
	*p = next
	return nil
}
