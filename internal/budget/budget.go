// Package budget recommends a monthly budget per spending category and
// checks a month's spending against it. It is pure: the caller reads the
// monthly totals, the manual overrides and the profile, and Plan returns
// every budgeted category with its amount, where the amount came from,
// what was spent and whether an alert is due.
//
// Budgets are keyed by category id, top-level ("food_dining") or
// subcategory ("groceries"). Each transaction counts towards the most
// specific budgeted category on its path, so a "groceries" budget and a
// "food_dining" budget never count the same purchase twice.
package budget

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// Sources of a budget's amount.
const (
	SourceTemplate = "template" // a share of monthly income
	SourceHistory  = "history"  // the median of recent complete months
	SourceManual   = "manual"   // set by the user
)

// Statuses of a month's spending against a budget.
const (
	StatusUnder       = "under"
	StatusApproaching = "approaching"
	StatusExceeded    = "exceeded"
)

// Notification kinds a check can raise.
const (
	KindApproaching = "budget_approaching"
	KindExceeded    = "budget_exceeded"
	KindProjected   = "budget_projected"
)

// DefaultApproachingPercent is when a budget is approaching, unless the user
// chooses otherwise.
const DefaultApproachingPercent = 80

// HistoryMonths is how many recent complete months recommendations read;
// MinHistoryMonths is how many a user needs before history replaces the
// income template.
const (
	HistoryMonths    = 6
	MinHistoryMonths = 3
)

// Template is the income-based seed budget: each bucket's category and share
// of monthly income in percent. Housing is rent or mortgage only (the rest
// of "home" is an ordinary category); food, shopping are whole subtrees; gas
// is fuel only. OtherPercent is spread evenly over the other top-level
// spending categories the user uses.
var Template = []struct {
	Category string
	Percent  int64
}{
	{"rent_mortgage", 40},
	{"food_dining", 20},
	{"gas_fuel", 10},
	{"shopping", 20},
}

// OtherPercent is the share of income left for the other categories.
const OtherPercent = 10

// Input is what Plan needs; the caller reads it in a few indexed queries.
type Input struct {
	Month    string // "YYYY-MM" being checked
	Currency string // budgets and spending in this currency only
	// Today is the current date in the user's time zone; it decides how much
	// of Month has passed for projections.
	Today time.Time
	// Totals are Month's monthly totals.
	Totals []tally.MonthlyTotal
	// History are the totals of the complete months before Month that
	// recommendations read (at most HistoryMonths), and Months lists those
	// months, so a month with no spending in a category counts as zero.
	History []tally.MonthlyTotal
	Months  []string
	// Income is the profile's monthly income in minor units; 0 means detect
	// it from paychecks in History.
	Income int64
	// Manual are the user's overrides by category.
	Manual map[string]int64
	// ApproachingPercent is the approaching threshold; 0 means the default.
	ApproachingPercent int

	// Rollover are the categories whose leftover (or overspending) carries
	// into the next month, by category.
	Rollover map[string]Rollover
	// Past are the totals of the months a rollover carries from: from the
	// earliest Since (at most MaxRolloverMonths back) to the month before
	// Month.
	Past []tally.MonthlyTotal
	// Paid are this month's payments of expected recurring bills at their
	// usual amount: they do not raise alerts on a budget made from history.
	Paid []Payment
}

// Rollover is a budget's rollover mode and the month it was turned on.
type Rollover struct {
	Mode  string // tally.RolloverSurplus or tally.RolloverSurplusAndDeficit
	Since string // "YYYY-MM": the first month whose leftover carries
}

// Payment is an expected recurring charge paid at its usual amount.
type Payment struct {
	Category string
	Currency string
	Amount   int64 // spent, positive
}

// MaxRolloverMonths is how many past months a rollover carries from.
const MaxRolloverMonths = 12

// StatusPaid is the status of a budget whose spending so far is expected
// bills paid at their usual amounts, which would otherwise read as
// approaching or exceeded.
const StatusPaid = "paid"

