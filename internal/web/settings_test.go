package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// Every kind of alert the settings page offers is named in words, not by
// its internal key.
func TestSettingsNamesEveryAlertKind(t *testing.T) {
	t.Parallel()
	e, _ := site(t)
	status, page := e.get("/settings")
	if status != http.StatusOK {
		t.Fatalf("GET /settings: %d", status)
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(pageText(page), " ") // what a reader sees
	for _, k := range tally.NotificationKinds {
		if strings.Contains(text, k) {
			t.Errorf("the settings page shows the alert kind %q as its key", k)
		}
	}
}
