package file

import (
	"io"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/ofx"
)

// QIF sections.
const (
	qifNone    = iota // before any !Type
	qifTxn            // Bank, Cash, CCard, Oth A, Oth L
	qifInvst          // investment: only lines that move cash
	qifSkip           // categories, classes, memorized payees, securities, prices
	qifAccount        // !Account: the account the sections after it belong to
)

func qifSection(header string) (int, bool) {
	h := strings.ToLower(strings.TrimSpace(header))
	h = strings.Join(strings.Fields(h), " ")
	switch {
	case h == "!type:bank", h == "!type:cash", h == "!type:ccard", h == "!type:oth a", h == "!type:oth l":
		return qifTxn, true
	case h == "!type:invst":
		return qifInvst, true
	case h == "!account":
		return qifAccount, true
	case h == "!type:cat", h == "!type:class", h == "!type:memorized", h == "!type:security",
		h == "!type:prices", h == "!type:invitem", h == "!type:template", strings.HasPrefix(h, "!option"), strings.HasPrefix(h, "!clear"):
		return qifSkip, true
	}
	return qifSkip, false
}

// Investment actions that move this account's cash, with their sign.
// Actions ending in X move another account's cash; share-only actions
// (ShrsIn, StkSplit, Reinv...) move none.
var invstCash = map[string]int{
	"div": 1, "intinc": 1, "cglong": 1, "cgmid": 1, "cgshort": 1, "rtrncap": 1, "miscinc": 1, "sell": 1, "xin": 1,
	"buy": -1, "miscexp": -1, "margint": -1, "xout": -1, "shtsell": 1, "cvrshrt": -1,
	"cash": 0, // signed as written
}

var invstNoCash = map[string]bool{
	"shrsin": true, "shrsout": true, "stksplit": true, "reinvdiv": true, "reinvint": true, "reinvlg": true,
	"reinvmd": true, "reinvsh": true, "buyx": true, "sellx": true, "divx": true, "intincx": true, "cglongx": true,
	"cgmidx": true, "cgshortx": true, "rtrncapx": true, "miscincx": true, "miscexpx": true, "margintx": true,
	"reminder": true, "exercise": true, "expire": true, "grant": true, "vest": true, "exercisx": true,
	"shtsellx": true, "cvrshrtx": true, "contribx": true, "withdrwx": true,
}

// qifRecord is one record's fields, up to its "^".
type qifRecord struct {
	line                               int
	date, amount, payee, memo, num, to string
	action, security                   string
	fields                             bool
}