// Line is one budgeted category in a month.
type Line struct {
	Category  string
	Amount    int64
	Source    string
	Spent     int64
	Remaining int64 // Amount - Spent, negative when over
	Percent   int64 // Spent as a percentage of Amount
	Status    string
	Projected bool  // month-to-date pace exceeds Amount before month end
	Pace      int64 // spending the pace leads to by month end

	Rollover  string // tally.RolloverNone, RolloverSurplus or RolloverSurplusAndDeficit
	Carried   int64  // carried from past months (negative: overspending carried)
	Available int64  // Amount + Carried: what status and alerts measure against
	Paid      int64  // expected bills paid at their usual amount this month
}

// Alerts returns the notification kinds this line calls for.
func (l Line) Alerts() []string {
	switch {
	case l.Status == StatusExceeded:
		// A budget found already exceeded (one big purchase, a first sync)
		// gets the one alert that matters, not a warning and the news at
		// once.
		return []string{KindExceeded}
	case l.Status == StatusApproaching && l.Projected:
		return []string{KindApproaching, KindProjected}
	case l.Status == StatusApproaching:
		return []string{KindApproaching}
	case l.Projected:
		return []string{KindProjected}
	}
	return nil
}

// DetectIncome returns the median monthly paycheck income over months (0
// when there are none).
func DetectIncome(history []tally.MonthlyTotal, months []string, currency string) int64 {
	if len(months) == 0 {
		return 0
	}
	by := map[string]int64{}
	for _, t := range history {
		if t.Category == "paycheck" && t.Currency == currency {
			by[t.Month] += t.Amount
		}
	}
	vals := make([]int64, 0, len(months))
	for _, m := range months {
		vals = append(vals, max(by[m], 0))
	}
	return median(vals)
}

// assigner maps a transaction category to the budget it counts towards.
type assigner map[string]bool

func (a assigner) bucket(category string) (string, bool) {
	if a[category] {
		return category, true
	}
	if top := tally.TopLevel(category); a[top] {
		return top, true
	}
	return "", false
}

type spend struct{ amount, count int64 }

// spentBy sums spending (negated expense amounts) per budget.
func (a assigner) spentBy(totals []tally.MonthlyTotal, currency string) map[string]map[string]spend {
	out := map[string]map[string]spend{} // month -> bucket -> spend
	for _, t := range totals {
		if t.Currency != currency || !tally.IsSpending(t.Category) {
			continue
		}
		b, ok := a.bucket(t.Category)
		if !ok {
			continue
		}
		m := out[t.Month]
		if m == nil {
			m = map[string]spend{}
			out[t.Month] = m
		}
		s := m[b]
		s.amount += -t.Amount
		s.count += t.Count
		m[b] = s
	}
	return out
}

