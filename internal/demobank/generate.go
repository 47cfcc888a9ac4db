package demobank

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally/internal/ofx"
)

// How the history is built.
//
// Every day of every account is generated from its own seed, hash(login,
// account, date), so any window of history is the same whatever the current
// date, and a new day only adds lines. The few lines that depend on a whole
// month (the card payment, the sweep of checking's surplus into savings and
// on to the brokerage account) are computed from finished months only.
//
// Balances are anchored once a month so that no balance needs the whole past:
//
//	checking    starts each month at a target of its own; the last day's
//	            transfer to (or from) savings brings it there
//	credit card owes, at the start of a month, the previous month's
//	            purchases, paid in full on the 25th
//	savings     starts each month at its target plus the previous month's
//	            transfer and interest, which go on to the brokerage on the 20th
//	investment  starts each month at its cash target; the last day's sweep
//	            into the money-market fund brings it back
//
// so a balance at any instant is an anchor plus the lines of at most a few
// months, and equals the opening balance plus the sum of the lines between.

// History is how far back a statement reaches.
const History = 24 // months

// Account indexes within a login.
const (
	kChecking = iota
	kSavings
	kCard
	kInvestment
	numAccounts
	kCardPurchases = numAccounts // the card's month without its payment
)

var accountNames = [numAccounts]string{Checking, Savings, CreditCard, Investment}

// Identity of the institution.
const (
	Org      = "Tally Demo Bank"
	FID      = "9999"
	BankID   = "999999992" // a routing number that passes the ABA checksum and belongs to no bank
	BrokerID = "demobank.tally.local"
	Currency = "USD"
)

// Days of the month of the fixed lines.
const (
	rentDay         = 1
	cardPaymentDay  = 25
	contributionDay = 20
	dividendDay     = 24
)

// Merchant indexes of the lines the bank writes itself.
var (
	mPayroll        = merchantIndex("Payroll")
	mRent           = merchantIndex("Rent")
	mATM            = merchantIndex("ATM")
	mATMFee         = merchantIndex("ATM fee")
	mAutopay        = merchantIndex("Card autopay")
	mCardPayment    = merchantIndex("Card payment")
	mToSav          = merchantIndex("Transfer to savings")
	mFromSav        = merchantIndex("Transfer from savings")
	mFromChk        = merchantIndex("Transfer from checking")
	mToChk          = merchantIndex("Transfer to checking")
	mToBrk          = merchantIndex("Transfer to brokerage")
	mFromBrk        = merchantIndex("Transfer from brokerage")
	mContribution   = merchantIndex("Brokerage contribution")
	mWithdrawal     = merchantIndex("Brokerage withdrawal")
	mSweepTo        = merchantIndex("Sweep to money market")
	mSweepFrom      = merchantIndex("Sweep from money market")
	mInterest       = merchantIndex("Savings interest")
	mDividend       = merchantIndex("Dividend")
	purchaseIndexes = merchantsWithRole(Purchase)
	billIndexes     = merchantsWithRole(Bill)
)

func merchantIndex(name string) int {
	for i, m := range Merchants {
		if m.Name == name {
			return i
		}
	}
	panic("demobank: no merchant " + name)
}

func merchantsWithRole(r Role) []int {
	var out []int
	for i, m := range Merchants {
		if m.Role == r {
			out = append(out, i)
		}
	}
	return out
}

// Debit-card descriptor styles of the checking account, one per login.
var debitStyles = []string{"", "POS DEBIT ", "CHECKCARD ", "POS PURCHASE "}

// profile is everything about a login that does not change from day to day.
type profile struct {
	login string
	seed  uint64
	city  city
	ids   [numAccounts]string

	payroll, rent  int               // descriptor index
	pay            int64             // net pay per paycheck in the base year
	rentAmount     int64             // monthly rent
	checkingTarget int64             // checking balance at the start of a month, before jitter
	savingsTarget  int64             // savings balance the sweep keeps
	cashTarget     int64             // investment cash the sweep keeps
	creditLimit    int64             // card limit
	style          int               // debit-card descriptor style
	cardP, debitP  []uint64          // per purchase merchant: chance a day, of 2^32
	refundable     []int             // merchant indexes the login buys from that refund
	bills          []bill            // recurring charges
	units          [len(funds)]int64 // fund units in thousandths at the base month
	unitsPerMonth  [len(funds)]int64
}

