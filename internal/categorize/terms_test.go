package categorize_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// TestTradeTermsOfTheTaggingSchema checks the last guess before
// uncategorized: a word naming a trade in the tagging schema's names and
// search terms, in any of the languages read, files a business that no
// dictionary, register or keyword knows, also inside a web shop's address.
func TestTradeTermsOfTheTaggingSchema(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, want, matched string }{
		{"GARCIA TAPICERIA", "home_services", "term:TAPICERIA"}, // Spanish: upholsterer
		{"KOWALSKI WEDLINY", "groceries", "term:WEDLINY"},       // Polish: cold cuts
		{"WWW.POLO-SHIRTS.CO.UK", "clothing", "term:SHIRTS"},    // inside a web address
		{"MAKRO SELF SERVICE", "groceries", "term:MAKRO"},       // a cash and carry
		{"HOLLYBANK CHIROPODIST", "doctor", "rule:doctor"},      // a keyword still decides first
		{"ODDLY NAMED PLACE", tally.Uncategorized, ""},          // no trade word: a person could not tell
		{"WWW.TODAYSTREET.COM", "shopping", "rule:web_shop"},    // a short piece of a label is no word
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -2500})
		if got.Category != tt.want || got.Matched != tt.matched {
			t.Errorf("Categorize(%q): got %s (%q), want %s (%q)", tt.desc, got.Category, got.Matched, tt.want, tt.matched)
		}
	}
}

// TestTradeTermsAreUnambiguous checks the generated word list: every word
// is a key the scanner can produce, its category exists, and the words the
// schema uses for more than one trade, or that name sellers of other
// trades, are not in it.
func TestTradeTermsAreUnambiguous(t *testing.T) {
	t.Parallel()
	f, err := os.Open("trade_terms.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	words := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 3 {
			t.Fatalf("trade_terms.tsv:%d: %d columns, want 3", n, len(cols))
		}
		if len(cols[0]) < 4 || strings.Trim(cols[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			t.Errorf("trade_terms.tsv:%d: %q is not a key of four letters or more", n, cols[0])
		}
		if _, ok := tally.LookupCategory(cols[1]); !ok {
			t.Errorf("trade_terms.tsv:%d: unknown category %q", n, cols[1])
		}
		words[cols[0]] = cols[1]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(words) < 5000 {
		t.Fatalf("got %d words, want the schema's thousands", len(words))
	}
	// BAR: a pub and a snack bar; GARDEN: a garden centre and a park;
	// SHOP and STORE: every trade; LOVE and IRISH: words of names.
	for _, w := range []string{"BAR", "GARDEN", "PARK", "SHOP", "STORE", "LOVE", "IRISH", "HOLIDAY"} {
		if c, ok := words[w]; ok {
			t.Errorf("%s is in the list (as %s), but it names no one trade", w, c)
		}
	}
}
