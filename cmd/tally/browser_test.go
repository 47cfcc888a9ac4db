package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/tallyhq/tally"
)

// browserPath finds Debian's chromium on PATH; tests that need it skip
// without it (.ci/run installs it with apt-get).
func browserPath() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser drives one headless chromium tab.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	path := browserPath()
	if path == "" {
		t.Skip("no chromium or chromium-browser on PATH; install Debian's chromium to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1440, 900),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return &browser{t: t, ctx: ctx, base: base}
}

// do runs actions in order and fails the test at the first error.
func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	for _, a := range actions {
		if _, err := chromedp.Run(b.ctx, a); err != nil {
			b.t.Fatalf("%s: %v", what, err)
		}
	}
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path), chromedp.WaitReady("body"))
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(sel))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// download clicks a download link on the page at path and returns the
// file the browser saved once it reports the download complete.
func (b *browser) download(path, link string) string {
	b.t.Helper()
	dir := b.t.TempDir()
	progress := chromedp.Events(b.ctx, cdpbrowser.DownloadProgress)
	events := true
	b.open(path)
	b.do("download "+link, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &events,
		})
		return err
	}), chromedp.Click(link))
	for ev, err := range progress {
		if err != nil {
			b.t.Fatalf("download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			b.t.Fatal("the download was canceled")
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			data, err := os.ReadFile(filepath.Join(dir, ev.GUID))
			if err != nil {
				b.t.Fatal(err)
			}
			return string(data)
		}
	}
	b.t.Fatal("the download never completed")
	return ""
}

// submit clicks a submit button and waits for the page the redirect
// shows, which carries a flash message.
func (b *browser) submit(button string) string {
	b.t.Helper()
	b.do("submit "+button, chromedp.Click(button), chromedp.WaitVisible(".flash"))
	return b.text(".flash")
}

