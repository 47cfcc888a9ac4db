package file

import (
	"io"

	"github.com/tallyhq/tally"
)

// ReadOptions tune ReadWith.
type ReadOptions struct {
	ChunkSize int // transactions per chunk; DefaultChunkSize when 0
	// Currency is the currency of the account the file goes into. A file
	// that does not name its currency (QIF, CSV) has its amounts read in
	// this currency's minor units: -1500 in a JPY account is -1,500 yen,
	// 12.5 in a BHD account 12,500 fils. Empty reads two decimals.
	Currency string
}

// ReadWith is Read with options.
func ReadWith(r io.ReadSeeker, opts ReadOptions, fn func(*Chunk) error) (Summary, error) {
	exp := 2
	if opts.Currency != "" {
		exp = tally.CurrencyExponent(opts.Currency)
	}
	if exp == 2 {
		return Read(r, opts.ChunkSize, fn)
	}
	return Read(r, opts.ChunkSize, func(c *Chunk) error {
		if c.Currency == "" {
			// The readers of files without a currency give hundredths.
			for i := range c.Transactions {
				c.Transactions[i].Amount = rescale(c.Transactions[i].Amount, exp)
			}
		}
		return fn(c)
	})
}

// rescale turns hundredths into minor units of a currency with exp
// decimals, rounding half away from zero.
func rescale(hundredths int64, exp int) int64 {
	switch {
	case exp > 2:
		for ; exp > 2; exp-- {
			hundredths *= 10
		}
		return hundredths
	case exp < 2:
		div := int64(1)
		for ; exp < 2; exp++ {
			div *= 10
		}
		q, r := hundredths/div, hundredths%div
		if 2*r >= div {
			q++
		} else if 2*r <= -div {
			q--
		}
		return q
	}
	return hundredths
}
