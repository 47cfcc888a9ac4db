package loadgen

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAtRateChargesAStallToEveryRequestDueDuringIt: a server that stops
// answering for a while is charged the wait of every request that fell due
// meanwhile, not only of the few it was holding (which is all a client that
// paces itself by the answers would count).
func TestAtRateChargesAStallToEveryRequestDueDuringIt(t *testing.T) {
	t.Parallel()
	const stall = 300 * time.Millisecond
	var once sync.Once
	var seen atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) == 5 {
			// The server stalls: the requests it holds and every one
			// sent meanwhile wait.
			once.Do(func() { time.Sleep(stall) })
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	// One client: a stall holds the only connection.
	p := &Probe{URL: srv.URL, Conns: 1, Duration: time.Second}
	p.Client = &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	res, err := p.AtRate(context.Background(), 200)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 200 || res.Errors != 0 {
		t.Fatalf("got %d requests and %d errors, want 200 and 0", res.Requests, res.Errors)
	}
	// About 60 requests fall due during the stall, a quarter of the run;
	// a tenth of them wait at least a third of it.
	if res.P95 < float64(stall.Milliseconds())/3 {
		t.Errorf("p95 %.1f ms, want at least %d ms: requests due during the stall were not charged its wait", res.P95, stall.Milliseconds()/3)
	}
	if res.Max < float64(stall.Milliseconds())*0.9 {
		t.Errorf("max %.1f ms, want about the stall's %d ms", res.Max, stall.Milliseconds())
	}
}

func TestSaturateCountsAnswersAndErrors(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 0 {
			http.Error(w, "no", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	p := &Probe{URL: srv.URL, Conns: 2, Duration: 200 * time.Millisecond}
	res, err := p.Saturate(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests < 10 || res.Achieved <= 0 {
		t.Fatalf("got %d requests at %.0f/s, want a measured rate", res.Requests, res.Achieved)
	}
	if half := res.Requests / 2; res.Errors < half-2 || res.Errors > half+2 {
		t.Errorf("got %d errors of %d requests, want every other one", res.Errors, res.Requests)
	}
}

func TestProbeTargetsOnlyThisMachine(t *testing.T) {
	t.Parallel()
	p := &Probe{URL: "http://192.0.2.1/api/v1/summary"}
	if _, err := p.AtRate(context.Background(), 10); err == nil {
		t.Fatal("a probe of another machine was not refused")
	}
}