// Plan returns the month's budgets, largest first: manual overrides, and for
// the other categories a recommendation from history when the user has
// MinHistoryMonths complete months, from the income template otherwise.
func Plan(in Input) []Line {
	threshold := int64(in.ApproachingPercent)
	if threshold <= 0 || threshold > 100 {
		threshold = DefaultApproachingPercent
	}
	// Which categories get a budget: the template's, every top-level spending
	// category used in the window or this month, and the manual ones.
	set := assigner{}
	for _, b := range Template {
		set[b.Category] = true
	}
	for _, c := range tally.Categories() {
		if c.Parent == "" && c.Kind == tally.KindExpense {
			set[c.ID] = true
		}
	}
	used := map[string]bool{}
	all := append(append([]tally.MonthlyTotal(nil), in.History...), in.Totals...)
	for _, m := range set.spentBy(all, in.Currency) {
		for b, s := range m {
			if s.amount > 0 {
				used[b] = true
			}
		}
	}
	for c := range in.Manual {
		set[c] = true
	}

	amounts := map[string]int64{}
	sources := map[string]string{}
	if len(in.Months) >= MinHistoryMonths {
		hist := set.spentBy(in.History, in.Currency)
		for b := range set {
			vals := make([]int64, 0, len(in.Months))
			for _, m := range in.Months {
				vals = append(vals, max(hist[m][b].amount, 0))
			}
			if v := Round(median(vals)); v > 0 {
				amounts[b], sources[b] = v, SourceHistory
			}
		}
	} else {
		income := in.Income
		if income <= 0 {
			income = DetectIncome(in.History, in.Months, in.Currency)
		}
		if income > 0 {
			tmpl := map[string]bool{}
			for _, b := range Template {
				tmpl[b.Category] = true
				amounts[b.Category], sources[b.Category] = Round(income*b.Percent/100), SourceTemplate
			}
			var others []string
			for b := range used {
				if !tmpl[b] {
					others = append(others, b)
				}
			}
			for _, b := range others {
				amounts[b], sources[b] = Round(income*OtherPercent/100/int64(len(others))), SourceTemplate
			}
		}
	}
	for c, v := range in.Manual {
		amounts[c], sources[c] = v, SourceManual
	}

	// This month's spending against the final set of budgets.
	final := assigner{}
	for c := range amounts {
		final[c] = true
	}
	now := final.spentBy(in.Totals, in.Currency)[in.Month]
	elapsed, days := progress(in.Month, in.Today)

	past := final.spentBy(in.Past, in.Currency)
	paid := map[string]int64{}
	for _, p := range in.Paid {
		if b, ok := final.bucket(p.Category); ok && p.Currency == in.Currency && tally.IsSpending(p.Category) {
			paid[b] += p.Amount
		}
	}

	out := make([]Line, 0, len(amounts))
	for c, amount := range amounts {
		s := now[c]
		l := Line{Category: c, Amount: amount, Source: sources[c], Spent: s.amount, Status: StatusUnder, Rollover: tally.RolloverNone}
		if r, ok := in.Rollover[c]; ok && r.Mode != tally.RolloverNone && r.Mode != "" {
			l.Rollover = r.Mode
			l.Carried = carried(r, in.Month, amount, past, c)
		}
		avail := amount + l.Carried
		l.Available, l.Remaining = avail, avail-s.amount
		if avail > 0 {
			l.Percent = s.amount * 100 / avail
		}
		// Expected bills paid at their usual amount are no news on a budget
		// made from their own history: status measures the rest of the
		// spending against the rest of the budget.
		spent, budget, count := s.amount, avail, s.count
		if l.Source == SourceHistory && paid[c] > 0 {
			l.Paid = min(paid[c], s.amount)
			spent, budget = s.amount-l.Paid, avail-l.Paid
			count = 0 // the pace of bills is no pace
		}
		switch {
		case spent <= 0:
		case budget <= 0 || spent >= budget:
			l.Status = StatusExceeded
		case spent*100 >= budget*threshold:
			l.Status = StatusApproaching
		}
		if l.Status == StatusUnder && l.Paid > 0 && avail > 0 && s.amount*100 >= avail*threshold {
			l.Status = StatusPaid
		}
		// A pace needs a week of the month and a few purchases: rent paid on
		// the first is not a pace.
		if l.Status != StatusExceeded && elapsed >= 7 && elapsed < days && count >= 3 && spent > 0 {
			l.Pace = spent * int64(days) / int64(elapsed)
			l.Projected = l.Pace > budget
			if l.Paid > 0 {
				l.Pace += l.Paid
			}
		}
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Amount != out[j].Amount {
			return out[i].Amount > out[j].Amount
		}
		return out[i].Category < out[j].Category
	})
	return out
}

// carried is what a rollover brings into month for budget c of amount:
// each month from r.Since (at most MaxRolloverMonths back) to the one
// before month leaves amount plus what it carried minus what it spent;
// surplus carries only what is left over, never a deficit.
func carried(r Rollover, month string, amount int64, past map[string]map[string]spend, c string) int64 {
	start, err := time.Parse(tally.MonthLayout, month)
	if err != nil {
		return 0
	}
	first := start.AddDate(0, -MaxRolloverMonths, 0)
	if since, err := time.Parse(tally.MonthLayout, r.Since); err == nil && since.After(first) {
		first = since
	}
	var carry int64
	for m := first; m.Before(start); m = m.AddDate(0, 1, 0) {
		left := amount + carry - past[m.Format(tally.MonthLayout)][c].amount
		if r.Mode == tally.RolloverSurplus && left < 0 {
			left = 0
		}
		carry = left
	}
	return carry
}

