package demobank

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/ofx"
)

// InsightPrefix starts the logins whose history is the labeled set for
// recurring detection and transfer matching: subscriptions that change
// price, bills that stop, pay every two weeks, sellers visited irregularly
// that are no series, transfers between the login's accounts one to four
// days apart, and look-alikes that are not transfers. InsightHistory
// returns the same history with what is true about it. Other logins'
// histories do not change.
const InsightPrefix = "insight-"

// IsInsightLogin reports whether login gets the labeled history.
func IsInsightLogin(login string) bool {
	return strings.HasPrefix(strings.ToLower(login), InsightPrefix)
}

// LabeledSeries is a true recurring series of a labeled history.
type LabeledSeries struct {
	Name    string
	Cadence string // weekly, biweekly, monthly, quarterly, yearly
	Kind    string // bill, subscription or income
	Ended   bool   // it stopped before now
	FITIDs  []string
}

// LabeledTransfer is a true transfer between two of the login's accounts.
type LabeledTransfer struct {
	Out, In string // FITIDs
	Lag     int    // days between them
}

// InsightLabels is what is true about a labeled history.
type InsightLabels struct {
	Series    []LabeledSeries
	Transfers []LabeledTransfer
	// Irregular are sellers visited often but at no cadence.
	Irregular []string
	// LookAlikes are pairs of an outflow and an inflow of the same amount
	// in two accounts a few days apart that are not transfers.
	LookAlikes [][2]string
}

// insightGen builds a labeled history.
type insightGen struct {
	p      *profile
	lines  [numAccounts][]ofx.Transaction
	seq    int
	labels InsightLabels
	series map[string]*LabeledSeries
}

func (g *insightGen) add(k int, d civil, amount int64, typ, desc string) string {
	g.seq++
	id := fmt.Sprintf("L%d%06d%05d", k, int64(d), g.seq)
	tx := ofx.Transaction{Type: typ, Posted: d.postedAt(), Amount: amount, FITID: id}
	setName(&tx, desc)
	g.lines[k] = append(g.lines[k], tx)
	return id
}

func (g *insightGen) charge(name, cadence, kind string, k int, d civil, amount int64, typ, desc string) {
	s := g.series[name]
	if s == nil {
		s = &LabeledSeries{Name: name, Cadence: cadence, Kind: kind}
		g.series[name] = s
	}
	s.FITIDs = append(s.FITIDs, g.add(k, d, amount, typ, desc))
}

