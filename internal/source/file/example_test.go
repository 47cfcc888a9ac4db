package file_test

import (
	"fmt"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source/file"
)

func ExampleRead() {
	data := `Account: 12345678
Date;Description;Debit;Credit
31.01.2024;Rent;1.100,00;
02.02.2024;Salary;;2.750,00
03.02.2024;Coffee;3,20;
`
	sum, err := file.Read(strings.NewReader(data), 0, func(c *file.Chunk) error {
		for _, t := range c.Transactions {
			fmt.Println(t.Line, t.Date.Format(tally.DateLayout), tally.FormatAmount(t.Amount, "EUR"), t.Description)
		}
		return nil
	})
	fmt.Println(sum.Format, sum.Parsed, sum.Rejected, err)
	// Output:
	// 3 2024-01-31 -1100.00 Rent
	// 4 2024-02-02 2750.00 Salary
	// 5 2024-02-03 -3.20 Coffee
	// csv 3 0 <nil>
}

func ExampleSniff() {
	_, err := file.Sniff([]byte(":20:STATEMENT\n:25:DE89370400440532013000\n:60F:C240101EUR1000,00\n"))
	fmt.Println(tally.ErrorMessage(err))
	// Output:
	// this file is a SWIFT MT940 statement, which Tally cannot import; export the statement as OFX, QFX, QIF or CSV
}
