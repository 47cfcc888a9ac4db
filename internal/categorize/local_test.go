package categorize_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// The embedded list files a business whose name states no trade by the
// trade the register gives it, on its own and as the first word of a
// branch's name, and says so in Matched.
func TestLocalSellersFileTheirTrade(t *testing.T) {
	t.Parallel()
	l := categorize.DefaultLocalSellers()
	if l.Len() < 1000 {
		t.Fatalf("embedded local sellers: %d, want the generated list", l.Len())
	}
	if c, ok := l.Lookup("Panahar"); !ok || c != "restaurants" {
		t.Fatalf("Lookup(Panahar) = %q, %v; want restaurants", c, ok)
	}
	e := categorize.New()
	for _, tc := range []struct{ desc, matched string }{
		{"PANAHAR", "local:PANAHAR"},
		{"PANAHAR LONDON GB", "local:PANAHAR"},
		{"BALANS SOHO", "local:BALANS"}, // a branch of a single-word name
	} {
		r := e.Categorize(categorize.Input{Description: tc.desc, Amount: -2500})
		if r.Category != "restaurants" || r.Source != tally.SourceDictionary || r.Matched != tc.matched {
			t.Errorf("%q: got %s (%s, %q), want restaurants by %s", tc.desc, r.Category, r.Source, r.Matched, tc.matched)
		}
	}
	// Without the list the same lines are unknown: the list decided.
	if r := e.WithLocal(nil).Categorize(categorize.Input{Description: "PANAHAR", Amount: -2500}); r.Source != tally.SourceNone {
		t.Errorf("PANAHAR without the list: got %s (%s), want uncategorized", r.Category, r.Matched)
	}
}

// A brand, a trade word after a partial match and the name's own trade
// word all come before the list.
func TestLocalSellersYield(t *testing.T) {
	t.Parallel()
	l, err := categorize.NewLocalSellers([]categorize.LocalSeller{
		{Name: "Zorblatt", Category: "restaurants"},
		{Name: "The Quenby Arms", Category: "alcohol_bars"},
	})
	if err != nil {
		t.Fatal(err)
	}
	d, err := categorize.NewDictionary([]categorize.Seller{{ID: "zorblatt", Name: "Zorblatt", Category: "electronics_software"}})
	if err != nil {
		t.Fatal(err)
	}
	withBrand := categorize.NewEngine(d).WithLocal(l)
	if r := withBrand.Categorize(categorize.Input{Description: "ZORBLATT 0423", Amount: -900}); r.Category != "electronics_software" || r.Matched != "seller:zorblatt" {
		t.Errorf("a brand of the same name: got %s (%s), want the brand's electronics_software", r.Category, r.Matched)
	}
	e := categorize.New().WithLocal(l)
	for _, tc := range []struct{ desc, cat, matched string }{
		{"QUENBY ARMS", "alcohol_bars", "local:QUENBYARMS"}, // THE is optional
		{"THE QUENBY ARMS LEICESTER", "alcohol_bars", "local:QUENBYARMS"},
		{"ZORBLATT", "restaurants", "local:ZORBLATT"},
		{"ZORBLATT SOLICITORS", "legal", "rule:legal"}, // the trade word after a partial match
		{"ZORBLATTS", "uncategorized", ""},             // no prefix of a word
	} {
		r := e.Categorize(categorize.Input{Description: tc.desc, Amount: -900})
		if r.Category != tc.cat || r.Matched != tc.matched {
			t.Errorf("%q: got %s (%q), want %s (%q)", tc.desc, r.Category, r.Matched, tc.cat, tc.matched)
		}
	}
	if _, err := categorize.NewLocalSellers([]categorize.LocalSeller{{Name: "Zorblatt", Category: "restaurants"}, {Name: "ZORBLATT", Category: "hotel"}}); err == nil {
		t.Error("one name with two trades: got no error")
	}
	if _, err := categorize.NewLocalSellers([]categorize.LocalSeller{{Name: "Zorblatt", Category: "no_such"}}); err == nil {
		t.Error("an unknown category: got no error")
	}
}

// --explain (Engine.Explain) shows the list as its own kind of match.
func TestLocalSellersExplain(t *testing.T) {
	t.Parallel()
	x := categorize.New().Explain(categorize.Input{Description: "POS 1234 PANAHAR", Amount: -3100}, nil)
	if x.Matched != "local:PANAHAR" || x.Kept != "PANAHAR" || x.Category != "restaurants" {
		t.Errorf("Explain: got %+v, want restaurants matched local:PANAHAR", x)
	}
}

