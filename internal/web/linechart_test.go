package web

import (
	"strings"
	"testing"
	"time"
)

func TestMonthEnds(t *testing.T) {
	t.Parallel()
	got := monthEnds(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), 4)
	want := []string{"2025-12-31", "2026-01-31", "2026-02-28", "2026-03-15"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i].Format("2006-01-02") != want[i] {
			t.Errorf("month end %d: got %s, want %s", i, got[i].Format("2006-01-02"), want[i])
		}
	}
}

func TestLineChart(t *testing.T) {
	t.Parallel()
	if lineChart("Empty", nil) != "" {
		t.Error("no points should draw no chart")
	}
	svg := string(lineChart("Net <worth>", []linePoint{{Label: "Jan", Value: -100, Partial: true}, {Label: "Feb", Value: 0}, {Label: "Mar", Value: 300}}))
	for _, want := range []string{`role="img"`, `<title id="chart-net-worth">Net &lt;worth&gt;</title>`, `points="0.0,160.0 500.0,120.0 1000.0,0.0"`,
		`class="axis" x1="0" x2="1000" y1="120.0"`, ">Jan</text>", ">Mar</text>"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %q: %s", want, svg)
		}
	}
	if n := strings.Count(svg, `class="dot"`); n != 2 {
		t.Errorf("got %d full point markers, want 2", n)
	}
	// A figure known to be incomplete is drawn hollow.
	if n := strings.Count(svg, `class="dot partial"`); n != 1 {
		t.Errorf("got %d hollow point markers, want 1", n)
	}
	one := string(lineChart("One", []linePoint{{Label: "Dec", Value: 500}}))
	if !strings.Contains(one, `cx="50.00%"`) {
		t.Errorf("a single point should sit in the middle: %s", one)
	}
}
