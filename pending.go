package tally

import (
	"strings"
	"time"
)

// How far a posted transaction may follow its pending twin, and how much its
// amount may differ: up to 30% more (a tip) or 10% either way (exchange
// rates, adjusted holds).
const (
	PendingWindow   = 10 * 24 * time.Hour
	pendingTipRatio = 1.30
	pendingSlack    = 0.10
)

// PendingMatch pairs a pending transaction with the posted one that
// replaces it, as indexes into MatchPending's arguments.
type PendingMatch struct {
	Pending, Posted int
}

// MatchPending finds, for each pending transaction that has posted (in
// order), its posted twin among posted: on the same day or up to
// PendingWindow later, of the same merchant (or, without one, the same
// start of the description) and currency, with the same amount or one that
// differs by a tip or a small adjustment. Each posted transaction replaces
// at most one pending one; the closest in time wins, then the closest in
// amount.
func MatchPending(pending, posted []*Transaction) []PendingMatch {
	var out []PendingMatch
	used := make([]bool, len(posted))
	for i, p := range pending {
		best := -1
		var bestScore float64
		for j, q := range posted {
			if used[j] || q.Currency != p.Currency || q.PostedOn.Before(p.PostedOn) || q.PostedOn.Sub(p.PostedOn) > PendingWindow ||
				!pendingAmountsMatch(p.Amount, q.Amount) || !sameSeller(p, q) {
				continue
			}
			score := q.PostedOn.Sub(p.PostedOn).Hours()*1000 + float64(abs(q.Amount-p.Amount))
			if best < 0 || score < bestScore {
				best, bestScore = j, score
			}
		}
		if best >= 0 {
			used[best] = true
			out = append(out, PendingMatch{Pending: i, Posted: best})
		}
	}
	return out
}

// pendingAmountsMatch reports whether posted can be pending's posted form.
func pendingAmountsMatch(pending, posted int64) bool {
	if (pending < 0) != (posted < 0) {
		return false
	}
	p, q := float64(pending), float64(posted)
	if p < 0 {
		p, q = -p, -q
	}
	return (q >= p && q <= p*pendingTipRatio) || (q >= p*(1-pendingSlack) && q <= p*(1+pendingSlack))
}

func sameSeller(a, b *Transaction) bool {
	if a.Merchant != "" && a.Merchant == b.Merchant {
		return true
	}
	x, y := strings.ToUpper(strings.TrimSpace(a.Description)), strings.ToUpper(strings.TrimSpace(b.Description))
	n := min(len(x), len(y), 12)
	return n >= 4 && x[:n] == y[:n]
}

func abs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