// Every embedded entry keeps its trade when its name is the whole line:
// nothing earlier in the engine (a brand, a keyword) takes it, or the
// generator would have left it out.
func TestLocalSellersEmbeddedReachable(t *testing.T) {
	t.Parallel()
	list, err := categorize.ReadLocalSellers(strings.NewReader(localTSVForTest(t)))
	if err != nil {
		t.Fatal(err)
	}
	e := categorize.New()
	bad := 0
	for _, s := range list {
		r := e.Categorize(categorize.Input{Description: s.Name, Amount: -1000})
		if !strings.HasPrefix(r.Matched, "local:") && bad < 10 {
			bad++
			t.Errorf("%q: got %s (%s), want %s from the list", s.Name, r.Category, r.Matched, s.Category)
		}
	}
}

func localTSVForTest(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("local_sellers.tsv")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// syntheticLocal returns n made-up local businesses named as
// syntheticSellers names sellers.
func syntheticLocal(n int) []categorize.LocalSeller {
	sellers := syntheticSellers(n)
	out := make([]categorize.LocalSeller, n)
	for i, s := range sellers {
		out[i] = categorize.LocalSeller{Name: s.Name, Category: s.Category}
	}
	return out
}

func localBytes(t testing.TB, n int) uint64 {
	list := syntheticLocal(n)
	before := heapAlloc()
	l, err := categorize.NewLocalSellers(list)
	if err != nil {
		t.Fatal(err)
	}
	after := heapAlloc()
	runtime.KeepAlive(l)
	runtime.KeepAlive(list)
	return after - before
}

// The list counts against the design's 12 MB per 50,000 sellers. Not
// parallel: the measurement wants no other test allocating meanwhile.
func TestLocalSellersMemory50k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 50,000-business list")
	}
	b := localBytes(t, 50_000)
	t.Logf("50,000 local businesses: %.2f MB, %d bytes a business", float64(b)/(1<<20), b/50_000)
	if b > 12<<20 {
		t.Errorf("50,000 local businesses take %.1f MB, want at most 12 MB", float64(b)/(1<<20))
	}
}

func BenchmarkLocalSellersMemory50k(b *testing.B) {
	var total uint64
	for b.Loop() {
		total = localBytes(b, 50_000)
	}
	b.ReportMetric(float64(total)/50_000, "bytes/business")
	b.ReportMetric(float64(total)/(1<<20), "MB/50k")
}

// The look-up allocates nothing: a line the list files costs no more
// allocations than the same line unknown.
func TestLocalSellersNoAlloc(t *testing.T) {
	e := categorize.New()
	in := categorize.Input{Description: "POS 1234 BALANS SOHO", Amount: -2500}
	with := testing.AllocsPerRun(100, func() { e.Categorize(in) })
	without := testing.AllocsPerRun(100, func() { e.WithLocal(nil).Categorize(in) })
	if with > without {
		t.Errorf("Categorize of a local business: %v allocations, %v without the list", with, without)
	}
}

// BenchmarkCategorizeUnknownUK is a line no list knows, with and without
// the local businesses: what the look-up adds to an unknown seller.
func BenchmarkCategorizeUnknownUK(b *testing.B) {
	in := categorize.Input{Description: "ZORBLATT QUENBY WESTHAM", Amount: -1250}
	for _, tc := range []struct {
		name string
		e    *categorize.Engine
	}{{"with-list", categorize.New()}, {"without-list", categorize.New().WithLocal(nil)}} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				tc.e.Categorize(in)
			}
		})
	}
}

// BenchmarkCategorizeRealLocal is BenchmarkCategorizeReal with and
// without the list of local businesses, in one binary: what the look-up
// costs on real lines.
func BenchmarkCategorizeRealLocal(b *testing.B) {
	var t testing.T
	lines := readReal(&t)
	inputs := make([]categorize.Input, len(lines))
	for i, l := range lines {
		inputs[i] = l.in
	}
	for _, tc := range []struct {
		name string
		e    *categorize.Engine
	}{{"with-list", categorize.New()}, {"without-list", categorize.New().WithLocal(nil)}, {"with-list-again", categorize.New()}} {
		b.Run(tc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				tc.e.Categorize(inputs[n%len(inputs)])
				n++
			}
		})
	}
}
