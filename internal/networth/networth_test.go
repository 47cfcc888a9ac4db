package networth

import (
	"fmt"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDaily(t *testing.T) {
	t.Parallel()
	flows := map[time.Time]int64{
		day("2026-01-02"): -500,
		day("2026-01-04"): 2000,
		day("2026-01-06"): -300,
	}
	cases := []struct {
		name    string
		anchors []Anchor
		want    string
	}{
		// Reported 10,000 at the end of the 5th: the days before subtract
		// the flows in between, the days after add them.
		{"one anchor", []Anchor{{day("2026-01-05"), 10000}}, "[8500 8000 8000 10000 10000 9700]"},
		// A later statement that disagrees wins for the days before it.
		{"two anchors", []Anchor{{day("2026-01-03"), 1000}, {day("2026-01-06"), 5000}}, "[1500 1000 1000 5300 5300 5000]"},
		{"no anchor", nil, "[0 -500 -500 1500 1500 1200]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Daily(flows, c.anchors, day("2026-01-01"), day("2026-01-06"))
			var bals []int64
			for _, d := range got {
				bals = append(bals, d.Balance)
			}
			if fmt.Sprint(bals) != c.want {
				t.Errorf("got %v, want %s", bals, c.want)
			}
		})
	}
}

func TestSumAndDays(t *testing.T) {
	t.Parallel()
	accounts := map[string][]Day{
		"checking": {{Day: day("2026-01-01"), Balance: 1000}, {Day: day("2026-01-03"), Balance: 1500}},
		"card":     {{Day: day("2026-01-02"), Balance: -400}},
	}
	got := Sum(accounts, Days(day("2026-01-01"), day("2026-01-03")))
	want := "[{1000 0 1000} {1000 400 600} {1500 400 1100}]"
	var s []string
	for _, p := range got {
		s = append(s, fmt.Sprintf("{%d %d %d}", p.Assets, p.Liabilities, p.Net()))
	}
	if fmt.Sprint(s) != want {
		t.Errorf("got %v, want %s", s, want)
	}
	if n := len(Days(day("2024-12-15"), day("2026-12-01"))); n != 25 {
		t.Errorf("24 months: got %d points, want 25 month ends", n)
	}
}

func ExampleDaily() {
	flows := map[time.Time]int64{day("2026-03-02"): -4500, day("2026-03-03"): 250000}
	for _, d := range Daily(flows, []Anchor{{day("2026-03-03"), 300000}}, day("2026-03-01"), day("2026-03-04")) {
		fmt.Println(d.Day.Format("2006-01-02"), d.Balance, d.Statement)
	}
	// Output:
	// 2026-03-01 54500 false
	// 2026-03-02 50000 false
	// 2026-03-03 300000 true
	// 2026-03-04 300000 false
}
