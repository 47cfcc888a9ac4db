package recurring

import (
	"sort"
	"strings"
)

// TransferWindow is how many days apart the two sides of a transfer may
// post.
const TransferWindow = 5

// Pair is a matched transfer: money left Out's account and the same amount
// arrived in In's.
type Pair struct {
	Out, In *Txn
	Lag     int // days between the two postings
}

// transferWords are descriptor words (whole words) that say money moved
// between accounts.
var transferWords = []string{"TRANSFER", "XFER", "PAYMENT", "PMT", "WITHDRAWAL", "CONTRIBUTION", "SWEEP", "ACH", "MOVE"}

// transferLike reports whether t looks like one side of a transfer: filed
// under a transfer category, or described with a transfer word.
func transferLike(t *Txn) bool {
	if isTransferCategory(t.Category) {
		return true
	}
	// Whole words, without allocating: most descriptors are purchases.
	d := t.Description
	for i := 0; i < len(d); {
		for i < len(d) && !isWordByte(d[i]) {
			i++
		}
		j := i
		for j < len(d) && isWordByte(d[j]) {
			j++
		}
		if j > i && j-i <= 12 {
			for _, w := range transferWords {
				if strings.EqualFold(d[i:j], w) {
					return true
				}
			}
		}
		i = j
	}
	return false
}

func isWordByte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// eligible reports whether t may be one side of a transfer at all: the user
// did not file it by hand under spending or income.
func eligible(t *Txn) bool {
	return t.Amount != 0 && (!t.Manual || isTransferCategory(t.Category))
}

// MatchTransfers pairs outflows with inflows of the same amount and
// currency into another account within TransferWindow days. Both sides
// must look like a transfer (a transfer category or a transfer word in the
// descriptor), so a purchase in one account and an equal refund in another
// are not a pair. Each transaction is in at most one pair; among several
// candidates the closest in time wins, then the one with the same day
// order. The caller passes only transactions not yet paired or unpaired by
// the user.
func MatchTransfers(txns []Txn) []Pair {
	type key struct {
		amount   int64
		currency string
	}
	ins := map[key][]*Txn{}
	var outs []*Txn
	for i := range txns {
		t := &txns[i]
		if !eligible(t) || !transferLike(t) {
			continue
		}
		if t.Amount > 0 {
			ins[key{t.Amount, t.Currency}] = append(ins[key{t.Amount, t.Currency}], t)
		} else {
			outs = append(outs, t)
		}
	}
	// Every candidate pair, closest first; then greedy, so each side is
	// used once.
	type cand struct {
		out, in *Txn
		lag     int
	}
	var cands []cand
	for _, o := range outs {
		for _, in := range ins[key{-o.Amount, o.Currency}] {
			if in.AccountID == o.AccountID {
				continue
			}
			lag := daysBetween(o.Date, in.Date)
			if lag < 0 {
				lag = -lag
			}
			if lag <= TransferWindow {
				cands = append(cands, cand{o, in, lag})
			}
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := cands[i], cands[j]
		if a.lag != b.lag {
			return a.lag < b.lag
		}
		if a.out.ID != b.out.ID {
			return a.out.ID < b.out.ID
		}
		return a.in.ID < b.in.ID
	})
	taken := map[*Txn]bool{}
	var out []Pair
	for _, c := range cands {
		if taken[c.out] || taken[c.in] {
			continue
		}
		taken[c.out], taken[c.in] = true, true
		out = append(out, Pair{Out: c.out, In: c.in, Lag: c.lag})
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Out.Date.Equal(out[j].Out.Date) {
			return out[i].Out.Date.Before(out[j].Out.Date)
		}
		return out[i].Out.ID < out[j].Out.ID
	})
	return out
}

// TransferCategory is the category a matched side is filed under when it is
// not under a transfer category yet: a credit card payment when money went
// into a card account, an account transfer otherwise.
func TransferCategory(t *Txn, intoCard bool) string {
	if isTransferCategory(t.Category) {
		return t.Category
	}
	if intoCard {
		return "credit_card_payment"
	}
	return "account_transfer"
}
