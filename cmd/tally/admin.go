package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/store"
)

// lookupEnvUnset returns the TALLY_* value of a flag not given on the
// command line.
func lookupEnvUnset(fs *flag.FlagSet, name string) (string, bool) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return "", false
	}
	return os.LookupEnv(config.EnvName(name))
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	if _, err := parseFlags("migrate", args, stderr, &c, c.DataFlags); err != nil {
		return err
	}
	db, err := openDatabase(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	// This month's and the next one's partitions exist before their first
	// write (PostgreSQL).
	if err := store.New(db, store.NoJobs{}).EnsureCurrentPartitions(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "database is up to date (%s)\n", db.Dialect)
	return nil
}

func runUserAdd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	c := config.Default()
	var email string
	if _, err := parseFlags("user add", args, stderr, &c, func(fs *flag.FlagSet) {
		c.DataFlags(fs)
		fs.StringVar(&email, "email", "", "the new user's email")
	}); err != nil {
		return err
	}
	if email == "" {
		return errors.New("user add: --email is required")
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("user add: read password: %w", err)
	}
	password := strings.TrimRight(line, "\r\n")
	if err := auth.CheckPassword(password); err != nil {
		return fmt.Errorf("user add: %s", tally.ErrorMessage(err))
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	db, err := openDatabase(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	u, err := store.New(db, store.NoJobs{}).CreateUser(ctx, email, hash)
	if err != nil {
		return fmt.Errorf("user add: %s", tally.ErrorMessage(err))
	}
	fmt.Fprintf(stdout, "created user %s (%s)\n", u.Email, u.ID)
	return nil
}

func runReconcile(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c := config.Default()
	var repair bool
	if _, err := parseFlags("reconcile", args, stderr, &c, func(fs *flag.FlagSet) {
		c.DataFlags(fs)
		fs.BoolVar(&repair, "repair", false, "rewrite monthly totals that drifted from their transactions")
	}); err != nil {
		return err
	}
	db, err := openDatabase(ctx, &c)
	if err != nil {
		return err
	}
	defer db.Close()
	st := store.New(db, store.NoJobs{})
	users, drifted := 0, 0
	for after := ""; ; {
		ids, err := st.UserIDs(ctx, after, 500)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			break
		}
		for _, id := range ids {
			drifts, err := st.ReconcileUser(ctx, id, repair)
			if err != nil {
				return err
			}
			users++
			for _, d := range drifts {
				drifted++
				fmt.Fprintf(stdout, "user %s %s %s %s: total %s (%d rows), transactions add up to %s (%d rows)\n",
					d.UserID, d.Month, d.Category, d.Currency,
					tally.FormatAmount(d.Amount, d.Currency), d.Count, tally.FormatAmount(d.Want.Amount, d.Currency), d.Want.Count)
			}
		}
		after = ids[len(ids)-1]
	}
	switch {
	case drifted == 0:
		fmt.Fprintf(stdout, "%d users checked: monthly totals match their transactions\n", users)
	case repair:
		fmt.Fprintf(stdout, "%d users checked: %d monthly totals repaired\n", users, drifted)
	default:
		fmt.Fprintf(stdout, "%d users checked: %d monthly totals drifted (run with --repair to fix)\n", users, drifted)
		return errors.New("reconcile: monthly totals drifted")
	}
	return nil
}