// readQIF reads a QIF file in two passes: the first learns the day/month
// order from every date, the second hands out transactions.
func readQIF(r io.ReadSeeker, opt ReadOptions, fn func(*Chunk) error) (Summary, error) {
	var order dateOrder
	lr := newLineReader(r)
	sections := 0
	for {
		l, ok := lr.next()
		if !ok {
			break
		}
		if strings.HasPrefix(l, "!") {
			if s, _ := qifSection(l); s == qifTxn || s == qifInvst {
				sections++
			}
			continue
		}
		if strings.HasPrefix(l, "D") {
			if d, ok := splitDate(l[1:]); ok {
				order.vote(d)
			}
		}
	}
	if err := lr.err(); err != nil {
		return Summary{}, err
	}
	if sections == 0 {
		return Summary{}, tally.Errorf(tally.EUNPROCESSABLE, "the QIF file has no bank, card, cash or investment section (!Type:Bank, !Type:CCard, !Type:Cash, !Type:Invst)")
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return Summary{}, err
	}
	dayFirst := order.isDayFirst()
	e := &emitter{size: opt.ChunkSize, fn: fn, chunk: Chunk{Currency: opt.Currency}}
	exp := tally.CurrencyExponent(opt.Currency)
	section := qifNone
	var rec qifRecord
	var acctName, acctType string
	autoSwitch := false       // inside Quicken's account list
	var listed []*ofx.Account // the accounts of the list
	end := func() error {
		defer func() { rec = qifRecord{} }()
		if section == qifAccount {
			// An account record: the transactions after it are its own.
			// In a Quicken account list (!Option:AutoSwitch) every record
			// passes by, and the last one is replaced by the !Account that
			// stands before its transactions.
			name, typ := acctName, acctType
			acctName, acctType = "", ""
			if name == "" {
				return nil
			}
			a := &ofx.Account{Kind: qifKind(typ), AccountID: name, Description: name}
			if autoSwitch {
				listed = append(listed, a)
				return nil
			}
			return e.account(a, opt.Currency)
		}
		if !rec.fields || (section != qifTxn && section != qifInvst) {
			return nil
		}
		t, skip, reason := qifTransaction(&rec, section, dayFirst, exp)
		switch {
		case reason != "":
			e.reject(rec.line, "%s", reason)
		case !skip:
			return e.add(t)
		}
		return nil
	}
	lr = newLineReader(r)
	for {
		l, ok := lr.next()
		if !ok {
			break
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		if l[0] == '!' {
			if err := end(); err != nil {
				return e.sum, err
			}
			s, known := qifSection(l)
			switch h := strings.ToLower(strings.TrimSpace(l)); {
			case strings.HasPrefix(h, "!option:autoswitch"):
				autoSwitch, listed = true, nil
			case strings.HasPrefix(h, "!clear:autoswitch"):
				autoSwitch = false
				// A list of one account: the transactions that follow
				// are its own.
				if len(listed) == 1 {
					if err := e.account(listed[0], opt.Currency); err != nil {
						return e.sum, err
					}
				}
			}
			if !known {
				e.reject(lr.line, "section %q is not one Tally reads; its records are skipped", strings.TrimSpace(l))
			}
			section = s
			continue
		}
		if l[0] == '^' {
			if err := end(); err != nil {
				return e.sum, err
			}
			continue
		}
		if !rec.fields {
			rec.line = lr.line
			rec.fields = true
		}
		v := strings.TrimSpace(l[1:])
		if section == qifAccount {
			switch l[0] {
			case 'N':
				acctName = v
			case 'T':
				acctType = v
			}
			continue
		}
		switch l[0] {
		case 'D':
			rec.date = v
		case 'T':
			rec.amount = v
		case 'U':
			if rec.amount == "" {
				rec.amount = v
			}
		case 'P':
			rec.payee = v
		case 'M':
			rec.memo = v
		case 'N':
			if section == qifInvst {
				rec.action = v
			} else {
				rec.num = v
			}
		case 'Y':
			rec.security = v
		case 'L':
			rec.to = v
		}
		// Splits (S, E, $), categories, addresses, cleared flags and
		// investment details are not needed: the total amount is kept.
	}
	if err := lr.err(); err != nil {
		return e.sum, err
	}
	if err := end(); err != nil {
		return e.sum, err
	}
	if e.sum.Parsed == 0 {
		return e.sum, noTransactions(e.sum, "QIF")
	}
	return e.sum, e.flush()
}

// qifKind maps a QIF account type to an account kind.
func qifKind(typ string) string {
	switch strings.ToLower(strings.TrimSpace(typ)) {
	case "ccard", "credit card":
		return ofx.KindCreditCard
	case "invst", "port", "401(k)/403(b)", "mutual", "investment":
		return ofx.KindInvestment
	}
	return ofx.KindBank
}

// qifTransaction converts a record. skip is an investment line that moves
// no cash; reason explains a rejected record.
func qifTransaction(rec *qifRecord, section int, dayFirst bool, exp int) (t Transaction, skip bool, reason string) {
	t.Line = rec.line
	sign := 0
	if section == qifInvst {
		act := strings.ToLower(strings.TrimSpace(rec.action))
		if act == "" {
			return t, false, "investment line has no action (N)"
		}
		if invstNoCash[act] {
			return t, true, ""
		}
		s, ok := invstCash[act]
		if !ok {
			return t, false, "investment action \"" + rec.action + "\" is not one Tally knows"
		}
		sign = s
	}
	if rec.date == "" {
		return t, false, "record has no date (D)"
	}
	d, err := parseDate(rec.date, dayFirst)
	if err != nil {
		return t, false, err.Error()
	}
	if rec.amount == "" {
		return t, false, "record has no amount (T)"
	}
	amt, err := parseAmount(rec.amount, false, exp)
	if err != nil {
		return t, false, err.Error()
	}
	if sign != 0 {
		if amt < 0 {
			amt = -amt
		}
		amt *= int64(sign)
	}
	t.Date, t.Amount, t.Memo = d, amt, rec.memo
	t.Description = rec.payee
	if section == qifInvst {
		if t.Description == "" {
			t.Description = strings.TrimSpace(rec.action + " " + rec.security)
		}
	} else if isDigits(rec.num) {
		t.CheckNum = rec.num
	}
	if t.Description == "" {
		t.Description = rec.memo
	}
	return t, false, ""
}
