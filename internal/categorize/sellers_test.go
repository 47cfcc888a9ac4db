package categorize_test

import (
	"os"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// readSellerFile reads one of the embedded seller lists with the parser
// the engine uses.
func readSellerFile(t *testing.T, path string) []categorize.Seller {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sellers, err := categorize.ReadSellers(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return sellers
}

// TestSellerAliasesNameTheSeller checks that no alias of a hand-listed
// seller is the name of another brand in the open-data index: a purchase at
// No Frills shows as No Frills, not as Loblaws, and is counted apart from
// it. Brands that are one seller under two names are listed.
func TestSellerAliasesNameTheSeller(t *testing.T) {
	t.Parallel()
	sameSeller := map[string]string{ // alias key: the open-data brand it is
		"PLUMBCENTER":         "Wolseley", // Wolseley's trade counters
		"PLUMBCENTRE":         "Wolseley",
		"TEAMSPORTKARTING":    "TeamSport Go Karting",
		"JURYS":               "Leonardo Hotels", // Jurys Inns became Leonardo hotels
		"HALLENSTEINBROTHERS": "Hallenstein Brothers",
		"VIRGINMOBILE":        "Virgin Plus", // Virgin Mobile Canada's new name
		"THREESTORE":          "3 Store",     // Three's own shops
		"HOFFNER":             "Höffner",     // HOEFFNER, its name without the umlaut
	}
	brandOf := map[string]string{} // a name's key: the open-data brand's name
	for _, b := range readSellerFile(t, "sellers_nsi.tsv") {
		for _, n := range append([]string{b.Name}, b.Aliases...) {
			brandOf[categorize.ComparisonKey(n)] = b.Name
		}
	}
	for _, s := range readSellerFile(t, "sellers.tsv") {
		own := categorize.ComparisonKey(s.Name)
		for _, a := range s.Aliases {
			k := categorize.ComparisonKey(a)
			brand, ok := brandOf[k]
			if !ok {
				continue
			}
			other := categorize.ComparisonKey(brand)
			if strings.Contains(own, other) || strings.Contains(other, own) {
				continue // the same brand, more or less of its name
			}
			if want, ok := sameSeller[k]; ok && want == brand {
				continue
			}
			t.Errorf("sellers.tsv: %s has the alias %q, the name of the open-data brand %s", s.ID, a, brand)
		}
	}
}

// TestSellerNamesReachTheirSeller checks that the name and aliases of each
// hand-listed seller and each Japanese brand, printed alone, file under
// that seller or, when a rule takes the line, under its top-level
// category: an alias the normalizer can never produce is dead weight, and
// one that lands in another trade is a bug. The spellings listed are read
// otherwise on purpose.
func TestSellerNamesReachTheirSeller(t *testing.T) {
	t.Parallel()
	readOtherwise := map[string]string{
		"76":           "a number alone is a store or terminal number",
		"711":          "a number alone is a store or terminal number",
		"APS":          "a Danish company form",
		"SAS":          "a French company form",
		"ALAMO DRAFT":  "DRAFT alone is a bank draft",
		"F45 TRAINING": "a letter with digits is a reference",
		"TESCO PFS":    "the filling-station rule files Tesco's petrol stations under fuel",
		"YX ENERGI":    "ENERGI is an energy supplier's word",
		"SL ACCESS":    "ACCESS is a self-storage brand's name",
		"PMT ONLINE":   "PMT is a payment word",
	}
	sellers := append(readSellerFile(t, "sellers.tsv"), readSellerFile(t, "sellers_ja.tsv")...)
	for _, s := range sellers {
		for _, name := range append([]string{s.Name}, s.Aliases...) {
			if _, ok := readOtherwise[strings.ToUpper(name)]; ok {
				continue
			}
			r := engine.Categorize(categorize.Input{Description: name, Amount: -1000})
			if r.Key != s.ID && tally.TopLevel(r.Category) != tally.TopLevel(s.Category) {
				t.Errorf("%q: got %s (%s, %s), want the seller %s (%s)", name, r.Key, r.Category, r.Matched, s.ID, s.Category)
			}
		}
	}
}
