package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/tallyhq/tally/internal/loadgen"
)

// runLoadgen drives a running Tally with simulated users and prints what
// it measured as JSON. It fails when a user's transactions differ from the
// demo bank's.
func runLoadgen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c loadgen.Config
	var quiet bool
	fs := flag.NewFlagSet("tally loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Target, "target", "http://127.0.0.1:8080", "Tally's base URL (loopback only)")
	fs.IntVar(&c.Users, "users", 10, "simulated users, each linking one demo-bank login")
	fs.DurationVar(&c.Duration, "duration", 0, "how long the daily phase runs after the history import (default 2m)")
	fs.Float64Var(&c.Speed, "speed", 0, "simulated time per real time in the daily phase (default 1440: a day a minute)")
	fs.DurationVar(&c.RefreshEvery, "refresh-every", 0, "how often each user asks for a refresh (default 65s; the API allows one a minute)")
	fs.Float64Var(&c.ReadRatio, "read-ratio", 0, "reads per transaction written (default 0.1, the design's 500 M reads to 5 B transactions)")
	fs.IntVar(&c.Readers, "readers", 0, "concurrent readers (default 4)")
	fs.IntVar(&c.Connectors, "connectors", 0, "concurrent sign-ups and final checks (default 4)")
	fs.DurationVar(&c.Settle, "settle", 0, "how long the history import and the final catch-up may each take (default 5m)")
	fs.StringVar(&c.BankAddr, "bank-addr", "127.0.0.1:0", "where the load generator's demo bank listens (loopback)")
	fs.StringVar(&c.Tag, "tag", "", "makes this run's e-mails and logins unique (default: from the clock)")
	fs.BoolVar(&quiet, "quiet", false, "print only the JSON report")
	var probe loadgen.Probe
	var rate float64
	var token string
	fs.StringVar(&probe.URL, "get", "", "measure this one GET endpoint instead (a full loopback URL): its saturating rate, then its latencies at --rate")
	fs.Float64Var(&rate, "rate", 0, "with --get: requests a second, sent at a constant rate; 0 finds the saturating rate with --conns clients and uses half of it")
	fs.IntVar(&probe.Conns, "conns", 16, "with --get: clients when finding the saturating rate")
	fs.StringVar(&token, "token", "", "with --get: an API token sent as Authorization: Bearer (default $TALLY_TOKEN)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("loadgen: unexpected argument %q", fs.Arg(0))
	}
	if probe.URL != "" {
		probe.Duration = c.Duration
		if token == "" {
			token = os.Getenv("TALLY_TOKEN")
		}
		if token != "" {
			probe.Header = http.Header{"Authorization": {"Bearer " + token}}
		}
		return runProbe(ctx, &probe, rate, stdout)
	}
	if !quiet {
		c.Logf = func(format string, args ...any) { fmt.Fprintf(stderr, "loadgen: "+format+"\n", args...) }
	}
	rep, err := loadgen.Run(ctx, c)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	if !rep.OK() {
		return errors.New("loadgen: some users' transactions differ from the demo bank's")
	}
	return nil
}

// probeReport is what `tally loadgen --get URL` prints.
type probeReport struct {
	URL       string               `json:"url"`
	Saturated *loadgen.ProbeResult `json:"saturated,omitempty"` // when --rate was 0
	AtRate    *loadgen.ProbeResult `json:"at_rate"`
}

// runProbe measures one endpoint: its saturating rate unless rate is
// given, then its latencies at rate (half the saturating rate by default).
func runProbe(ctx context.Context, p *loadgen.Probe, rate float64, stdout io.Writer) error {
	rep := probeReport{URL: p.URL}
	if rate <= 0 {
		sat, err := p.Saturate(ctx)
		if err != nil {
			return err
		}
		rep.Saturated, rate = sat, sat.Achieved/2
	}
	at, err := p.AtRate(ctx, rate)
	if err != nil {
		return err
	}
	rep.AtRate = at
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}
