package file

import (
	"testing"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in       string
		dayFirst bool
		want     string // "" for an error
	}{
		{"1/2'97", false, "1997-01-02"},
		{" 1/ 2' 5", false, "2005-01-02"},
		{"12/31'99", false, "1999-12-31"},
		{"01/02/1997", false, "1997-01-02"},
		{"01/02/1997", true, "1997-02-01"},
		{"1/2/97", false, "1997-01-02"},
		{"1/2/69", false, "2069-01-02"},
		{"2024-01-15", true, "2024-01-15"},
		{"20240115", false, "2024-01-15"},
		{"2024-01-15T10:30:00Z", false, "2024-01-15"},
		{"15.01.2024", true, "2024-01-15"},
		{"15 Jan 2024", false, "2024-01-15"},
		{"Jan 15, 2024", true, "2024-01-15"},
		{"15-Sept-24", false, "2024-09-15"},
		{"2/30/2024", false, ""},
		{"13/1/2024", false, ""},
		{"yesterday", false, ""},
		{"1/2", false, ""},
		{"", false, ""},
	} {
		got, err := parseDate(tc.in, tc.dayFirst)
		switch {
		case tc.want == "" && err == nil:
			t.Errorf("parseDate(%q, %v) = %s, want an error", tc.in, tc.dayFirst, got.Format("2006-01-02"))
		case tc.want != "" && err != nil:
			t.Errorf("parseDate(%q, %v): %v, want %s", tc.in, tc.dayFirst, err, tc.want)
		case tc.want != "" && got.Format("2006-01-02") != tc.want:
			t.Errorf("parseDate(%q, %v) = %s, want %s", tc.in, tc.dayFirst, got.Format("2006-01-02"), tc.want)
		}
	}
}

func TestDateOrder(t *testing.T) {
	t.Parallel()
	var o dateOrder
	for _, s := range []string{"01/02/2024", "25/12/2023", "2024-06-30"} {
		d, _ := splitDate(s)
		o.vote(d)
	}
	if !o.isDayFirst() {
		t.Errorf("25/12/2023 among the dates: got month first, want day first")
	}
	d, _ := splitDate("12/25/2023")
	o.vote(d)
	if o.isDayFirst() {
		t.Errorf("contradicting dates: got day first, want the US default (month first)")
	}
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in           string
		decimalComma bool
		want         int64
		err          bool
	}{
		{"-12.50", false, -1250, false},
		{"1,234.56", false, 123456, false},
		{"1.234,56", false, 123456, false},
		{"12,5", true, 1250, false},
		{"12,50", false, 1250, false},
		{"1,234", false, 123400, false},
		{"1.234.567", false, 123456700, false},
		{"(56.78)", false, -5678, false},
		{"56.78-", false, -5678, false},
		{"$1,000", false, 100000, false},
		{"-€3,20", true, -320, false},
		{"12.50 DR", false, -1250, false},
		{"12.50 CR", false, 1250, false},
		{"+3.1", false, 310, false},
		{"1.005", false, 101, false},
		{"-12.345", false, -1235, false},
		{"-12.344", false, -1234, false},
		{"0.005", false, 1, false},
		{"ten", false, 0, true},
		{"", false, 0, true},
		{"-", false, 0, true},
	} {
		got, err := parseAmount(tc.in, tc.decimalComma, 2)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseAmount(%q, %v) = %d, %v; want %d, error %v", tc.in, tc.decimalComma, got, err, tc.want, tc.err)
		}
	}
}

// TestParseAmountCurrency: amounts are read with the currency's own
// number of decimals, and extra decimals round half away from zero.
func TestParseAmountCurrency(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, currency string
		want         int64
	}{
		{"-1500", "JPY", -1500},
		{"-1,500", "JPY", -1500},
		{"1500.5", "JPY", 1501},
		{"-1500.5", "JPY", -1501},
		{"1500.49", "JPY", 1500},
		{"12.345", "BHD", 12345},
		{"12.3456", "KWD", 12346},
		{"-0.0005", "OMR", -1},
		{"1.5", "TND", 1500},
		{"-12.345", "USD", -1235},
		{"-12.345", "", -1235},
		{"99.995", "EUR", 10000},
	} {
		got, err := ParseAmount(tc.in, tc.currency)
		if err != nil || got != tc.want {
			t.Errorf("ParseAmount(%q, %q) = %d, %v; want %d", tc.in, tc.currency, got, err, tc.want)
		}
	}
}
