package categorize

import (
	"strings"

	"github.com/tallyhq/tally"
)

// History is what one user has filed by hand: the seller keys (Result.Key)
// of transactions they categorized themselves and the category they chose.
// A new transaction whose seller has the same key, or whose key starts with
// the same words as one of them ("JOES PIZZA BROOKLYN" after "JOES PIZZA"),
// takes the user's category before the engine's generic fallbacks decide.
// A History is immutable and safe for concurrent use.
type History struct {
	exact map[string]filing
	lead  map[string]filing // leading words of a key: the category all keys starting with them agree on
}

// filing is a category the user chose and the Result.Matched that reports
// it, built once so that categorizing allocates nothing.
type filing struct{ category, matched string }

// minLead is the shortest leading-words key that stands for a seller: "JOE"
// alone is too little to say two names are the same shop.
const minLead = 4

// NewHistory indexes a user's manual filings: seller key to category id.
// Empty keys and unknown categories are skipped.
func NewHistory(manual map[string]string) *History {
	h := &History{exact: make(map[string]filing, len(manual)), lead: make(map[string]filing, len(manual))}
	ambiguous := map[string]bool{}
	for k, c := range manual {
		if k == "" {
			continue
		}
		if _, ok := tally.LookupCategory(c); !ok {
			continue
		}
		h.exact[k] = filing{c, historyMatched + k}
		l := leadWords(k)
		if len(l) < minLead || ambiguous[l] {
			continue
		}
		if prev, ok := h.lead[l]; ok && prev.category != c {
			delete(h.lead, l)
			ambiguous[l] = true
			continue
		}
		h.lead[l] = filing{c, historyMatched + l}
	}
	return h
}

// Len returns the number of seller keys in the history.
func (h *History) Len() int {
	if h == nil {
		return 0
	}
	return len(h.exact)
}

// leadWords is the first two words of a seller key, or the key when it has
// fewer: the part of a name that survives a town or store number appended.
func leadWords(key string) string {
	i := strings.IndexByte(key, ' ')
	if i < 0 {
		return key
	}
	if j := strings.IndexByte(key[i+1:], ' '); j >= 0 {
		return key[:i+1+j]
	}
	return key
}

// lookup returns the user's filing for a seller key and whether it came
// from the same key (exact) or only from its leading words.
func (h *History) lookup(key string) (f filing, exact bool) {
	if h == nil || key == "" {
		return filing{}, false
	}
	if f, ok := h.exact[key]; ok {
		return f, true
	}
	if l := leadWords(key); len(l) >= minLead {
		if f, ok := h.lead[l]; ok {
			return f, false
		}
	}
	return filing{}, false
}

// historyMatched prefixes Result.Matched when the user's history decided.
const historyMatched = "history:"

// CategorizeWith is Categorize with the user's own history: a seller the
// user filed by hand keeps the user's category (the same key always wins;
// a name starting with the same words wins over keyword, stem, payment-rail
// and type fallbacks and over uncategorized, but not over a known seller or
// a built-in rule). The result's Source is then tally.SourceRule and
// Matched is "history:" and the user's key.
func (e *Engine) CategorizeWith(in Input, h *History) Result {
	r := e.Categorize(in)
	if h.Len() == 0 || r.Key == "" {
		return r
	}
	f, exact := h.lookup(r.Key)
	if f.category == "" || !exact && !generic(r.Matched) {
		return r
	}
	r.Category, r.Source, r.Matched, r.Reason = f.category, tally.SourceRule, f.matched, ""
	return r
}

// generic reports whether what decided a result is a fallback the user's
// history should outrank: a keyword, a stem, a trade word of the tagging
// schema, a payment-rail word, an open-data seller, a transaction type
// without a category of its own, or nothing.
func generic(matched string) bool {
	if matched == "" || strings.HasPrefix(matched, "stem:") || strings.HasPrefix(matched, termMatched) ||
		strings.HasPrefix(matched, matchedPrefix+"nsi_") {
		return true
	}
	return genericMatched[matched]
}

var genericMatched = func() map[string]bool {
	m := map[string]bool{}
	for _, s := range weakRules {
		m["rule:"+s.name] = true
	}
	for _, s := range transferWords {
		m["rule:"+s.name] = true
	}
	for k := range typeFallback {
		m["type:"+k] = true
	}
	m["rule:doctor_title"] = true
	return m
}()
