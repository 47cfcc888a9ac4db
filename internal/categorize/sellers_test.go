package categorize_test

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// sellerNames reads a seller list (sellers.tsv, sellers_nsi.tsv) as the
// display name and aliases of each seller id, every name keyed on its
// letters and digits in upper case.
func sellerNames(t *testing.T, path string) (ids []string, names map[string][]string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names = map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) < 3 {
			t.Fatalf("%s: %q: got %d fields, want at least 3", path, line, len(f))
		}
		all := []string{f[1]}
		if len(f) > 3 && f[3] != "" {
			all = append(all, strings.Split(f[3], "|")...)
		}
		for _, n := range all {
			names[f[0]] = append(names[f[0]], nameKey(n))
		}
		ids = append(ids, f[0])
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ids, names
}

func nameKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
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
	}
	_, nsi := sellerNames(t, "sellers_nsi.tsv")
	brandOf := map[string]string{} // name key: open-data seller id
	for id, keys := range nsi {
		for _, k := range keys {
			brandOf[k] = id
		}
	}
	ids, hand := sellerNames(t, "sellers.tsv")
	for _, id := range ids {
		own := hand[id][0]
		for _, k := range hand[id][1:] {
			b, ok := brandOf[k]
			if !ok {
				continue
			}
			other := nsi[b][0]
			if strings.Contains(own, other) || strings.Contains(other, own) {
				continue // the same brand, more or less of its name
			}
			if want, ok := sameSeller[k]; ok && nameKey(want) == other {
				continue
			}
			t.Errorf("sellers.tsv: %s has the alias %s, the name of the open-data brand %s", id, k, b)
		}
	}
}

// TestSellerNamesReachTheirSeller checks that each hand-listed seller's
// name and aliases, and each Japanese brand's, printed alone, file under that seller or, when a rule
// takes the line, under the seller's top-level category: an alias the
// normalizer can never produce is dead weight, and one that lands in
// another trade is a bug. The spellings listed are read otherwise on
// purpose.
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
	var sellers []categorize.Seller
	for _, path := range []string{"sellers.tsv", "sellers_ja.tsv"} {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		list, err := categorize.ReadSellers(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sellers = append(sellers, list...)
	}
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
