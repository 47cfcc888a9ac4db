package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strconv"
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
	// Reason says why a line could not be read ("invalid UTF-8", "binary
	// data (control characters)"); absent for lines the engine read.
	Reason string `json:"reason,omitempty"`
	// With --explain: the seller key rules and crowd votes use, the words
	// the normalizer kept as the seller's name, and what decided
	// ("seller:whole_foods", "rule:payroll", "mcc:5411", "stem:APOTHEKE",
	// "term:TAPICERIA" for a trade word of the tagging schema, "ja:手数料"
	// for a Japanese bank or trade word, "local:PANAHAR" for a registered
	// local business).
	MerchantKey *string `json:"merchant_key,omitempty"`
	Kept        *string `json:"kept,omitempty"`
	Matched     *string `json:"matched,omitempty"`
}

// runCategorize reads raw descriptors, one per line, and writes one JSON
// object per line with the seller and category the engine gives them. A
// line may carry tab-separated columns after the descriptor: the amount
// (a decimal, negative when money left the account), the OFX TRNTYPE and
// the merchant category code. Blank lines are skipped. It needs no
// database: user rules and crowd categories are not consulted.
func runCategorize(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("tally categorize", flag.ContinueOnError)
	fs.SetOutput(stderr)
	explain := fs.Bool("explain", false, "add merchant_key, kept (the words kept as the name) and matched (what decided) to each line")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: tally categorize [--explain] < descriptors.txt")
		fmt.Fprintln(stderr, "Reads raw bank descriptors, one per line, optionally followed by tab-separated")
		fmt.Fprintln(stderr, "columns: amount (-12.34), OFX TRNTYPE (DEBIT, INT, ...), MCC (5411).")
		fmt.Fprintln(stderr, "Writes one JSON object per line:")
		fmt.Fprintln(stderr, `{"description","merchant","category","parent","source","reason"}`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("categorize: unexpected argument %q; descriptors come on standard input", fs.Arg(0))
	}
	eng := categorize.New()
	in := bufio.NewReaderSize(stdin, 64<<10)
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	line := 0
	for {
		text, err := readLine(in, maxCategorizeLine)
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("categorize: line %d: %w", line+1, err)
		}
		line++
		if line%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		text = strings.TrimRight(text, "\r")
		if strings.TrimSpace(text) == "" {
			continue
		}
		input, err := parseCategorizeLine(text)
		if err != nil {
			return fmt.Errorf("categorize: line %d: %w", line, err)
		}
		x := eng.Explain(input, nil)
		r := x.Result
		l := categorizeLine{Description: input.Description, Merchant: r.Merchant, Category: r.Category,
			Parent: tally.TopLevel(r.Category), Source: r.Source, Reason: r.Reason}
		if *explain {
			l.MerchantKey, l.Kept, l.Matched = &r.Key, &x.Kept, &r.Matched
		}
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("categorize: %w", err)
		}
	}
	return out.Flush()
}

// maxCategorizeLine is how much of a line tally categorize keeps; the
// engine reports longer descriptors as too long to read.
const maxCategorizeLine = 8 << 10

// readLine returns the next line without its newline, cut to max bytes (the
// rest of a longer line is read and dropped), or io.EOF after the last.
func readLine(r *bufio.Reader, max int) (string, error) {
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(b) < max {
			b = append(b, chunk[:min(len(chunk), max-len(b))]...)
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil:
			return strings.TrimSuffix(string(b), "\n"), nil
		case io.EOF:
			if len(b) == 0 {
				return "", io.EOF
			}
			return string(b), nil
		default:
			return "", err
		}
	}
}

// parseCategorizeLine splits one input line into the descriptor and its
// optional tab-separated amount, transaction type and MCC.
func parseCategorizeLine(text string) (categorize.Input, error) {
	f := strings.Split(text, "\t")
	if len(f) > 4 {
		return categorize.Input{}, fmt.Errorf("got %d tab-separated columns, want at most 4: descriptor, amount, type, MCC", len(f))
	}
	in := categorize.Input{Description: strings.TrimSpace(f[0])}
	if len(f) > 1 && strings.TrimSpace(f[1]) != "" {
		a, err := parseMinorUnits(strings.TrimSpace(f[1]))
		if err != nil {
			return in, fmt.Errorf("amount %q: %w", f[1], err)
		}
		in.Amount = a
	}
	if len(f) > 2 {
		in.Type = strings.ToUpper(strings.TrimSpace(f[2]))
	}
	if len(f) > 3 {
		in.MCC = strings.TrimSpace(f[3])
		if in.MCC != "" {
			if _, err := strconv.Atoi(in.MCC); err != nil || len(in.MCC) != 4 {
				return in, fmt.Errorf("MCC %q: want four digits", in.MCC)
			}
		}
	}
	return in, nil
}

// parseMinorUnits reads a decimal amount with at most two decimals ("-12.34",
// "1200", "+5.5") as minor units.
func parseMinorUnits(s string) (int64, error) {
	neg := false
	switch {
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || dot && frac == "" {
		return 0, fmt.Errorf("want a decimal with at most two decimals, like -12.34")
	}
	for len(frac) < 2 {
		frac += "0"
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("want a decimal with at most two decimals, like -12.34")
		}
	}
	if len(whole) > 15 {
		return 0, fmt.Errorf("too large")
	}
	v, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("want a decimal with at most two decimals, like -12.34")
	}
	if neg {
		v = -v
	}
	return v, nil
}
