package loadgen

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Probe measures one GET endpoint: how many requests a second it answers
// when Conns clients each send the next request as soon as the last is
// answered (its saturating rate), and its latencies when requests arrive at
// a constant Rate whatever the answers do.
//
// At a constant rate each request has a time it is due, and its latency is
// counted from then, not from when a client got round to sending it: a
// server that stalls for a second is charged the second to every request
// that fell due meanwhile (no coordinated omission, the fault of pacing each
// connection by its own answers).
type Probe struct {
	URL      string        // the endpoint, on a loopback address
	Header   http.Header   // sent with every request, e.g. Authorization
	Conns    int           // clients when saturating; at least this many in flight at a rate (default 16)
	Duration time.Duration // how long each measurement runs (default 5s)
	Client   *http.Client  // one with a connection per client when nil

	onDue func(i int) // called as request i falls due (tests)
}

// ProbeResult is one measurement.
type ProbeResult struct {
	Rate     float64 `json:"rate"`     // requests a second asked for; 0 when saturating
	Achieved float64 `json:"achieved"` // requests a second answered
	Requests int64   `json:"requests"`
	Errors   int64   `json:"errors"` // transport errors and answers other than 200
	Latency
}

func (p *Probe) defaults() error {
	if err := CheckLoopback(p.URL); err != nil {
		return err
	}
	if p.Conns <= 0 {
		p.Conns = 16
	}
	if p.Duration <= 0 {
		p.Duration = 5 * time.Second
	}
	if p.Client == nil {
		p.Client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 4 * p.Conns, MaxIdleConnsPerHost: 4 * p.Conns, IdleConnTimeout: time.Minute,
		}}
	}
	return nil
}

// get sends one request; it reports false on a transport error or an
// answer other than 200.
func (p *Probe) get(ctx context.Context) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL, nil)
	if err != nil {
		return false
	}
	for k, vs := range p.Header {
		req.Header[k] = vs
	}
	res, err := p.Client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// Saturate runs Conns clients back to back for Duration.
func (p *Probe) Saturate(ctx context.Context) (*ProbeResult, error) {
	if err := p.defaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, p.Duration)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	var errs atomic.Int64
	start := time.Now()
	var wg sync.WaitGroup
	for range p.Conns {
		wg.Go(func() {
			var mine []time.Duration
			for ctx.Err() == nil {
				t := time.Now()
				ok := p.get(ctx)
				if ctx.Err() != nil {
					break // cut short by the end of the run
				}
				mine = append(mine, time.Since(t))
				if !ok {
					errs.Add(1)
				}
			}
			mu.Lock()
			all = append(all, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	secs := time.Since(start).Seconds()
	return &ProbeResult{Achieved: float64(len(all)) / secs, Requests: int64(len(all)), Errors: errs.Load(), Latency: *summarize(all)}, nil
}

// AtRate sends rate requests a second for Duration, each due at its own
// time, and counts each latency from the time it was due. Requests that
// cannot be sent because every client is busy wait, and their wait counts.
func (p *Probe) AtRate(ctx context.Context, rate float64) (*ProbeResult, error) {
	if err := p.defaults(); err != nil {
		return nil, err
	}
	if rate <= 0 {
		return nil, fmt.Errorf("loadgen: rate %v: want requests a second above 0", rate)
	}
	n := int(rate * p.Duration.Seconds())
	if n < 1 {
		return nil, fmt.Errorf("loadgen: rate %v for %v sends no request", rate, p.Duration)
	}
	interval := time.Duration(float64(time.Second) / rate)
	due := make(chan time.Time, n)
	lat := make([]time.Duration, n)
	var next, errs atomic.Int64
	start := time.Now()
	// Enough clients that a request rarely waits for one at rates the
	// server keeps up with; when it falls behind, requests queue.
	clients := 4 * p.Conns
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for at := range due {
				ok := p.get(ctx)
				i := next.Add(1) - 1
				lat[i] = time.Since(at)
				if !ok {
					errs.Add(1)
				}
			}
		})
	}
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if d := time.Until(at); d > 0 {
			timer := time.NewTimer(d)
			select {
			case <-timer.C:
			case <-ctx.Done():
				timer.Stop()
				close(due)
				wg.Wait()
				return nil, ctx.Err()
			}
		}
		due <- at
		if p.onDue != nil {
			p.onDue(i)
		}
	}
	close(due)
	wg.Wait()
	secs := time.Since(start).Seconds()
	return &ProbeResult{Rate: rate, Achieved: float64(n) / secs, Requests: int64(n), Errors: errs.Load(), Latency: *summarize(lat)}, nil
}
