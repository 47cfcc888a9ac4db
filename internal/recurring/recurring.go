// Package recurring finds what repeats in a person's money: series of
// charges or deposits from one seller at a steady cadence (bills,
// subscriptions, income), and transfers between their own accounts (an
// outflow from one account and an inflow of the same amount into another a
// few days apart). It is pure: the caller reads the transactions, Detect and
// MatchTransfers decide, and the caller stores the outcome.
//
// Detection groups transactions by seller, currency and direction, splits
// each group into amount bands, and keeps a band whose dates keep a
// cadence: weekly, every two weeks, twice a month, monthly, quarterly or
// yearly. A band that follows another at the same cadence with a different
// price (a subscription that went up) continues the same series.
package recurring

import (
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/tallyhq/tally"
)

// Txn is the part of a transaction detection and matching read.
type Txn struct {
	ID          string
	AccountID   string
	Date        time.Time // the posting day, midnight UTC
	Amount      int64     // minor units; negative means money left the account
	Currency    string
	Merchant    string // the normalized seller name
	Description string // the raw descriptor
	Category    string
	// Manual is set when the user chose the category by hand.
	Manual bool
}

// Cadences.
const (
	Weekly      = "weekly"
	Biweekly    = "biweekly"
	Semimonthly = "semimonthly"
	Monthly     = "monthly"
	Quarterly   = "quarterly"
	Yearly      = "yearly"
)

// Kinds of series.
const (
	KindBill         = "bill"
	KindSubscription = "subscription"
	KindIncome       = "income"
)

// States of a series.
const (
	StateActive = "active" // the next charge is still expected
	StateEnded  = "ended"  // two expected charges did not come
)

// cadence describes one cadence: its nominal length in days, the window an
// interval must fall in to count for it, and how long after the expected
// date a charge is considered missing.
type cadence struct {
	name     string
	days     float64
	min, max int
	grace    int
}

var cadences = []cadence{
	{Weekly, 7, 5, 9, 3},
	{Biweekly, 14, 12, 16, 4},
	{Semimonthly, 365.25 / 24, 10, 20, 4},
	{Monthly, 365.25 / 12, 25, 35, 7},
	{Quarterly, 365.25 / 4, 80, 100, 14},
	{Yearly, 365.25, 350, 380, 30},
}

func cadenceNamed(name string) (cadence, bool) {
	for _, c := range cadences {
		if c.name == name {
			return c, true
		}
	}
	return cadence{}, false
}

// Grace returns how many days after its expected date a charge of cadence
// counts as missing (0 for an unknown cadence).
func Grace(name string) int {
	c, _ := cadenceNamed(name)
	return c.grace
}

// Series is one detected recurring series.
type Series struct {
	// Key names the series stably across runs: seller, currency,
	// direction and cadence (and an ordinal when one seller has two).
	Key        string
	Merchant   string
	Category   string // the latest transaction's
	Currency   string
	Cadence    string
	Kind       string
	Amount     int64 // the latest charge (negative for charges, as stored)
	Previous   int64 // the charge before the latest
	Usual      int64 // the median of the series
	FirstDate  time.Time
	LastDate   time.Time
	NextDate   time.Time // when the next charge is expected
	State      string
	Confidence int // 0-100
	TxnIDs     []string
}

// Count is how many transactions the series has.
func (s *Series) Count() int { return len(s.TxnIDs) }

// Missing reports whether the expected charge is overdue on today: past
// NextDate plus the cadence's grace period.
func (s *Series) Missing(today time.Time) bool { return IsMissing(s.Cadence, s.NextDate, today) }

// IsMissing reports whether a charge of cadence expected on next is overdue
// on today: past next plus the cadence's grace period.
func IsMissing(cadence string, next, today time.Time) bool {
	return daysBetween(next, today) > Grace(cadence)
}

// PriceIncrease reports whether the latest charge is more than 5 % and more
// than one unit of currency above the previous one.
func (s *Series) PriceIncrease() bool {
	return s.Kind != KindIncome && s.Count() >= 2 && IsPriceIncrease(s.Previous, s.Amount, s.Currency)
}

// IsPriceIncrease reports whether a charge of last (minor units, either
// sign) is more than 5 % and more than one unit of currency above prev.
func IsPriceIncrease(prev, last int64, currency string) bool {
	prev, last = abs(prev), abs(last)
	d := last - prev
	return d > unitOf(currency) && d*100 > prev*5
}