// TestBrowserNewUser walks through Tally in a real browser as a new user:
// sign up, link the demo bank, search, recategorize with a rule, go over a
// budget and find the alert, import a file, make and revoke an API token,
// and export CSV; then it checks every page at phone and desktop widths.
func TestBrowserNewUser(t *testing.T) {
	t.Parallel()
	if browserPath() == "" {
		t.Skip("no chromium or chromium-browser on PATH; install Debian's chromium to run the browser tests")
	}
	m := startMain(t, true)
	b := newBrowser(t, m.URL())
	ctx := context.Background()

	// Sign up.
	b.open("/signup")
	b.do("sign up", chromedp.SendKeys("#email", "newcomer@example.com"), chromedp.SendKeys("#password", "correct horse battery"),
		chromedp.SendKeys("#password_confirm", "correct horse battery"))
	if flash := b.submit(`form[action="/signup"] button[type=submit]`); !strings.Contains(flash, "Welcome to Tally") {
		t.Fatalf("after sign-up: %q", flash)
	}
	u, _, err := m.Store.UserByEmail(ctx, "newcomer@example.com")
	if err != nil {
		t.Fatal(err)
	}

	// Link the demo bank through the form and wait for its first sync.
	b.open("/accounts")
	b.do("link form", chromedp.SendKeys("#ofx-url", m.URL()+"/demobank/ofx"), chromedp.SendKeys("#ofx-login", "newcomer"), chromedp.SendKeys("#ofx-password", "hunter22"))
	if flash := b.submit(`form[action="/accounts/link"] button[type=submit]`); !strings.Contains(flash, "Linked") {
		t.Fatalf("after linking: %q", flash)
	}
	want := bankCount("newcomer")
	eventually(t, time.Minute, "the first sync", func() bool {
		txns, _, err := m.Store.Transactions(ctx, u.ID, tally.TransactionFilter{Limit: 1, Month: ""})
		if err != nil || len(txns) == 0 {
			return false
		}
		conns, _ := m.Store.Connections(ctx, u.ID)
		return len(conns) == 1 && conns[0].Status == tally.StatusActive
	})
	t.Logf("the bank has %d transactions for this login", want)

	// Find a merchant by search and file it elsewhere, for every one of its
	// transactions.
	merchant, target := pickMerchant(t, m, u.ID)
	b.open("/transactions")
	b.do("search", chromedp.SendKeys("#q", merchant), chromedp.Click(`form[role=search] button[type=submit]`),
		// The "Clear" link is only on a filtered page, so this waits for the
		// answer rather than finding the table of the page before it.
		chromedp.WaitVisible(`form[role=search] a[href="/transactions"]`), chromedp.WaitVisible("table.txns"))
	rows := eval[int](b, `document.querySelectorAll("table.txns tbody tr").length`)
	if rows == 0 || !strings.Contains(b.text("table.txns"), merchant) {
		t.Fatalf("searching %q found %d rows", merchant, rows)
	}
	b.do("open the category form", chromedp.Click(`table.txns tbody tr a.tag`), chromedp.WaitVisible(`tr.txn-edit select`))
	b.do("choose the category", chromedp.SetValue(`tr.txn-edit select`, target), chromedp.Click(`tr.txn-edit input[name=apply]`))
	flash := b.submit(`tr.txn-edit button[type=submit]`)
	if !strings.Contains(flash, "New rule") || !strings.Contains(flash, "other transaction") {
		t.Fatalf("after recategorizing: %q", flash)
	}
	targetName := categoryLabel(target)
	cells := eval[[]string](b, `[...document.querySelectorAll('table.txns td[data-label=Category] > span')].map(e => e.firstChild.textContent.trim())`)
	for _, c := range cells {
		if c != targetName {
			t.Fatalf("after the rule a %s row shows %q, want %q", merchant, c, targetName)
		}
	}
	all, _, err := m.Store.Transactions(ctx, u.ID, tally.TransactionFilter{Query: merchant, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Merchant == merchant && x.Category != target {
			t.Fatalf("%s on %s is still %s", merchant, x.PostedOn.Format(tally.DateLayout), x.Category)
		}
	}
	b.open("/rules")
	if s := b.text("main"); !strings.Contains(s, merchant) || !strings.Contains(s, targetName) {
		t.Fatalf("/rules lacks the new rule: %s", s)
	}

	// Upload a statement file and read its report.
	file := filepath.Join(t.TempDir(), "cash.csv")
	// Dated today, so this month has spending to go over a budget with
	// whatever day the test runs.
	today := time.Now().UTC().Format(tally.DateLayout)
	statement := "Date,Description,Amount\n" + today + ",SQ *BLUE BOTTLE COFFEE,-12.00\n" + today + ",BAKERY,-4.50\n" + today + ",Broken,abc\n"
	if err := os.WriteFile(file, []byte(statement), 0o600); err != nil {
		t.Fatal(err)
	}
	b.open("/imports")
	b.do("choose the file", chromedp.SetUploadFiles("#file", []string{file}))
	if flash := b.submit(`form[enctype="multipart/form-data"] button[type=submit]`); !strings.Contains(flash, "File received") {
		t.Fatalf("after the upload: %q", flash)
	}
	eventually(t, time.Minute, "the import", func() bool {
		imps, err := m.Store.Imports(ctx, u.ID, 1)
		return err == nil && len(imps) == 1 && imps[0].Status == tally.ImportDone
	})
	b.open("/imports")
	report := b.text("table.imports")
	for _, w := range []string{"cash.csv", "done", "Line 4"} {
		if !strings.Contains(report, w) {
			t.Fatalf("the import report lacks %q: %s", w, report)
		}
	}

	// Set a budget below this month's spending and find its alert.
	category, spent := pickSpending(t, m, u)
	b.open("/budgets")
	b.do("add a budget", chromedp.SetValue("#new-category", category), chromedp.SendKeys("#new-amount", "1.00"))
	if flash := b.submit(`form[action="/budgets/new"] button[type=submit]`); !strings.Contains(flash, "budget set to $1.00") {
		t.Fatalf("after setting the budget: %q", flash)
	}
	eventually(t, time.Minute, "the budget alert", func() bool {
		ns, _, _, err := m.Store.Notifications(ctx, u.ID, "", 50)
		if err != nil {
			return false
		}
		for _, n := range ns {
			if n.Category == category && n.Kind == tally.NotifyBudgetExceeded {
				return true
			}
		}
		return false
	})
	b.open("/alerts")
	if s := b.text("main"); !strings.Contains(s, categoryLabel(category)) {
		t.Fatalf("/alerts lacks the %s alert (spent %d): %s", category, spent, s)
	}

	// Create an API token, export CSV and compare it with the API, then
	// revoke the token.
	b.open("/settings")
	b.do("name the token", chromedp.SendKeys("#token-name", "browser test"), chromedp.Click(`form[action="/settings/tokens"] button[type=submit]`), chromedp.WaitVisible("#new-token"))
	token := strings.TrimSpace(b.text("#new-token"))
	api := &client{t: t, base: m.URL(), token: token}
	page := api.must(200, "GET", "/api/v1/transactions?limit=100", nil)["transactions"].([]any)
	raw := b.download("/transactions", `a[href^="/transactions.csv"]`)
	records, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if total := len(api.allTransactions("")); len(records)-1 != total {
		t.Fatalf("the CSV has %d rows, the API %d transactions", len(records)-1, total)
	}
	for i, x := range page {
		tx, rec := x.(map[string]any), records[i+1]
		if rec[0] != tx["id"] || rec[1] != tx["posted_on"] || rec[8] != tx["amount"] || rec[6] != tx["category"] || rec[4] != tx["description"] {
			t.Fatalf("CSV row %d %v differs from the API's %v", i+1, rec, tx)
		}
	}
	b.open("/settings")
	if flash := b.submit(`form[action^="/settings/tokens/"] button[type=submit]`); !strings.Contains(flash, "Token revoked") {
		t.Fatalf("after revoking: %q", flash)
	}
	if status, _ := api.do("GET", "/api/v1/accounts", nil); status != http.StatusUnauthorized {
		t.Fatalf("a revoked token got %d, want 401", status)
	}

	// Every page fits a phone, and screenshots for people to look at.
	txn := all[0].ID
	pages := []struct{ name, path string }{
		{"dashboard", "/"}, {"accounts", "/accounts"}, {"transactions", "/transactions"}, {"transaction", "/transactions/" + txn},
		{"transactions-edit", "/transactions?edit=" + txn}, {"rules", "/rules"}, {"budgets", "/budgets"}, {"trends", "/trends"},
		{"trends-category", "/trends?category=food_dining"}, {"alerts", "/alerts"}, {"settings", "/settings"}, {"imports", "/imports"},
		{"recurring", "/recurring"}, {"investments", "/investments"},
		{"remove-connection", "/connections/" + firstConnection(t, m, u.ID) + "/remove"}, {"not-found", "/no-such-page"},
	}
	shoot(b, pages)
	b.open("/")
	b.do("sign out", chromedp.Click(`form[action="/signout"] button`), chromedp.WaitVisible(`form[action="/signin"]`))
	shoot(b, []struct{ name, path string }{{"signin", "/signin"}, {"signup", "/signup"}})
}

// shoot checks that every page is no wider than a 390 px phone and saves
// full-page screenshots at 390x844 and 1440x900 into $TALLY_SCREENSHOTS.
func shoot(b *browser, pages []struct{ name, path string }) {
	b.t.Helper()
	dir := os.Getenv("TALLY_SCREENSHOTS")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.t.Fatal(err)
		}
	}
	for _, size := range [][2]int64{{390, 844}, {1440, 900}} {
		b.do("viewport", chromedp.EmulateViewport(size[0], size[1]))
		for _, p := range pages {
			b.open(p.path)
			if size[0] == 390 {
				if w := eval[int64](b, `document.documentElement.scrollWidth`); w > size[0] {
					b.t.Errorf("%s is %d px wide on a %d px phone", p.path, w, size[0])
				}
			}
			if dir == "" {
				continue
			}
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				b.t.Fatalf("screenshot of %s: %v", p.path, err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.png", p.name, size[0])), png, 0o644); err != nil {
				b.t.Fatal(err)
			}
		}
	}
}

