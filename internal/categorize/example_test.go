package categorize_test

import (
	"fmt"

	"github.com/tallyhq/tally/internal/categorize"
)

func Example() {
	e := categorize.New()
	for _, in := range []categorize.Input{
		{Description: "POS DEBIT 0423 EXXONMOBIL 97452 HOUSTON TX", Amount: -4100},
		{Description: "SQ *BLUE BOTTLE COFFEE OAKLAND CA", Amount: -650},
		{Description: "TST* JOE'S PIZZA NEW YORK NY", Amount: -2400},
		{Description: "ACME CORP PAYROLL PPD ID: 1234567890", Amount: 325000},
		{Description: "ZZYZX HOLDINGS 4412", Amount: -1000, MCC: "5411"},
		{Description: "ZZYZX HOLDINGS 4412", Amount: -1000},
	} {
		r := e.Categorize(in)
		fmt.Printf("%s | %s | %s | %s\n", r.Merchant, r.Category, r.Source, r.Matched)
	}
	// Output:
	// ExxonMobil | gas_fuel | dictionary | seller:exxonmobil
	// Blue Bottle Coffee | coffee_shops | dictionary | seller:blue_bottle
	// Joe's Pizza | restaurants | dictionary | rule:restaurants
	// Acme Corp | paycheck | dictionary | rule:payroll
	// Zzyzx Holdings | groceries | mcc | mcc:5411
	// Zzyzx Holdings | uncategorized | none |
}

func ExampleNormalize() {
	fmt.Println(categorize.Normalize("WHOLEFDS HOU 10236 02124201320"))
	fmt.Println(categorize.Normalize("AMZN Mktp US*2K4L09"))
	fmt.Println(categorize.Normalize("SQ *GOLDEN GATE BAKERY SAN FRANCISC CA"))
	// Output:
	// Whole Foods Market
	// Amazon
	// Golden Gate Bakery
}

func ExampleEngine_CategorizeWith() {
	e := categorize.New()
	// The user once filed "ZORBLAX STUDIO" by hand as a kids' activity.
	h := categorize.NewHistory(map[string]string{"ZORBLAX STUDIO": "kids_activities"})
	for _, d := range []string{"POS 0423 ZORBLAX STUDIO PORTLAND OR", "ZORBLAX STUDIO EAST 12"} {
		r := e.CategorizeWith(categorize.Input{Description: d, Amount: -4500}, h)
		fmt.Printf("%s | %s | %s | %s\n", r.Merchant, r.Category, r.Source, r.Matched)
	}
	// Output:
	// Zorblax Studio | kids_activities | rule | history:ZORBLAX STUDIO
	// Zorblax Studio East | kids_activities | rule | history:ZORBLAX STUDIO
}

func ExampleEngine_Explain() {
	x := categorize.New().Explain(categorize.Input{Description: "Kartenzahlung REWE SAGT DANKE. 41400673//Hamburg 2018-03-01T11:33:59", Amount: -1722}, nil)
	fmt.Printf("%s | %s | kept %q | %s\n", x.Merchant, x.Category, x.Kept, x.Matched)
	// Output:
	// REWE | groceries | kept "REWE" | seller:rewe
}

// A local business whose name states no trade is filed by the trade a
// public register gives it; a list of one's own replaces the embedded one.
func ExampleLocalSellers() {
	l, err := categorize.NewLocalSellers([]categorize.LocalSeller{{Name: "The Quenby Arms", Category: "alcohol_bars"}})
	if err != nil {
		panic(err)
	}
	e := categorize.New().WithLocal(l)
	r := e.Categorize(categorize.Input{Description: "CARD 1234 QUENBY ARMS", Amount: -1850})
	fmt.Printf("%s | %s | %s\n", r.Merchant, r.Category, r.Matched)
	// Output:
	// Quenby Arms | alcohol_bars | local:QUENBYARMS
}