func unitOf(currency string) int64 {
	unit := int64(1)
	for range tally.CurrencyExponent(currency) {
		unit *= 10
	}
	return unit
}

// IsUsual reports whether amount is the series' usual amount: within 5 % or
// one unit of currency of its median or of its latest charge.
func (s *Series) IsUsual(amount int64) bool { return IsUsual(amount, s.Usual, s.Amount, s.Currency) }

// IsUsual reports whether amount is within 5 % or one unit of currency of
// usual or of latest.
func IsUsual(amount, usual, latest int64, currency string) bool {
	unit := unitOf(currency)
	near := func(ref int64) bool {
		d := abs(amount - ref)
		return d <= unit || d*100 <= abs(ref)*5
	}
	return near(usual) || near(latest)
}

// MinConfidence is the confidence below which a band is not a series.
const MinConfidence = 60

// Detect returns the recurring series among txns as of today, ordered by
// key. Transfers and transactions without a seller are not considered.
func Detect(txns []Txn, today time.Time) []Series {
	type groupKey struct {
		merchant, currency string
		income             bool
	}
	groups := map[groupKey][]*Txn{}
	for i := range txns {
		t := &txns[i]
		if t.Merchant == "" || t.Amount == 0 || isTransferCategory(t.Category) {
			continue
		}
		k := groupKey{t.Merchant, t.Currency, t.Amount > 0}
		groups[k] = append(groups[k], t)
	}
	var out []Series
	for k, g := range groups {
		if len(g) < 2 {
			continue
		}
		found := detectGroup(g, today)
		ordinal := map[string]int{}
		for i := range found {
			s := &found[i]
			dir := "out"
			if k.income {
				dir = "in"
			}
			s.Key = k.merchant + "|" + k.currency + "|" + dir + "|" + s.Cadence
			ordinal[s.Cadence]++
			if n := ordinal[s.Cadence]; n > 1 {
				s.Key += "#" + strconv.Itoa(n)
			}
			out = append(out, *s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

// detectGroup finds the series of one seller, currency and direction.
func detectGroup(g []*Txn, today time.Time) []Series {
	// Amount bands: sorted by size, a new band starts where the next amount
	// is more than 15 % above the previous one.
	byAmount := slices.Clone(g)
	sort.Slice(byAmount, func(i, j int) bool {
		a, b := abs(byAmount[i].Amount), abs(byAmount[j].Amount)
		if a != b {
			return a < b
		}
		return byAmount[i].Date.Before(byAmount[j].Date)
	})
	var bands [][]*Txn
	start := 0
	for i := 1; i <= len(byAmount); i++ {
		if i == len(byAmount) || abs(byAmount[i].Amount)*100 > abs(byAmount[i-1].Amount)*115 {
			bands = append(bands, byAmount[start:i])
			start = i
		}
	}
	var found []candidate
	used := map[*Txn]bool{}
	for _, b := range bands {
		band := slices.Clone(b)
		sort.Slice(band, func(i, j int) bool { return band[i].Date.Before(band[j].Date) })
		band = onePerDay(band)
		// A seller also paid at other amounts (a store with a membership)
		// shows a series only at a fixed price: a run of similar purchases
		// at a busy seller is no series.
		if len(band)*10 < len(g)*7 && (!within(band, 2) || len(band) < 3) {
			continue
		}
		if c, ok := fit(band); ok {
			found = append(found, c)
			for _, t := range c.txns {
				used[t] = true
			}
		}
	}
	// A price change splits a series into bands; a band (or a lone charge)
	// that continues another at its cadence joins it.
	found = mergeContinuations(found, g, used)
	out := make([]Series, 0, len(found))
	for _, c := range found {
		out = append(out, c.series(today))
	}
	return out
}

// onePerDay keeps the first of several same-day transactions (a double
// charge is not two periods).
func onePerDay(band []*Txn) []*Txn {
	out := band[:0:0]
	for _, t := range band {
		if len(out) > 0 && out[len(out)-1].Date.Equal(t.Date) {
			continue
		}
		out = append(out, t)
	}
	return out
}

type candidate struct {
	cad        cadence
	txns       []*Txn // by date
	confidence int
}

// fit decides whether txns (by date, one per day) keep a cadence.
func fit(txns []*Txn) (candidate, bool) {
	n := len(txns)
	if n < 2 {
		return candidate{}, false
	}
	gaps := make([]int, n-1)
	for i := 1; i < n; i++ {
		gaps[i-1] = daysBetween(txns[i-1].Date, txns[i].Date)
	}
	med := medianInt(gaps)
	var best candidate
	for _, c := range cadences {
		if med < c.min || med > c.max {
			continue
		}
		if c.name == Biweekly || c.name == Semimonthly {
			// Both have gaps near two weeks: every two weeks keeps exactly
			// 14 days, twice a month averages 15.2.
			in, sum := 0, 0
			for _, g := range gaps {
				if g >= 10 && g <= 20 {
					in++
					sum += g
				}
			}
			if in == 0 {
				continue
			}
			mean := float64(sum) / float64(in)
			if (c.name == Biweekly) != (mean < 14.6) {
				continue
			}
		}
		need := 3
		if c.name == Yearly {
			need = 2
		}
		if n < need {
			continue
		}
		// Gaps that fit the cadence, or skip one period (a missed month).
		ok, skipped := 0, 0
		for _, g := range gaps {
			switch {
			case g >= c.min && g <= c.max:
				ok++
			case g >= 2*c.min && g <= 2*c.max:
				skipped++
			}
		}
		frac := (float64(ok) + 0.5*float64(skipped)) / float64(len(gaps))
		conf := int(frac * 100)
		// Few occurrences are weaker evidence.
		if n < 4 {
			conf -= 10 * (4 - n)
			if c.name == Yearly && n == 2 && !within(txns, 1) {
				conf = 0
			}
		}
		// Amounts that wander are weaker evidence too.
		if !steady(txns) {
			conf -= 10
		}
		if conf > best.confidence {
			best = candidate{cad: c, txns: txns, confidence: conf}
		}
	}
	return best, best.confidence >= MinConfidence
}

// steady reports whether amounts stay within 5 % of their median.
func steady(txns []*Txn) bool { return within(txns, 5) }

// within reports whether amounts stay within percent of their median.
func within(txns []*Txn, percent int64) bool {
	vals := make([]int64, len(txns))
	for i, t := range txns {
		vals[i] = abs(t.Amount)
	}
	m := median64(vals)
	for _, v := range vals {
		if abs(v-m)*100 > m*percent {
			return false
		}
	}
	return true
}

// mergeContinuations joins candidates of the same cadence that follow one
// another in time, and then extends each with unused transactions that come
// one period after its last one (a new price charged once so far).
func mergeContinuations(found []candidate, all []*Txn, used map[*Txn]bool) []candidate {
	sort.Slice(found, func(i, j int) bool { return found[i].txns[0].Date.Before(found[j].txns[0].Date) })
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(found) && !merged; i++ {
			for j := 0; j < len(found) && !merged; j++ {
				a, b := found[i], found[j]
				if i == j || a.cad.name != b.cad.name {
					continue
				}
				last, first := a.txns[len(a.txns)-1], b.txns[0]
				if g := daysBetween(last.Date, first.Date); g >= a.cad.min && g <= a.cad.max {
					a.txns = append(slices.Clone(a.txns), b.txns...)
					a.confidence = max(a.confidence, b.confidence)
					found[i] = a
					found = slices.Delete(found, j, j+1)
					merged = true
				}
			}
		}
	}
	rest := make([]*Txn, 0, len(all))
	for _, t := range all {
		if !used[t] {
			rest = append(rest, t)
		}
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].Date.Before(rest[j].Date) })
	for i := range found {
		c := &found[i]
		for _, t := range rest {
			if used[t] {
				continue
			}
			last := c.txns[len(c.txns)-1]
			g := daysBetween(last.Date, t.Date)
			// A new price: within half to double the last charge.
			if g >= c.cad.min && g <= c.cad.max && abs(t.Amount)*2 >= abs(last.Amount) && abs(t.Amount) <= abs(last.Amount)*2 {
				c.txns = append(c.txns, t)
				used[t] = true
			}
		}
	}
	return found
}

func (c candidate) series(today time.Time) Series {
	first, last := c.txns[0], c.txns[len(c.txns)-1]
	vals := make([]int64, len(c.txns))
	ids := make([]string, len(c.txns))
	for i, t := range c.txns {
		vals[i] = t.Amount
		ids[i] = t.ID
	}
	s := Series{
		Merchant: last.Merchant, Category: last.Category, Currency: last.Currency, Cadence: c.cad.name,
		Amount: last.Amount, Previous: last.Amount, Usual: -median64(negAll(vals)),
		FirstDate: first.Date, LastDate: last.Date, Confidence: min(c.confidence, 100), TxnIDs: ids,
	}
	if last.Amount > 0 {
		s.Usual = median64(vals)
	}
	if len(c.txns) > 1 {
		s.Previous = c.txns[len(c.txns)-2].Amount
	}
	s.NextDate = next(c.cad, c.txns)
	s.Kind = kindOf(&s, c.txns)
	s.State = StateOn(c.cad.name, s.NextDate, today)
	return s
}

// StateOn returns the state on today of a series of cadence whose next
// charge was expected on next: ended once two expected charges did not
// come (a period and its grace past next), active before.
func StateOn(cadence string, next, today time.Time) string {
	c, _ := cadenceNamed(cadence)
	if daysBetween(next, today) > int(c.days)+c.grace {
		return StateEnded
	}
	return StateActive
}

// next returns the date the charge after the last of txns is expected.
func next(c cadence, txns []*Txn) time.Time {
	last := txns[len(txns)-1].Date
	switch c.name {
	case Monthly:
		return addMonthsClamped(last, 1)
	case Quarterly:
		return addMonthsClamped(last, 3)
	case Yearly:
		return addMonthsClamped(last, 12)
	case Semimonthly:
		// The same day of month as two charges ago, a month on.
		if len(txns) >= 2 {
			return addMonthsClamped(txns[len(txns)-2].Date, 1)
		}
		return last.AddDate(0, 0, 15)
	}
	return last.AddDate(0, 0, int(c.days))
}

// addMonthsClamped adds months to a date, keeping the day of month but not
// spilling into the month after (January 31 plus one month is February 28).
func addMonthsClamped(t time.Time, months int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(months), 1, 0, 0, 0, 0, time.UTC)
	lastDay := first.AddDate(0, 1, -1).Day()
	return time.Date(first.Year(), first.Month(), min(d, lastDay), 0, 0, 0, 0, time.UTC)
}