// progress returns how many days of month have passed by today (today
// included) and the month's length; elapsed is 0 before the month and days
// after it.
func progress(month string, today time.Time) (elapsed, days int) {
	start, err := time.Parse(tally.MonthLayout, month)
	if err != nil {
		return 0, 0
	}
	days = start.AddDate(0, 1, -1).Day()
	y, m, d := today.Date()
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	switch {
	case t.Before(start):
		return 0, days
	case !t.Before(start.AddDate(0, 1, 0)):
		return days, days
	}
	return d, days
}

func median(vals []int64) int64 {
	if len(vals) == 0 {
		return 0
	}
	s := append([]int64(nil), vals...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Round rounds a recommended amount (minor units of a two-decimal currency)
// up to a figure a person would pick: $5 steps under $100, $10 under $1,000,
// $25 above.
func Round(v int64) int64 {
	if v <= 0 {
		return 0
	}
	step := int64(2500)
	switch {
	case v < 10000:
		step = 500
	case v < 100000:
		step = 1000
	}
	return (v + step - 1) / step * step
}

// Message is the sentence a person reads for an alert of kind about line.
func Message(kind string, l Line, month, currency string) string {
	name := l.Category
	if c, ok := tally.LookupCategory(l.Category); ok {
		name = c.Name
	}
	monthName := month
	if t, err := time.Parse(tally.MonthLayout, month); err == nil {
		monthName = t.Month().String()
	}
	spent, amount := Money(l.Spent, currency), Money(l.Amount, currency)
	if l.Carried != 0 {
		amount = Money(l.Available, currency)
	}
	switch kind {
	case KindExceeded:
		if l.Remaining == 0 {
			return fmt.Sprintf("You've reached your %s %s budget for %s (%d %%).", amount, name, monthName, l.Percent)
		}
		return fmt.Sprintf("You've spent %s of your %s %s budget for %s (%d %%): %s over.", spent, amount, name, monthName, l.Percent, Money(-l.Remaining, currency))
	case KindProjected:
		return fmt.Sprintf("At this pace you will spend about %s of your %s %s budget for %s; so far %s (%d %%).", Money(l.Pace, currency), amount, name, monthName, spent, l.Percent)
	}
	return fmt.Sprintf("You've spent %s of your %s %s budget for %s (%d %%).", spent, amount, name, monthName, l.Percent)
}

// Money renders an amount in whole units for messages: "$412" for dollars,
// "412 EUR" otherwise; cents are kept only when the amount has them and is
// under ten units.
func Money(minor int64, currency string) string {
	s := tally.FormatAmount(minor, currency)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		whole, _ := strconv.ParseInt(s[:i], 10, 64)
		if whole >= 10 || whole <= -10 || strings.Trim(s[i+1:], "0") == "" {
			// Round half up to whole units.
			exp := int64(1)
			for range tally.CurrencyExponent(currency) {
				exp *= 10
			}
			s = strconv.FormatInt((minor+exp/2)/exp, 10)
			if minor < 0 {
				s = strconv.FormatInt(-((-minor + exp/2) / exp), 10)
			}
		}
	}
	s = groupThousands(s)
	if currency == "USD" {
		if strings.HasPrefix(s, "-") {
			return "-$" + s[1:]
		}
		return "$" + s
	}
	return s + " " + currency
}

// groupThousands puts commas between groups of three digits of a decimal
// string's whole part: "1800" is "1,800", "-12345.50" is "-12,345.50".
func groupThousands(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if hasFrac {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return sign + b.String()
}
