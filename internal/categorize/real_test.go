package categorize_test

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// realLine is one line of testdata/real/real.tsv.
type realLine struct {
	line     int
	in       categorize.Input
	want     string // top-level category
	country  string
	language string
	heldOut  bool
}

// heldOut puts about 30 % of the real lines aside, by a hash of the
// descriptor, so the split never changes when lines are added. The held-out
// part is measured, never tuned on: its misses are not printed.
func heldOut(desc string) bool {
	h := fnv.New32a()
	h.Write([]byte(desc))
	return h.Sum32()%100 < 30
}

// area groups countries into the regions accuracy is reported for.
func area(country string) string {
	switch country {
	case "US", "CA":
		return "north-america"
	case "GB", "IE":
		return "uk-ireland"
	case "NO", "SE", "DK", "FI", "IS", "EE", "LV", "LT":
		return "nordic-baltic"
	case "AU", "NZ", "SG", "JP", "CN", "HK", "IN", "TW", "KR", "MY":
		return "asia-pacific"
	case "BR", "MX", "AR", "CO", "CL":
		return "latin-america"
	case "NG", "ZA", "KE", "EG", "AE", "IL":
		return "africa-middle-east"
	default:
		return "continental-europe"
	}
}

func readReal(t *testing.T) []realLine {
	t.Helper()
	f, err := os.Open("testdata/real/real.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []realLine
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Text()
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) != 9 {
			t.Fatalf("real.tsv:%d: got %d fields, want 9", n, len(f))
		}
		if c, ok := tally.LookupCategory(f[1]); !ok || c.Parent != "" {
			t.Fatalf("real.tsv:%d: %q is not a top-level category", n, f[1])
		}
		if f[2] != "" {
			if c, ok := tally.LookupCategory(f[2]); !ok || c.Parent != f[1] {
				t.Fatalf("real.tsv:%d: %q is not a subcategory of %q", n, f[2], f[1])
			}
		}
		if f[8] == "" {
			t.Fatalf("real.tsv:%d: no source", n)
		}
		l := realLine{line: n, want: f[1], country: f[3], language: f[4], heldOut: heldOut(f[0])}
		l.in = categorize.Input{Description: f[0], Type: f[6], MCC: f[7]}
		if f[5] != "" {
			if l.in.Amount, err = strconv.ParseInt(f[5], 10, 64); err != nil {
				t.Fatalf("real.tsv:%d: amount: %v", n, err)
			}
		}
		out = append(out, l)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type tally2 struct{ correct, total int }

func (s tally2) String() string {
	if s.total == 0 {
		return "0/0"
	}
	return fmt.Sprintf("%d/%d = %.3f", s.correct, s.total, float64(s.correct)/float64(s.total))
}

func (s tally2) acc() float64 { return float64(s.correct) / float64(s.total) }

// TestRealAccuracy measures top-level accuracy on real bank text from other
// projects' fixtures, on the tuning and the held-out part, overall and per
// region. Misses are logged for the tuning part only.
func TestRealAccuracy(t *testing.T) {
	t.Parallel()
	lines := readReal(t)
	if len(lines) < 2150 {
		t.Fatalf("got %d real lines, want at least 2150", len(lines))
	}
	parts := map[string]map[string]*tally2{"tuning": {}, "held-out": {}}
	for _, l := range lines {
		part := "tuning"
		if l.heldOut {
			part = "held-out"
		}
		got := engine.Categorize(l.in)
		ok := tally.TopLevel(got.Category) == l.want
		for _, k := range []string{"all", area(l.country)} {
			s := parts[part][k]
			if s == nil {
				s = &tally2{}
				parts[part][k] = s
			}
			s.total++
			if ok {
				s.correct++
			}
		}
		if !ok && !l.heldOut {
			t.Logf("real.tsv:%d: %q: got %s (%s, %q), want %s",
				l.line, l.in.Description, got.Category, got.Matched, got.Merchant, l.want)
		}
	}
	for _, part := range []string{"tuning", "held-out"} {
		keys := make([]string, 0, len(parts[part]))
		for k := range parts[part] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			t.Logf("%s %s: %v", part, k, *parts[part][k])
		}
	}
	// Floors set from the measured figures (docs/benchmarks.md); they
	// catch regressions, not the goal.
	for part, min := range map[string]float64{"tuning": minRealTuning, "held-out": minRealHeldOut} {
		if s := parts[part]["all"]; s == nil || s.acc() < min {
			t.Errorf("%s accuracy: got %v, want at least %.3f", part, s, min)
		}
	}
}

const (
	// The thirteenth and fourteenth collections (477 lines that arrived
	// at 67 to 78 %) lowered both from 1697/1820 and 643/788 on the 2,608
	// lines before them.
	minRealTuning  = 0.91 // measured 2051/2222 = 0.923 (3,180 lines)
	minRealHeldOut = 0.79 // measured 770/958 = 0.804 (3,180 lines)
)

// BenchmarkCategorizeReal categorizes the real-text set's descriptors, both
// parts, in turn: European SEPA lines are longer than US card lines.
func BenchmarkCategorizeReal(b *testing.B) {
	var t testing.T
	lines := readReal(&t)
	inputs := make([]categorize.Input, len(lines))
	for i, l := range lines {
		inputs[i] = l.in
	}
	e := categorize.New()
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		e.Categorize(inputs[n%len(inputs)])
		n++
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "descriptors/s")
}
