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
// paces itself by the answers would count). The server stalls on its first
// request until 60 more requests have fallen due (about 300 ms at 200 a
// second).
func TestAtRateChargesAStallToEveryRequestDueDuringIt(t *testing.T) {
	t.Parallel()
	const dueDuring = 60
	var (
		stalling atomic.Bool
		counted  atomic.Int64
		release  = make(chan struct{})
		released sync.Once
		stall    time.Duration
		seen     atomic.Int64
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) == 1 {
			// The server stalls: the request it holds and every one
			// that falls due meanwhile wait.
			began := time.Now()
			stalling.Store(true)
			<-release
			stall = time.Since(began)
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()
	// One client: a stall holds the only connection.
	p := &Probe{URL: srv.URL, Conns: 1, Duration: time.Second}
	p.Client = &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	const n = 200
	p.onDue = func(i int) {
		if (stalling.Load() && counted.Add(1) == dueDuring) || i == n-1 {
			released.Do(func() { close(release) })
		}
	}
	res, err := p.AtRate(context.Background(), n)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != n || res.Errors != 0 {
		t.Fatalf("got %d requests and %d errors, want %d and 0", res.Requests, res.Errors, n)
	}
	if got := counted.Load(); got < dueDuring {
		t.Fatalf("only %d requests fell due during the stall, want %d: the first request reached the server too late", got, dueDuring)
	}
	// 60 of the 200 requests fall due during the stall; those of its first
	// two thirds, a fifth of the run, wait at least a third of it.
	ms := float64(stall) / float64(time.Millisecond)
	if res.P95 < ms/3 {
		t.Errorf("p95 %.1f ms, want at least %.1f ms: requests due during the %.0f ms stall were not charged its wait", res.P95, ms/3, ms)
	}
	if res.Max < ms*0.9 {
		t.Errorf("max %.1f ms, want about the stall's %.0f ms", res.Max, ms)
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
