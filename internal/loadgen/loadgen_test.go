package loadgen

import (
	"testing"
	"time"
)

func TestPathOnly(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"/api/v1/transactions?limit=50":                          "/api/v1/transactions",
		"/api/v1/connections/06h3473v6gsmp16y2pzsdvvcdc/refresh": "/api/v1/connections/{id}/refresh",
		"/api/v1/accounts":                                       "/api/v1/accounts",
	} {
		if got := pathOnly(in); got != want {
			t.Errorf("pathOnly(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	t.Parallel()
	for target, ok := range map[string]bool{
		"http://127.0.0.1:8080": true,
		"http://localhost:8080": true,
		"http://[::1]:8080":     true,
		"http://127.1.2.3":      true,
		"http://10.0.0.1:8080":  false,
		"http://example.com":    false,
		"ftp://127.0.0.1":       false,
		"127.0.0.1:8080":        false,
	} {
		if err := CheckLoopback(target); (err == nil) != ok {
			t.Errorf("CheckLoopback(%q) = %v, want ok=%v", target, err, ok)
		}
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	var ds []time.Duration
	for i := 100; i >= 1; i-- {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := summarize(ds)
	if l.Count != 100 || l.P50 != 50 || l.P95 != 95 || l.P99 != 99 || l.Max != 100 {
		t.Fatalf("summarize = %+v, want p50 50, p95 95, p99 99, max 100", l)
	}
}

// The bank's clock stands still until it runs, then runs at its speed,
// and freezing it keeps the time reached.
func TestClock(t *testing.T) {
	t.Parallel()
	base := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	real := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	c := &clock{real: func() time.Time { return real }, base: base}
	real = real.Add(time.Hour)
	if !c.Now().Equal(base) {
		t.Fatalf("a frozen clock moved: %v", c.Now())
	}
	c.run(1440) // a day a minute
	real = real.Add(90 * time.Second)
	end := c.freeze()
	if want := base.Add(36 * time.Hour); !end.Equal(want) {
		t.Fatalf("90 s at a day a minute took the clock to %v, want %v", end, want)
	}
	real = real.Add(time.Hour)
	if !c.Now().Equal(end) {
		t.Fatalf("a frozen clock moved from %v to %v", end, c.Now())
	}
}

// bankCount counts each transaction once across consecutive windows.
func TestBankCountWindows(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 11, 1, 9, 30, 0, 0, time.UTC)
	t1 := t0.Add(36 * time.Hour)
	t2 := t1.Add(50 * time.Hour)
	whole := bankCount("lg-window", time.Time{}, t0) + bankCount("lg-window", t0, t2)
	split := bankCount("lg-window", time.Time{}, t0) + bankCount("lg-window", t0, t1) + bankCount("lg-window", t1, t2)
	if whole != split || bankCount("lg-window", t0, t2) == 0 {
		t.Fatalf("one window %d, two windows %d; want equal and new lines in 86 hours", whole, split)
	}
}
