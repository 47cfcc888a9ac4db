package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// categorizeLine is one answer of tally categorize.
type categorizeLine struct {
	Description string `json:"description"`
	Merchant    string `json:"merchant"`
	Category    string `json:"category"`
	Parent      string `json:"parent"` // the top-level category
	Source      string `json:"source"`
	// With --explain: the seller key rules and crowd votes use, and what
	// decided ("seller:whole_foods", "rule:payroll", "mcc:5411").
	MerchantKey *string `json:"merchant_key,omitempty"`
	Matched     *string `json:"matched,omitempty"`
}

// runCategorize reads raw descriptors, one per line, and writes one JSON
// object per line with the seller and category the engine gives them. Blank
// lines are skipped. It needs no database: user rules and crowd categories
// are not consulted.
func runCategorize(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tally categorize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	explain := fs.Bool("explain", false, "add merchant_key and matched (what decided) to each line")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tally categorize [--explain] < descriptors.txt")
		fmt.Fprintln(stderr, "Reads raw bank descriptors, one per line; writes one JSON object per line:")
		fmt.Fprintln(stderr, `{"description","merchant","category","parent","source"}`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("categorize: unexpected argument %q; descriptors come on standard input", fs.Arg(0))
	}
	eng := categorize.New()
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64<<10), 1<<20)
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	line := 0
	for in.Scan() {
		line++
		if line%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		desc := strings.TrimSpace(in.Text())
		if desc == "" {
			continue
		}
		r := eng.Categorize(categorize.Input{Description: desc})
		l := categorizeLine{Description: desc, Merchant: r.Merchant, Category: r.Category, Parent: tally.TopLevel(r.Category), Source: r.Source}
		if *explain {
			l.MerchantKey, l.Matched = &r.Key, &r.Matched
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("categorize: %w", err)
		}
	}
	if err := in.Err(); err != nil {
		return fmt.Errorf("categorize: line %d: %w", line+1, err)
	}
	return out.Flush()
}
