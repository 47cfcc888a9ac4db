package categorize_test

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// syntheticSellers returns n made-up sellers shaped like real ones: a name
// of one to three invented words, an upper-case alias and an abbreviated
// one, a random spending category.
func syntheticSellers(n int) []categorize.Seller {
	r := rand.New(rand.NewPCG(1, 2))
	syll := []string{"ka", "lo", "mi", "ra", "ven", "tor", "al", "be", "cor", "dan", "el", "fi", "gra", "ho", "ix", "ju", "ken", "lux", "mor", "nex", "ol", "pra", "qui", "ros", "sil", "tam", "ur", "vi", "wex", "yor", "zan"}
	var cats []string
	for _, c := range tally.Categories() {
		if tally.IsSpending(c.ID) && c.Parent != "" {
			cats = append(cats, c.ID)
		}
	}
	word := func() string {
		var b strings.Builder
		for k := 2 + r.IntN(2); k > 0; k-- {
			b.WriteString(syll[r.IntN(len(syll))])
		}
		w := b.String()
		return strings.ToUpper(w[:1]) + w[1:]
	}
	out := make([]categorize.Seller, n)
	for i := range out {
		words := make([]string, 1+r.IntN(3))
		for j := range words {
			words[j] = word()
		}
		// A last word spelled from i keeps names unique.
		var tag strings.Builder
		for v := i; ; v /= len(syll) {
			tag.WriteString(syll[v%len(syll)])
			if v < len(syll) {
				break
			}
		}
		name := strings.Join(words, " ") + " " + strings.ToUpper(tag.String()[:1]) + tag.String()[1:]
		abbrev := strings.ToUpper(strings.ReplaceAll(name, " ", ""))
		if len(abbrev) > 12 {
			abbrev = abbrev[:12] + fmt.Sprint(i)
		}
		out[i] = categorize.Seller{ID: fmt.Sprintf("s%06d", i), Name: name, Category: cats[r.IntN(len(cats))],
			Aliases: []string{strings.ToUpper(name) + " INC", abbrev}}
	}
	return out
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// dictionaryBytes builds a dictionary of n synthetic sellers and returns the
// heap it holds once the input is gone: everything, strings included.
func dictionaryBytes(t testing.TB, n int) uint64 {
	before := heapAlloc()
	d, err := categorize.NewDictionary(syntheticSellers(n))
	if err != nil {
		t.Fatal(err)
	}
	after := heapAlloc()
	runtime.KeepAlive(d)
	return after - before
}

// The design asks for 50,000 sellers in at most 12 MB. Not parallel: the
// measurement wants no other test allocating meanwhile.
func TestDictionaryMemory50k(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 50,000-seller dictionary")
	}
	b := dictionaryBytes(t, 50_000)
	t.Logf("50,000 sellers: %.1f MB, %d bytes a seller", float64(b)/(1<<20), b/50_000)
	if b > 12<<20 {
		t.Errorf("50,000 sellers take %.1f MB, want at most 12 MB", float64(b)/(1<<20))
	}
}

func BenchmarkDictionaryMemory50k(b *testing.B) {
	var total uint64
	for b.Loop() {
		total = dictionaryBytes(b, 50_000)
	}
	b.ReportMetric(float64(total)/50_000, "bytes/seller")
	b.ReportMetric(float64(total)/(1<<20), "MB/50k")
}

// Normalize plus look-up against the 50,000-seller dictionary.
func BenchmarkCategorize50k(b *testing.B) {
	sellers := syntheticSellers(50_000)
	real, err := categorize.ReadSellers(strings.NewReader(""))
	if err != nil {
		b.Fatal(err)
	}
	d, err := categorize.NewDictionary(append(real, sellers...))
	if err != nil {
		b.Fatal(err)
	}
	e := categorize.NewEngine(d)
	inputs := append([]categorize.Input(nil), benchInputs...)
	for i := 0; i < 16; i++ {
		s := sellers[i*3001]
		inputs = append(inputs, categorize.Input{Description: "POS DEBIT 0423 " + strings.ToUpper(s.Name) + " HOUSTON TX", Amount: -1000})
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e.Categorize(inputs[n%len(inputs)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "descriptors/s")
}
