package main

import (
	"bufio"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/demobank"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/notify"
	"github.com/tallyhq/tally/internal/ofx"
)

const demoEmail = "demo@tally.local"

// demoPassword derives the demo user's password from the secret key, so it
// is stable across restarts of one data dir and different for every one.
func demoPassword(key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("tally demo user password"))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))[:16]
}

// setUpDemo creates the demo user, sets its password, and links the demo
// bank's accounts when the user has none yet.
func (m *Main) setUpDemo(ctx context.Context, key []byte) error {
	password := demoPassword(key)
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	u, _, err := m.Store.UserByEmail(ctx, demoEmail)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		u, err = m.Store.CreateUser(ctx, demoEmail, hash)
	} else if err == nil {
		err = m.Store.SetPassword(ctx, u.ID, hash)
	}
	if err != nil {
		return err
	}
	conns, err := m.Store.Connections(ctx, u.ID)
	if err != nil {
		return err
	}
	if len(conns) == 0 {
		// Budgets and alerts to look at: a monthly income for the template,
		// and one budget of the demo user's own, set low. Set before the
		// link, so the first sync's budget check sees them.
		month := notify.CurrentMonth(time.Now(), u.TimeZone)
		if _, err := m.Store.UpdateProfile(ctx, u.ID, month, func(p *tally.Profile) error {
			p.MonthlyIncome = 620000
			return nil
		}); err != nil {
			return err
		}
		if err := m.Store.SetBudget(ctx, u.ID, "coffee_shops", 2500, "USD", month); err != nil {
			return err
		}
		_, accounts, err := m.Sync.Connect(ctx, u.ID, ingest.ConnectRequest{
			URL:      m.URL() + "/demobank/ofx",
			Login:    "demo",
			Password: "demo",
		})
		if err != nil {
			return err
		}
		m.Logger.Info("demo accounts linked", "user_id", u.ID, "accounts", len(accounts))
	}
	if m.Stdout != nil {
		fmt.Fprintf(m.Stdout, "Demo user: %s  password: %s\n", demoEmail, password)
		fmt.Fprintf(m.Stdout, "Demo bank: %s/demobank/ofx (any login; password \"wrong\" is refused)\n", m.URL())
		fmt.Fprintf(m.Stdout, "Demo SimpleFIN setup token: %s\n", base64.StdEncoding.EncodeToString([]byte(m.URL()+"/demobank/simplefin/claim/demo")))
	}
	return nil
}

func runDemoBank(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tally demo-bank", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8081", "address to listen on")
	statement := fs.Int("statement", 0, "instead of serving, write a synthetic statement of this many transactions to stdout (benchmarks)")
	format := fs.String("format", "ofx", "the statement's format: ofx (an OFX 1.02 response) or tsv (date, amount in cents, FITID, description: the same rows for bulk loaders)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *statement > 0 {
		return writeStatement(stdout, *statement, *format)
	}
	if v, ok := lookupEnvUnset(fs, "addr"); ok {
		*addr = v
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", *addr, err)
	}
	bank := demobank.New()
	mux := http.NewServeMux()
	mux.Handle("/ofx", bank)
	mux.Handle("/", bank)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Demo bank speaking OFX at http://%s/ofx\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	}
}

// writeStatement writes demobank.SyntheticStatement(n, 1), the statement
// the import benchmarks use, as an OFX file or as tab-separated rows.
func writeStatement(w io.Writer, n int, format string) error {
	st := demobank.SyntheticStatement(n, 1)
	bw := bufio.NewWriterSize(w, 1<<20)
	switch format {
	case "ofx":
		resp := &ofx.Response{Version: 102, SignOn: ofx.SignOnResponse{Org: demobank.Org, FID: demobank.FID}, Statements: []ofx.Statement{st}}
		if err := ofx.WriteResponse(bw, resp); err != nil {
			return err
		}
	case "tsv":
		for _, t := range st.Transactions {
			fmt.Fprintf(bw, "%s\t%d\t%s\t%s\n", t.Posted.Format("2006-01-02"), t.Amount, t.FITID, strings.NewReplacer("\t", " ", "\n", " ").Replace(t.Name))
		}
	default:
		return fmt.Errorf("demo-bank: --format %q: want ofx or tsv", format)
	}
	return bw.Flush()
}