type bill struct {
	m   int // merchant index
	day int // day of the month
}

// base year and month of the closed-form parts (raises, fund growth).
const baseYear = 2024

var baseMonth = monthKey(baseYear, time.January)

func newProfile(login string) *profile {
	p := &profile{login: login, seed: hashString(login)}
	r := newRng(p.seed, 1)
	p.city = cities[r.intn(len(cities))]
	p.ids[kChecking] = fmt.Sprintf("1000%06d", r.next()%1e6)
	p.ids[kSavings] = fmt.Sprintf("2000%06d", r.next()%1e6)
	p.ids[kCard] = luhn(fmt.Sprintf("4000%011d", r.next()%1e11))
	p.ids[kInvestment] = fmt.Sprintf("8000%06d", r.next()%1e6)
	p.payroll = r.intn(len(Merchants[mPayroll].Descriptors))
	p.rent = r.intn(len(Merchants[mRent].Descriptors))
	p.rentAmount = r.between(Merchants[mRent].Min/2500, Merchants[mRent].Max/2500) * 2500
	p.checkingTarget = r.between(600000, 1000000)
	p.savingsTarget = r.between(800000, 2500000)
	p.cashTarget = r.between(0, 50000)
	p.creditLimit = r.between(15, 35) * 100000
	p.style = r.intn(len(debitStyles))
	debitPct := uint64(r.between(10, 30))

	// Where the login shops: a weight of 0 (never) or 60-200 % of the
	// average customer's visits.
	p.cardP = make([]uint64, len(purchaseIndexes))
	p.debitP = make([]uint64, len(purchaseIndexes))
	var spend uint64 // expected monthly purchases, cents
	for j, mi := range purchaseIndexes {
		m := &Merchants[mi]
		var aff uint64
		if r.intn(10) > 0 {
			aff = uint64(r.between(60, 200))
		}
		perMonthMilli := uint64(m.PerMonth * 1000)
		// chance a day, of 2^32: visits a month / 30.44 days * affinity %.
		day := perMonthMilli * aff << 32 / (30440 * 100)
		p.cardP[j] = day * (100 - debitPct) / 100
		p.debitP[j] = day * debitPct / 100
		if aff > 0 && m.Refunds {
			p.refundable = append(p.refundable, mi)
		}
		mean := uint64(m.Min + (m.Max-m.Min)/3)
		spend += day * 3044 / 100 * mean >> 32
	}

	// One bill of each group, and about half of the optional ones.
	groups := map[string][]int{}
	var order []string
	for _, mi := range billIndexes {
		m := &Merchants[mi]
		if m.Group == "" {
			if r.intn(2) == 0 {
				p.bills = append(p.bills, bill{m: mi})
			}
			continue
		}
		if _, ok := groups[m.Group]; !ok {
			order = append(order, m.Group)
		}
		groups[m.Group] = append(groups[m.Group], mi)
	}
	for _, g := range order {
		ms := groups[g]
		p.bills = append(p.bills, bill{m: ms[r.intn(len(ms))]})
	}
	for i := range p.bills {
		p.bills[i].day = 1 + r.intn(28)
		m := &Merchants[p.bills[i].m]
		spend += uint64(m.Min+m.Max) / 2
	}

	// Pay covers rent, expected spending and cash with about $600-1,400 a
	// month to spare, in two paychecks.
	atm := &Merchants[mATM]
	spend += uint64(atm.PerMonth * 11000)
	p.pay = (p.rentAmount + int64(spend) + r.between(60000, 140000)) / 2
	p.pay = p.pay/100*100 + r.between(0, 99)

	for i := range funds {
		p.units[i] = r.between(20000, 400000)
		p.unitsPerMonth[i] = r.between(500, 6000)
	}
	return p
}

