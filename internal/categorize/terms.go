package categorize

import (
	_ "embed"
	"strings"
	"sync"
)

// tradeTermsTSV is the trade words of OpenStreetMap's iD tagging schema:
// the names and search terms of the presets of shops, crafts, offices and
// other places that sell, in the languages of Tally's users, each kept only
// where every preset that uses it agrees on the category (gen/main.go
// -schema; ISC, see LICENSE-data.md).
//
//go:embed trade_terms.tsv
var tradeTermsTSV string

// termMatched prefixes Result.Matched when a trade word of the tagging
// schema decided.
const termMatched = "term:"

// tradeTerms holds the trade words, as scan keys them, and their
// categories. It is built on first use: most lines are filed before it is
// asked.
var tradeTerms = sync.OnceValue(buildTradeTerms)

// termTable is the trade words: a map, and the shapes (first and last byte,
// length) of its words, which turn away most of the pieces of web labels
// that webTerm tries without a lookup.
type termTable struct {
	words  map[string]string
	shapes [numShapes]uint64
}

// get returns the category of the trade word k.
func (t *termTable) get(k []byte) (string, bool) {
	if t.shapes[shape(k)]&lenBit(len(k)) == 0 {
		return "", false
	}
	c, ok := t.words[string(k)]
	return c, ok
}

// buildTradeTerms reads tradeTermsTSV; the map's keys and values are
// slices of the embedded text.
func buildTradeTerms() *termTable {
	t := &termTable{words: make(map[string]string, strings.Count(tradeTermsTSV, "\n"))}
	for line := range strings.Lines(tradeTermsTSV) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		word, rest, ok := strings.Cut(strings.TrimSuffix(line, "\n"), "\t")
		if !ok {
			continue
		}
		category, _, _ := strings.Cut(rest, "\t")
		t.words[word] = category
		t.shapes[shape(word)] |= lenBit(len(word))
	}
	return t
}

// tradeTerm returns the category of the last word of the seller's name
// that is a trade word of the tagging schema (GARCIA TAPICERIA: an
// upholsterer), or of its singular, and the word; "" when none is. It is the
// last guess before a line is left uncategorized: the schema's words are
// many and were chosen by no one for bank text.
func (sc *scan) tradeTerm() (string, string) {
	terms := tradeTerms()
	var buf [maxKey]byte
	for j := sc.nameEnd() - 1; j >= 0; j-- {
		t := &sc.tok[sc.span[j]]
		if t.word >= 0 || t.kind != tokWord {
			continue
		}
		k := sc.keyOf(t)
		if c, ok := terms.get(k); ok {
			return c, string(k)
		}
		n := len(k)
		if n > 4 && k[n-1] == 'S' {
			if c, ok := terms.get(k[:n-1]); ok {
				return c, string(k[:n-1])
			}
			if n > 5 && string(k[n-3:]) == "IES" && n-2 <= len(buf) {
				w := append(append(buf[:0], k[:n-3]...), 'Y')
				if c, ok := terms.get(w); ok {
					return c, string(w)
				}
			}
		}
	}
	return "", ""
}

// webTerm returns the category of the trade word that a web shop's
// address holds in its unknown label (POLO-SHIRTS: shirts), and the
// word; "" when none does. As in webCompound, the word that ends last
// wins, then the longest; words of fewer than six letters are too often
// the pieces of other words to count inside a label.
func (sc *scan) webTerm() (string, string) {
	terms := tradeTerms()
	for j := 0; j < sc.nameEnd(); j++ {
		t := &sc.tok[sc.span[j]]
		if t.word >= 0 {
			continue
		}
		k := labelOf(sc.keyOf(t), minTerm)
		for end := len(k); end >= minTerm; end-- {
			for start := 0; start <= end-minTerm; start++ {
				if c, ok := terms.get(k[start:end]); ok {
					return c, string(k[start:end])
				}
			}
		}
	}
	return "", ""
}

// minTerm is the shortest trade word webTerm finds inside a label.
const minTerm = 6
