package tally_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

func TestProfileChange(t *testing.T) {
	t.Parallel()
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	base := tally.Profile{Currency: "JPY", TimeZone: "UTC", ApproachingPercent: 80}

	p := base
	ch := map[string][]string{tally.NotifyBudgetExceeded: {"webhook", "inbox", "email"}}
	err := tally.ProfileChange{MonthlyIncome: str("520000"), TimeZone: str("Asia/Tokyo"), NotifyEmail: str("ken@example.com"),
		ApproachingPercent: num(90), Channels: &ch}.Apply(&p)
	if err != nil {
		t.Fatal(err)
	}
	want := base
	want.MonthlyIncome, want.TimeZone, want.NotifyEmail, want.ApproachingPercent = 520000, "Asia/Tokyo", "ken@example.com", 90
	want.Channels = map[string][]string{tally.NotifyBudgetExceeded: {"email", "webhook"}}
	if !reflect.DeepEqual(p, want) {
		t.Fatalf("got %+v, want %+v", p, want)
	}

	for _, tc := range []struct {
		name   string
		change tally.ProfileChange
		field  string
	}{
		{"negative income", tally.ProfileChange{MonthlyIncome: str("-5")}, "monthly_income"},
		{"local time", tally.ProfileChange{TimeZone: str("Local")}, "time_zone"},
		{"unknown zone", tally.ProfileChange{TimeZone: str("Mars/Olympus")}, "time_zone"},
		{"display-name address", tally.ProfileChange{NotifyEmail: str("Ken <ken@example.com>")}, "notify_email"},
		{"percent", tally.ProfileChange{ApproachingPercent: num(100)}, "approaching_percent"},
		{"kind", tally.ProfileChange{Channels: &map[string][]string{"nope": nil}}, "channels"},
		{"channel", tally.ProfileChange{Channels: &map[string][]string{tally.NotifyBudgetExceeded: {"sms"}}}, "channels"},
	} {
		p := base
		err := tc.change.Apply(&p)
		if tally.ErrorCode(err) != tally.EINVALID || !strings.Contains(tally.ErrorMessage(err), tc.field) {
			t.Errorf("%s: got %v, want invalid naming %s", tc.name, err, tc.field)
		}
		if !reflect.DeepEqual(p, base) {
			t.Errorf("%s: a refused change changed the profile to %+v", tc.name, p)
		}
	}
}