// luhn appends the Luhn check digit to a string of digits.
func luhn(s string) string {
	sum := 0
	double := true
	for i := len(s) - 1; i >= 0; i-- {
		d := int(s[i] - '0')
		if double {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
		double = !double
	}
	return s + strconv.Itoa((10-sum%10)%10)
}

func (p *profile) account(k int) ofx.Account {
	a := ofx.Account{AccountID: p.ids[k]}
	switch k {
	case kChecking:
		a.Kind, a.BankID, a.AccountType, a.Description = ofx.KindBank, BankID, "CHECKING", "Demo Checking"
	case kSavings:
		a.Kind, a.BankID, a.AccountType, a.Description = ofx.KindBank, BankID, "SAVINGS", "Demo Savings"
	case kCard:
		a.Kind, a.Description = ofx.KindCreditCard, "Demo Rewards Visa"
	case kInvestment:
		a.Kind, a.BrokerID, a.Description = ofx.KindInvestment, BrokerID, "Demo Brokerage"
	}
	return a
}

// accountIndex finds the login's account with the given id.
func (p *profile) accountIndex(id string) (int, bool) {
	for k, v := range p.ids {
		if v == id {
			return k, true
		}
	}
	return 0, false
}

func (p *profile) last4(k int) string { s := p.ids[k]; return s[len(s)-4:] }

// Calendar.

// civil is a date: days since 1970-01-01.
type civil int64

func dayOf(t time.Time) civil {
	s := t.Unix()
	d := s / 86400
	if s%86400 < 0 {
		d--
	}
	return civil(d)
}

// postedAt is the time lines of a day are posted: noon UTC, so the date is
// the same in every time zone from UTC-11 to UTC+11.
func (d civil) postedAt() time.Time { return time.Unix(int64(d)*86400+12*3600, 0).UTC() }

func (d civil) date() (int, time.Month, int) { return time.Unix(int64(d)*86400, 0).UTC().Date() }

func (d civil) month() int { y, m, _ := d.date(); return monthKey(y, m) }

func monthKey(y int, m time.Month) int { return y*12 + int(m) - 1 }

func firstDay(mk int) civil {
	return dayOf(time.Date(mk/12, time.Month(mk%12+1), 1, 0, 0, 0, 0, time.UTC))
}

// payday moves a day falling on a weekend to the Friday before.
func payday(mk, dom int) int {
	t := time.Date(mk/12, time.Month(mk%12+1), dom, 0, 0, 0, 0, time.UTC)
	switch t.Weekday() {
	case time.Saturday:
		return dom - 1
	case time.Sunday:
		return dom - 2
	}
	return dom
}

// Closed-form parts.

func (p *profile) checkingAnchor(mk int) int64 {
	r := newRng(p.seed, 2, uint64(mk))
	return p.checkingTarget + r.between(-50000, 50000)
}

// interest is the savings interest of month mk: the target balance at an APY
// between 3.5 % and 4.5 % that changes every month.
func (p *profile) interest(mk int) int64 {
	r := newRng(p.seed, 3, uint64(mk))
	apyBP := r.between(350, 450)
	return p.savingsTarget * apyBP / 120000
}

// payFor is the paycheck in month mk: 3 % raises every January.
func (p *profile) payFor(mk int) int64 {
	pct := int64(100 + 3*(mk/12-baseYear))
	if pct < 70 {
		pct = 70
	}
	return p.pay * pct / 100
}

// Month generation.

type month struct {
	txns     []ofx.Transaction
	purchNet int64 // credit card: sum of all lines but the payment
	sweep    int64 // checking: moved to savings on the last day (negative: from savings)
	contrib  int64 // savings: moved to the brokerage on the 20th (negative: back)
}

// gen generates and caches the months of one login. Not safe for
// concurrent use; each call of the Bank builds its own.
type gen struct {
	p      *profile
	months map[[2]int]*month
	buf    []ofx.Transaction
}

func newGen(login string) *gen {
	return &gen{p: newProfile(login), months: map[[2]int]*month{}}
}

func (g *gen) month(k, mk int) *month {
	key := [2]int{k, mk}
	if m, ok := g.months[key]; ok {
		return m
	}
	var m *month
	switch k {
	case kChecking:
		m = g.checkingMonth(mk)
	case kSavings:
		m = g.savingsMonth(mk)
	case kCard:
		m = g.cardMonth(mk)
	case kInvestment:
		m = g.investmentMonth(mk)
	case kCardPurchases:
		m = g.cardPurchases(mk)
	}
	g.months[key] = m
	return m
}

// anchor is account k's balance at the start of month mk.
func (g *gen) anchor(k, mk int) int64 {
	switch k {
	case kChecking:
		return g.p.checkingAnchor(mk)
	case kSavings:
		return g.p.savingsTarget + g.month(kChecking, mk-1).sweep + g.p.interest(mk-1)
	case kCard:
		return g.month(kCardPurchases, mk-1).purchNet
	default:
		return g.p.cashTarget
	}
}

// balance is account k's balance after every line posted at or before t.
func (g *gen) balance(k int, t time.Time) int64 {
	mk := dayOf(t).month()
	b := g.anchor(k, mk)
	for i := range g.month(k, mk).txns {
		tx := &g.month(k, mk).txns[i]
		if tx.Posted.After(t) {
			break
		}
		b += tx.Amount
	}
	return b
}

// line builds one transaction from merchant mi's pattern pat.
func (g *gen) line(k int, d civil, mi, pat int, typ string, amount int64, r *rng, store uint64, other int) ofx.Transaction {
	m := &Merchants[mi]
	c := expandCtx{store: store, r: r, city: g.p.city}
	if other >= 0 {
		c.acct = g.p.last4(other)
	}
	desc := expand(m.Descriptors[pat], &c)
	tx := ofx.Transaction{Type: typ, Posted: d.postedAt(), Amount: amount}
	setName(&tx, desc)
	return tx
}

// setName fills NAME, cut to the 32 characters OFX 1.x allows, and MEMO with
// the whole descriptor when it is longer.
func setName(tx *ofx.Transaction, desc string) {
	if len(desc) > 32 {
		tx.Name, tx.Memo = strings.TrimRight(desc[:32], " "), desc
		return
	}
	tx.Name = desc
}

// purchase is one card or debit-card purchase (or refund) at merchant mi.
func (g *gen) purchase(k int, d civil, mi int, r *rng, refund bool) ofx.Transaction {
	m := &Merchants[mi]
	slot := 0 // which of the login's stores of this merchant: mostly the usual one
	if v := r.intn(10); v >= 9 {
		slot = 2
	} else if v >= 7 {
		slot = 1
	}
	store := seedOf(g.p.seed, uint64(mi), uint64(slot))
	pat := r.intn(len(m.Descriptors))
	amount := -r.amount(m.Min, m.Max)
	typ := "DEBIT"
	if k == kChecking {
		typ = "POS"
	}
	if refund {
		amount, typ = -amount/2-r.between(0, -amount/2), "CREDIT"
	}
	tx := g.line(k, d, mi, pat, typ, amount, r, store, -1)
	lag := civil(r.intn(3))
	tx.User = (d - lag).postedAt()
	switch k {
	case kCard:
		tx.SIC = m.MCC
	case kChecking:
		if prefix := debitStyles[g.p.style]; prefix != "" {
			desc := tx.Name
			if tx.Memo != "" {
				desc = tx.Memo
			}
			if prefix == "CHECKCARD " {
				_, mo, dd := (d - lag).date()
				prefix += fmt.Sprintf("%02d%02d ", int(mo), dd)
			}
			tx.Memo = ""
			setName(&tx, prefix+desc)
		}
	}
	return tx
}

// randomLines appends the purchases, refunds and cash of account k on day d.
func (g *gen) randomLines(out []ofx.Transaction, k int, d civil) []ofx.Transaction {
	r := newRng(g.p.seed, uint64(10+k), uint64(d))
	chances := g.p.cardP
	if k == kChecking {
		chances = g.p.debitP
	}
	for j, mi := range purchaseIndexes {
		if chances[j] != 0 && r.chance(chances[j]) {
			out = append(out, g.purchase(k, d, mi, &r, false))
		}
	}
	// Refunds: about one a month on the card, one a year on checking.
	refundChance := uint64(1 << 32 / 30)
	if k == kChecking {
		refundChance = 1 << 32 / 365
	}
	if len(g.p.refundable) > 0 && r.chance(refundChance) {
		mi := g.p.refundable[r.intn(len(g.p.refundable))]
		out = append(out, g.purchase(k, d, mi, &r, true))
	}
	if k == kChecking {
		atm := &Merchants[mATM]
		if r.chance(uint64(atm.PerMonth*1000) << 32 / 30440) {
			amount := -r.between(atm.Min/2000, atm.Max/2000) * 2000
			pat := r.intn(len(atm.Descriptors))
			out = append(out, g.line(k, d, mATM, pat, "ATM", amount, &r, seedOf(g.p.seed, uint64(mATM), uint64(r.intn(3))), -1))
			if r.intn(10) < 3 {
				fee := &Merchants[mATMFee]
				out = append(out, g.line(k, d, mATMFee, 0, "FEE", -r.between(fee.Min/25, fee.Max/25)*25, &r, 0, -1))
			}
		}
	}
	return out
}

// bills appends account k's recurring charges due on day dom of month mk.
func (g *gen) bills(out []ofx.Transaction, k int, d civil, mk, dom int) []ofx.Transaction {
	for _, b := range g.p.bills {
		m := &Merchants[b.m]
		if b.day != dom || accountIndexOf(m.Account) != k {
			continue
		}
		// The amount is fixed for a year, or changes every month for metered
		// services.
		period := uint64(mk / 12)
		if m.Metered {
			period = uint64(mk)
		}
		ar := newRng(g.p.seed, 4, uint64(b.m), period)
		amount := -ar.between(m.Min, m.Max)
		r := newRng(g.p.seed, 5, uint64(b.m), uint64(mk))
		typ := "DEBIT"
		if k == kChecking {
			typ = "DIRECTDEBIT"
		}
		tx := g.line(k, d, b.m, r.intn(len(m.Descriptors)), typ, amount, &r, seedOf(g.p.seed, uint64(b.m)), -1)
		if k == kCard {
			tx.SIC = m.MCC
		}
		out = append(out, tx)
	}
	return out
}

func accountIndexOf(name string) int {
	for k, n := range accountNames {
		if n == name {
			return k
		}
	}
	return -1
}

// finishDay gives the day's lines their FITIDs and appends them to the month.
func (g *gen) finishDay(m *month, k int, d civil, lines []ofx.Transaction) {
	for i := range lines {
		lines[i].FITID = fitid(g.p.seed, k, d, i)
	}
	m.txns = append(m.txns, lines...)
}

// fitid is the id of the i-th line of account k on day d: the date, the
// account, the line and a hash, unique within the account.
func fitid(seed uint64, k int, d civil, i int) string {
	y, mo, dd := d.date()
	h := seedOf(seed, uint64(k), uint64(d), uint64(i))
	return fmt.Sprintf("%04d%02d%02d%d%03d%06X", y, int(mo), dd, k, i, h>>40)
}

// cardPurchases is the card's month without its payment: what the payment
// of the month after settles.
func (g *gen) cardPurchases(mk int) *month {
	m := &month{txns: make([]ofx.Transaction, 0, 160)}
	first, last := firstDay(mk), firstDay(mk+1)
	for d := first; d < last; d++ {
		lines := g.randomLines(g.buf[:0], kCard, d)
		lines = g.bills(lines, kCard, d, mk, int(d-first)+1)
		for _, tx := range lines {
			m.purchNet += tx.Amount
		}
		g.finishDay(m, kCard, d, lines)
		g.buf = lines
	}
	return m
}

// cardMonth is the card's purchases with the payment of the month before's
// balance added on the 25th, after that day's purchases.
func (g *gen) cardMonth(mk int) *month {
	purch := g.month(kCardPurchases, mk)
	payment := -g.month(kCardPurchases, mk-1).purchNet
	m := &month{purchNet: purch.purchNet}
	if payment == 0 {
		m.txns = purch.txns
		return m
	}
	d := firstDay(mk) + cardPaymentDay - 1
	at := 0
	for at < len(purch.txns) && !purch.txns[at].Posted.After(d.postedAt()) {
		at++
	}
	seq := 0
	for i := at - 1; i >= 0 && purch.txns[i].Posted.Equal(d.postedAt()); i-- {
		seq++
	}
	r := newRng(g.p.seed, 6, uint64(mk))
	tx := g.line(kCard, d, mCardPayment, 0, "CREDIT", payment, &r, 0, -1)
	tx.FITID = fitid(g.p.seed, kCard, d, seq)
	m.txns = make([]ofx.Transaction, 0, len(purch.txns)+1)
	m.txns = append(m.txns, purch.txns[:at]...)
	m.txns = append(m.txns, tx)
	m.txns = append(m.txns, purch.txns[at:]...)
	return m
}

func (g *gen) checkingMonth(mk int) *month {
	m := &month{txns: make([]ofx.Transaction, 0, 64)}
	autopay := -g.month(kCardPurchases, mk-1).purchNet
	first, last := firstDay(mk), firstDay(mk+1)
	days := int(last - first)
	pay1, pay2 := payday(mk, 15), payday(mk, days)
	sum := g.anchor(kChecking, mk)
	for d := first; d < last; d++ {
		dom := int(d-first) + 1
		r := newRng(g.p.seed, 7, uint64(d))
		lines := g.buf[:0]
		if dom == rentDay {
			lines = append(lines, g.line(kChecking, d, mRent, g.p.rent, "DEBIT", -g.p.rentAmount, &r, seedOf(g.p.seed, uint64(mRent)), -1))
		}
		if dom == pay1 || dom == pay2 {
			lines = append(lines, g.line(kChecking, d, mPayroll, g.p.payroll, "DIRECTDEP", g.p.payFor(mk), &r, seedOf(g.p.seed, uint64(mPayroll)), -1))
		}
		if dom == cardPaymentDay && autopay != 0 {
			lines = append(lines, g.line(kChecking, d, mAutopay, 0, "DEBIT", -autopay, &r, 0, -1))
		}
		lines = g.bills(lines, kChecking, d, mk, dom)
		lines = g.randomLines(lines, kChecking, d)
		for _, tx := range lines {
			sum += tx.Amount
		}
		if dom == days {
			// Sweep the surplus over next month's target to savings.
			m.sweep = sum - g.anchor(kChecking, mk+1)
			if m.sweep != 0 {
				lines = append(lines, g.transfer(kChecking, d, mToSav, mFromSav, kSavings, -m.sweep, &r))
			}
		}
		g.finishDay(m, kChecking, d, lines)
		g.buf = lines
	}
	return m
}

// transfer is one side of a move between two of the login's accounts;
// amount is signed from account k's side, out and in are the merchants of
// either direction.
func (g *gen) transfer(k int, d civil, out, in, other int, amount int64, r *rng) ofx.Transaction {
	mi := out
	if amount > 0 {
		mi = in
	}
	return g.line(k, d, mi, 0, "XFER", amount, r, 0, other)
}

func (g *gen) savingsMonth(mk int) *month {
	m := &month{txns: make([]ofx.Transaction, 0, 4)}
	m.contrib = g.month(kChecking, mk-1).sweep + g.p.interest(mk-1)
	sweep := g.month(kChecking, mk).sweep
	first, last := firstDay(mk), firstDay(mk+1)
	days := int(last - first)
	for d := first; d < last; d++ {
		dom := int(d-first) + 1
		if dom != contributionDay && dom != days {
			continue
		}
		r := newRng(g.p.seed, 8, uint64(d))
		lines := g.buf[:0]
		if dom == contributionDay && m.contrib != 0 {
			lines = append(lines, g.transfer(kSavings, d, mToBrk, mFromBrk, kInvestment, -m.contrib, &r))
		}
		if dom == days {
			lines = append(lines, g.line(kSavings, d, mInterest, 0, "INT", g.p.interest(mk), &r, 0, -1))
			if sweep != 0 {
				lines = append(lines, g.transfer(kSavings, d, mToChk, mFromChk, kChecking, sweep, &r))
			}
		}
		g.finishDay(m, kSavings, d, lines)
		g.buf = lines
	}
	return m
}

func (g *gen) investmentMonth(mk int) *month {
	m := &month{txns: make([]ofx.Transaction, 0, 6)}
	contrib := g.month(kSavings, mk).contrib
	first, last := firstDay(mk), firstDay(mk+1)
	days := int(last - first)
	quarterEnd := (mk%12+1)%3 == 0
	var cash int64
	for d := first; d < last; d++ {
		dom := int(d-first) + 1
		if dom != contributionDay && dom != days && !(quarterEnd && dom == dividendDay) {
			continue
		}
		r := newRng(g.p.seed, 9, uint64(d))
		lines := g.buf[:0]
		if dom == contributionDay && contrib < 0 {
			// Sell money-market shares first so that cash never goes negative.
			lines = append(lines, g.transfer(kInvestment, d, mSweepTo, mSweepFrom, -1, -contrib, &r))
		}
		if dom == contributionDay && contrib != 0 {
			lines = append(lines, g.transfer(kInvestment, d, mWithdrawal, mContribution, kSavings, contrib, &r))
		}
		if quarterEnd && dom == dividendDay {
			for i := range Merchants[mDividend].Descriptors {
				div := g.dividend(mk, i)
				lines = append(lines, g.line(kInvestment, d, mDividend, i, "DIV", div, &r, 0, -1))
			}
		}
		if dom == days {
			for _, tx := range m.txns {
				cash += tx.Amount
			}
			for _, tx := range lines {
				cash += tx.Amount
			}
			if cash != 0 {
				lines = append(lines, g.transfer(kInvestment, d, mSweepTo, mSweepFrom, -1, -cash, &r))
			}
		}
		for i := range lines {
			lines[i].SubAcct = "CASH"
		}
		g.finishDay(m, kInvestment, d, lines)
		g.buf = lines
	}
	return m
}

// dividend is fund i's quarterly dividend in month mk (the funds in the
// order of the Dividend merchant's descriptors): about 0.35 % to
// 0.8 % of the position.
func (g *gen) dividend(mk, i int) int64 {
	r := newRng(g.p.seed, 11, uint64(mk), uint64(i))
	value := g.p.unitsAt(i, mk) * fundPrice(i, firstDay(mk+1)-1) / 1000
	return value * r.between(35, 80) / 10000
}

// Positions.

type fund struct {
	cusip, typ string
	price      int64 // cents at the start of the base year
	growthBP   int64 // yearly growth, basis points
}

var funds = [...]fund{
	{"922908728", "POSMF", 11800, 900}, // total stock market index
	{"921909818", "POSMF", 3100, 500},  // total international stock index
	{"921937603", "POSMF", 980, 100},   // total bond market index
}

func (p *profile) unitsAt(i, mk int) int64 {
	n := int64(mk - baseMonth)
	if n < -24 {
		n = -24
	}
	u := p.units[i] + n*p.unitsPerMonth[i]
	if u < 1000 {
		u = 1000
	}
	return u
}

// fundPrice is fund i's price in cents on day d: steady growth and a daily
// wobble of up to 1.5 %.
func fundPrice(i int, d civil) int64 {
	f := funds[i]
	days := int64(d - firstDay(baseMonth))
	price := f.price + f.price*f.growthBP*days/(10000*365)
	r := newRng(uint64(i), uint64(d), 12)
	return price + price*r.between(-150, 150)/10000
}

func (g *gen) positions(t time.Time) []ofx.Position {
	d := dayOf(t)
	mk := d.month()
	out := make([]ofx.Position, 0, len(funds)+1)
	for i, f := range funds {
		units := g.p.unitsAt(i, mk)
		price := fundPrice(i, d)
		out = append(out, ofx.Position{
			SecurityID: f.cusip, SecurityIDType: "CUSIP", Type: f.typ,
			Units: decimal(units, 3), UnitPrice: decimal(price, 2),
			MarketValue: units * price / 1000, AsOf: t,
		})
	}
	// The money-market fund holds what the sweeps moved: a figure, not a history.
	mm := g.p.savingsTarget/2 + int64(mk-baseMonth)*20000
	if mm < 100000 {
		mm = 100000
	}
	out = append(out, ofx.Position{
		SecurityID: "922906300", SecurityIDType: "CUSIP", Type: "POSMF",
		Units: decimal(mm, 2), UnitPrice: "1.00", MarketValue: mm, AsOf: t,
	})
	return out
}

// decimal renders v/10^places.
func decimal(v int64, places int) string {
	s := strconv.FormatInt(v, 10)
	neg := v < 0
	if neg {
		s = s[1:]
	}
	for len(s) <= places {
		s = "0" + s
	}
	s = s[:len(s)-places] + "." + s[len(s)-places:]
	if neg {
		s = "-" + s
	}
	return s
}