// pickMerchant returns the user's most frequent merchant that the seller
// dictionary knows, and a category it is not in.
func pickMerchant(t *testing.T, m *Main, userID string) (string, string) {
	t.Helper()
	txns, _, err := m.Store.Transactions(context.Background(), userID, tally.TransactionFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	cats := map[string]string{}
	for _, x := range txns {
		if x.CategorySource == tally.SourceDictionary && x.Amount < 0 && tally.IsSpending(x.Category) {
			counts[x.Merchant]++
			cats[x.Merchant] = x.Category
		}
	}
	var names []string
	for n, c := range counts {
		if c >= 3 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		t.Fatal("the demo bank gave no merchant with three transactions")
	}
	sort.Slice(names, func(i, j int) bool {
		return counts[names[i]] > counts[names[j]] || counts[names[i]] == counts[names[j]] && names[i] < names[j]
	})
	target := "restaurants"
	if cats[names[0]] == target {
		target = "groceries"
	}
	return names[0], target
}

// pickSpending returns a spending category with money spent this month
// and no alert yet.
func pickSpending(t *testing.T, m *Main, u *tally.User) (string, int64) {
	t.Helper()
	ctx := context.Background()
	month := time.Now().In(u.Location()).Format(tally.MonthLayout)
	totals, err := m.Store.MonthlyTotals(ctx, u.ID, month)
	if err != nil {
		t.Fatal(err)
	}
	ns, _, _, err := m.Store.Notifications(ctx, u.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	alerted := map[string]bool{}
	for _, n := range ns {
		alerted[n.Category] = true
	}
	budgets, err := m.Store.Budgets(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range totals {
		if tally.IsSpending(x.Category) && -x.Amount > 100 && !alerted[x.Category] && budgets[x.Category] == 0 {
			return x.Category, -x.Amount
		}
	}
	t.Fatalf("no spending this month (%s) to go over a budget with: %v", month, totals)
	return "", 0
}

func firstConnection(t *testing.T, m *Main, userID string) string {
	t.Helper()
	conns, err := m.Store.Connections(context.Background(), userID)
	if err != nil || len(conns) == 0 {
		t.Fatalf("connections: %v %v", conns, err)
	}
	return conns[0].ID
}

func categoryLabel(id string) string {
	if c, ok := tally.LookupCategory(id); ok {
		return c.Name
	}
	return id
}