// InsightHistory returns the labeled history of login up to now: the
// statements of its four accounts (whole history, ledger balances at now)
// and the labels.
func InsightHistory(login string, now time.Time) ([]ofx.Statement, *InsightLabels) {
	g := &insightGen{p: newProfile(login), series: map[string]*LabeledSeries{}}
	r := newRng(hashString(login), 77)
	first, last := dayOf(HistoryStart(now)), dayOf(now)
	if now.Before(last.postedAt()) {
		last-- // today's lines post at noon
	}
	chk, sav, card := g.p.last4(kChecking), g.p.last4(kSavings), g.p.last4(kCard)
	dom := func(d civil) int { _, _, x := d.date(); return x }
	monthIndex := func(d civil) int { return d.month() - first.month() }
	months := last.month() - first.month()

	// Fixed days of the month.
	netflixDay, spotifyDay, gymDay, huluDay := 3+r.intn(20), 3+r.intn(20), 3+r.intn(20), 3+r.intn(20)
	powerDay, internetDay, phoneDay := 8+r.intn(10), 3+r.intn(20), 3+r.intn(20)
	payday := first + civil(r.intn(14))
	nytDay := first + civil(r.intn(7))
	geicoMonth, aaaMonth := r.intn(3), 2+r.intn(6)
	gymEnds := months - 6 - r.intn(3)
	hulu := months - 4
	phoneSwitch := months / 2
	var cardSpend int64 // this month's card charges, paid next month
	nextApplebees := first + civil(r.between(5, 40))

	for d := first; d <= last; d++ {
		day, mi := dom(d), monthIndex(d)
		// Subscriptions on the card.
		if day == netflixDay {
			amount := int64(1549)
			if mi >= months-9 {
				amount = 1799 // the price went up
			}
			g.charge("Netflix", "monthly", "subscription", kCard, d, -amount, "DEBIT", "NETFLIX.COM")
			cardSpend += amount
		}
		if day == spotifyDay {
			amount := int64(1099)
			if mi >= months-5 {
				amount = 1199
			}
			g.charge("Spotify", "monthly", "subscription", kCard, d, -amount, "DEBIT", "SPOTIFY USA")
			cardSpend += amount
		}
		if day == gymDay && mi <= gymEnds {
			g.charge("Planet Fitness", "monthly", "subscription", kCard, d, -2499, "DEBIT", "PLANET FITNESS")
			cardSpend += 2499
		}
		if day == huluDay && mi >= hulu {
			g.charge("Hulu", "monthly", "subscription", kCard, d, -1799, "DEBIT", "HULU 877-8244858")
			cardSpend += 1799
		}
		if d >= nytDay && (d-nytDay)%7 == 0 {
			g.charge("NYTimes", "weekly", "subscription", kCard, d, -425, "DEBIT", "NYTIMES DIGITAL SUBSCR")
			cardSpend += 425
		}
		if day == phoneDay {
			if mi < phoneSwitch {
				g.charge("Verizon", "monthly", "bill", kCard, d, -8500, "DEBIT", "VERIZON WRLS")
				cardSpend += 8500
			} else {
				g.charge("T-Mobile", "monthly", "bill", kCard, d, -7000, "DEBIT", "T-MOBILE*AUTO PAY")
				cardSpend += 7000
			}
		}
		if day == 9 && mi%12 == aaaMonth {
			g.charge("AAA", "yearly", "subscription", kCard, d, -6900, "DEBIT", "AAA MEMBERSHIP RENEWAL")
			cardSpend += 6900
		}

		// Bills from checking.
		if day == 1 {
			g.charge("Rent", "monthly", "bill", kChecking, d, -g.p.rentAmount, "DEBIT", "RENT PAYMENT AVALONBAY 418230")
		}
		if day == powerDay {
			_, m, _ := d.date()
			season := math.Cos(float64(m-1) * math.Pi / 6) // winter high, summer low
			amount := 10000 + int64(1800*season) + r.between(-400, 400)
			g.charge("PG&E", "monthly", "bill", kChecking, d+civil(r.intn(2)), -amount, "DEBIT", "PG&E WEB ONLINE")
		}
		if day == internetDay {
			g.charge("Comcast", "monthly", "bill", kChecking, d, -7999, "DEBIT", "COMCAST CABLE")
		}
		if day == 12 && mi%3 == geicoMonth {
			g.charge("GEICO", "quarterly", "bill", kChecking, d, -45600, "DEBIT", "GEICO *AUTO")
		}

		// Pay every two weeks.
		if d >= payday && (d-payday)%14 == 0 {
			amount := int64(265000)
			if mi >= 12 {
				amount = 273000 // a raise
			}
			g.charge("Payroll", "biweekly", "income", kChecking, d, amount, "DIRECTDEP", "GUSTO PAY 482913 DIR DEP")
		}

		// Sellers visited at no cadence.
		if r.intn(7) < 2 {
			a := r.amount(1200, 14000)
			g.add(kCard, d, -a, "DEBIT", fmt.Sprintf("SAFEWAY #%04d", 1000+r.intn(3)))
			cardSpend += a
		}
		if r.intn(9) == 0 {
			g.add(kChecking, d, -r.amount(400, 1400), "POS", "SQ *BLUE BOTTLE COFFEE")
		}
		if r.intn(8) == 0 {
			a := r.amount(900, 2800)
			g.add(kCard, d, -a, "DEBIT", fmt.Sprintf("CHIPOTLE %04d", 2000+r.intn(5)))
			cardSpend += a
		}
		if r.intn(10) == 0 {
			a := r.amount(2500, 7000)
			g.add(kCard, d, -a, "DEBIT", fmt.Sprintf("SHELL OIL %05d", 57000+r.intn(9)))
			cardSpend += a
		}
		// About monthly, but never on a schedule.
		if d == nextApplebees {
			a := r.amount(2200, 8000)
			g.add(kCard, d, -a, "DEBIT", "APPLEBEES 1234567")
			cardSpend += a
			nextApplebees = d + civil(r.between(12, 55))
		}

		// Transfers. The card is paid from checking on the 25th, posting on
		// the card a day later.
		if day == 25 && cardSpend > 0 {
			out := g.add(kChecking, d, -cardSpend, "PAYMENT", "CARD AUTOPAY ..."+card)
			in := g.add(kCard, d+1, cardSpend, "CREDIT", "PAYMENT THANK YOU")
			g.labels.Transfers = append(g.labels.Transfers, LabeledTransfer{Out: out, In: in, Lag: 1})
			cardSpend = 0
		}
		// Savings: a move on the 5th arriving four days later.
		if day == 5 {
			a := r.between(20, 80) * 1000
			out := g.add(kChecking, d, -a, "XFER", "ONLINE TRANSFER TO SAV ..."+sav)
			in := g.add(kSavings, d+4, a, "XFER", "ONLINE TRANSFER FROM CHK ..."+chk)
			g.labels.Transfers = append(g.labels.Transfers, LabeledTransfer{Out: out, In: in, Lag: 4})
		}
		// The brokerage is funded from savings each quarter, two days on.
		if day == 15 && mi%3 == 1 {
			a := r.between(5, 20) * 10000
			out := g.add(kSavings, d, -a, "XFER", "TRANSFER TO BROKERAGE ..."+g.p.last4(kInvestment))
			in := g.add(kInvestment, d+2, a, "CREDIT", "CONTRIBUTION FROM SAV ..."+sav)
			g.labels.Transfers = append(g.labels.Transfers, LabeledTransfer{Out: out, In: in, Lag: 2})
		}

		// Look-alikes. A purchase in checking refunded on the card.
		if day == 17 && mi%4 == 0 {
			a := r.amount(2000, 9000)
			out := g.add(kChecking, d, -a, "POS", "TARGET 00012345")
			in := g.add(kCard, d+2, a, "CREDIT", "TARGET 00012345")
			g.labels.LookAlikes = append(g.labels.LookAlikes, [2]string{out, in})
		}
		// Money sent to a friend, and a check of the same amount deposited.
		if day == 20 && mi%5 == 2 {
			out := g.add(kChecking, d, -20000, "DEBIT", "ZELLE TO JORDAN LEE")
			in := g.add(kSavings, d+2, 20000, "CREDIT", "MOBILE CHECK DEPOSIT")
			g.labels.LookAlikes = append(g.labels.LookAlikes, [2]string{out, in})
		}
	}
	g.labels.Irregular = []string{"Safeway", "Blue Bottle Coffee", "Chipotle", "Shell", "Applebee's"}

	names := make([]string, 0, len(g.series))
	for n := range g.series {
		names = append(names, n)
	}
	sort.Strings(names)
	ended := map[string]bool{"Planet Fitness": true, "Verizon": true}
	for _, n := range names {
		s := *g.series[n]
		s.Ended = ended[n]
		g.labels.Series = append(g.labels.Series, s)
	}

	// Lines dated after now (a transfer's second side) wait for their day.
	opening := [numAccounts]int64{500000, 1500000, 0, 0}
	out := make([]ofx.Statement, numAccounts)
	for k := range out {
		lines := g.lines[k][:0:0]
		bal := opening[k]
		for _, tx := range g.lines[k] {
			if tx.Posted.After(now) {
				continue
			}
			lines = append(lines, tx)
			bal += tx.Amount
		}
		sort.SliceStable(lines, func(i, j int) bool { return lines[i].Posted.Before(lines[j].Posted) })
		out[k] = ofx.Statement{Account: g.p.account(k), Currency: Currency, Start: HistoryStart(now), End: now,
			Transactions: lines, Ledger: &ofx.Balance{Amount: bal, AsOf: now}}
	}
	// Labels name only lines that exist by now.
	exists := map[string]bool{}
	for _, st := range out {
		for _, tx := range st.Transactions {
			exists[tx.FITID] = true
		}
	}
	var ts []LabeledTransfer
	for _, t := range g.labels.Transfers {
		if exists[t.Out] && exists[t.In] {
			ts = append(ts, t)
		}
	}
	g.labels.Transfers = ts
	return out, &g.labels
}

// insightStatement is the labeled history's statement of account k between
// start and end, its ledger balance as of end.
func insightStatement(login string, k int, now, start, end time.Time, withTransactions bool) ofx.Statement {
	all, _ := InsightHistory(login, now)
	st := all[k]
	bal := st.Ledger.Amount
	var lines []ofx.Transaction
	for _, tx := range st.Transactions {
		switch {
		case tx.Posted.After(end):
			bal -= tx.Amount
		case !tx.Posted.Before(start) && withTransactions:
			lines = append(lines, tx)
		}
	}
	st.Start, st.End, st.Transactions = start, end, lines
	st.Ledger = &ofx.Balance{Amount: bal, AsOf: end}
	return st
}
