package categorize

import "strings"

// Explanation is a Result with what the normalizer made of the descriptor,
// for `tally categorize --explain` and the transaction detail page.
type Explanation struct {
	Result
	// Kept is the descriptor's words the normalizer kept as the seller's
	// name, as printed, after dropping card and channel words, processor
	// prefixes, dates, amounts, references, towns and country codes:
	// "REWE" for "Kartenzahlung REWE SAGT DANKE. 41400673//Hamburg".
	Kept string
}

// Explain categorizes in with the user's history h (nil for none) and
// reports what the normalizer kept. It allocates; Categorize does not.
func (e *Engine) Explain(in Input, h *History) Explanation {
	x := Explanation{Result: e.CategorizeWith(in, h)}
	desc, why := readable(in.Description)
	if why != "" {
		if desc, why = readable(in.Memo); why != "" {
			return x
		}
	}
	var sc scan
	sc.tokenize(desc)
	sc.findSpan()
	var b strings.Builder
	for j := 0; j < sc.nameEnd(); j++ {
		t := &sc.tok[sc.span[j]]
		if j > 0 {
			b.WriteByte(' ')
		}
		raw := sc.s[t.raw0:t.raw1]
		if t.split {
			raw = raw[:leadingLetters(raw)]
		}
		b.WriteString(raw)
	}
	x.Kept = b.String()
	return x
}
