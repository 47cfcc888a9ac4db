// Command tally is the Tally server and its administration tool: one binary
// that serves the web app, the REST API and the background workers, runs the
// demo bank, migrates and reconciles the database, and manages users.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/tallyhq/tally/internal/config"
)

// version is set at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

const usage = `Tally: personal budgets from your bank accounts.

Usage:
  tally serve      [--addr 127.0.0.1:8080] [--data-dir ./tally-data] [--database-url URL]
                   [--blob-url URL] [--redis-url URL] [--role all|api|worker] [--demo]
  tally demo-bank  [--addr 127.0.0.1:8081]
  tally user add   --email EMAIL            (password from stdin)
  tally import     --email EMAIL [--account ID] FILE...   (OFX, QFX, QIF, CSV, CAMT.053, MT940)
  tally migrate    [--database-url URL]
  tally reconcile  [--database-url URL] [--repair]
  tally categorize [--explain]              (descriptors on stdin, JSON lines out)
  tally backup     --to FILE                (SQLite and raw documents, while serving)
  tally restore    --from FILE [--force]    (into --data-dir; serve stopped)
  tally rotate-key                          (re-seal stored secrets under a new key)
  tally loadgen    [--target URL] [--users N] [--duration D]   (simulated users; JSON out)
  tally loadgen    --get URL [--rate R] [--conns N] [--token T] (one endpoint: saturating rate, latencies at a constant rate)
  tally version

Every flag also reads from an environment variable TALLY_<FLAG>
(TALLY_DATABASE_URL, TALLY_ADDR, ...). Run "tally COMMAND -h" for a command's flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tally:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "demo-bank":
		return runDemoBank(ctx, rest, stdout, stderr)
	case "user":
		if len(rest) == 0 || rest[0] != "add" {
			return errors.New(`usage: tally user add --email EMAIL (password from stdin)`)
		}
		return runUserAdd(ctx, rest[1:], stdin, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "reconcile":
		return runReconcile(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, stdout, stderr)
	case "rotate-key":
		return runRotateKey(ctx, rest, stdout, stderr)
	case "categorize":
		return runCategorize(ctx, rest, stdin, stdout, stderr)
	case "loadgen":
		return runLoadgen(ctx, rest, stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "tally", Version())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", cmd)
}

// Version returns the build's version: the -ldflags value, else the module
// version or VCS revision Go recorded, else "dev".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev-" + s.Value[:12]
			}
		}
	}
	return "dev"
}

// newLogger returns the process logger per the configuration.
func newLogger(c *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(c.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// parseFlags parses a data command's flags with env fallbacks and validates.
func parseFlags(name string, args []string, stderr io.Writer, c *config.Config, register func(*flag.FlagSet)) (*flag.FlagSet, error) {
	fs := flag.NewFlagSet("tally "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	register(fs)
	if err := config.Parse(fs, args, c); err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return fs, nil
}
