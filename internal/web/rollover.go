package web

import (
	"net/url"

	"github.com/tallyhq/tally"
)

// rolloverValue reads a budget form's rollover choice: nil when the form
// has none (the setting stays), false when it names no mode.
func rolloverValue(form url.Values) (*string, bool) {
	if _, ok := form["rollover"]; !ok {
		return nil, true
	}
	v := form.Get("rollover")
	switch v {
	case tally.RolloverNone, tally.RolloverSurplus, tally.RolloverSurplusAndDeficit:
		return &v, true
	}
	return nil, false
}