// subscriptionCategories are where subscriptions are filed.
var subscriptionCategories = map[string]bool{
	"entertainment": true, "streaming": true, "music": true, "movies_dvds": true, "newspapers_magazines": true,
	"electronics_software": true, "gym": true,
}

// billTops are the top-level categories of bills.
var billTops = map[string]bool{
	"bills_utilities": true, "home": true, "financial": true, "education": true, "taxes": true, "auto_transport": true,
	"health_fitness": true, "kids": true,
}

func kindOf(s *Series, txns []*Txn) string {
	if s.Amount > 0 {
		return KindIncome
	}
	if subscriptionCategories[s.Category] || subscriptionCategories[tally.TopLevel(s.Category)] {
		return KindSubscription
	}
	if billTops[tally.TopLevel(s.Category)] {
		return KindBill
	}
	// A fixed price from an uncategorized seller is more likely a
	// subscription; a varying one a bill.
	if steady(txns) {
		return KindSubscription
	}
	return KindBill
}

func isTransferCategory(id string) bool {
	c, ok := tally.LookupCategory(id)
	return ok && c.Kind == tally.KindTransfer
}

func daysBetween(a, b time.Time) int {
	return int(b.Sub(a).Round(time.Hour).Hours() / 24)
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func negAll(v []int64) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = -x
	}
	return out
}

func medianInt(v []int) int {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

func median64(v []int64) int64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// After returns the date a charge of cadence is expected after one on d.
func After(cadence string, d time.Time) time.Time {
	switch cadence {
	case Weekly:
		return d.AddDate(0, 0, 7)
	case Biweekly:
		return d.AddDate(0, 0, 14)
	case Semimonthly:
		if d.Day() <= 15 {
			return d.AddDate(0, 0, 15)
		}
		return addMonthsClamped(d, 1).AddDate(0, 0, -15)
	case Monthly:
		return addMonthsClamped(d, 1)
	case Quarterly:
		return addMonthsClamped(d, 3)
	}
	return addMonthsClamped(d, 12)
}
