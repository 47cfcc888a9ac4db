package file

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tallyhq/tally"
)

// rawDate is a date split into its fields before the file's day/month order
// is known.
type rawDate struct {
	a, b, year int  // a/b are month and day in an order still to decide
	ymd        bool // year first (ISO): a is the month
	named      bool // the month was a name: a is the month
	dotted     bool // 15.01.2024: the European order, day first
}

var monthNames = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}

// splitDate reads the dates statement files use: 2024-01-15, 20240115,
// 01/15/2024, 15.01.2024, 1/2/97, Quicken's 1/2'97 and " 1/ 2' 5", and
// 15 Jan 2024 or Jan 15, 2024. Two-digit years are 1970-2069.
func splitDate(s string) (rawDate, bool) {
	s = strings.TrimSpace(s)
	if len(s) == 8 && isDigits(s) {
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return rawDate{a: m, b: d, year: y, ymd: true}, true
	}
	// A time after the date ("2024-01-15 10:30" or "...T10:30:00") is dropped.
	if i := strings.IndexAny(s, "T "); i >= 8 && isDigits(s[:4]) {
		s = s[:i]
	}
	var nums []string
	month := 0
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '/' || r == '-' || r == '.' || r == '\'' || r == ' ' || r == ','
	}) {
		if isDigits(f) {
			nums = append(nums, f)
			continue
		}
		m, ok := monthNames[strings.ToLower(f)]
		if !ok && len(f) > 3 {
			m, ok = monthNames[strings.ToLower(f[:3])]
		}
		if !ok || month != 0 {
			return rawDate{}, false
		}
		month = m
	}
	if month != 0 {
		if len(nums) != 2 {
			return rawDate{}, false
		}
		d, y := nums[0], nums[1]
		if len(d) == 4 {
			d, y = y, d
		}
		dv, _ := strconv.Atoi(d)
		return rawDate{a: month, b: dv, year: fullYear(y), named: true}, true
	}
	if len(nums) != 3 {
		return rawDate{}, false
	}
	if len(nums[0]) == 4 {
		m, _ := strconv.Atoi(nums[1])
		d, _ := strconv.Atoi(nums[2])
		y, _ := strconv.Atoi(nums[0])
		return rawDate{a: m, b: d, year: y, ymd: true}, true
	}
	if len(nums[0]) > 2 || len(nums[1]) > 2 || len(nums[2]) > 4 || len(nums[2]) == 3 {
		return rawDate{}, false
	}
	a, _ := strconv.Atoi(nums[0])
	b, _ := strconv.Atoi(nums[1])
	return rawDate{a: a, b: b, year: fullYear(nums[2]), dotted: strings.Count(s, ".") == 2}, true
}

func fullYear(s string) int {
	y, _ := strconv.Atoi(s)
	if len(s) <= 2 {
		if y < 70 {
			return 2000 + y
		}
		return 1900 + y
	}
	return y
}

// allDigits is isDigits that accepts the empty string.
func allDigits(s string) bool { return s == "" || isDigits(s) }

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dateOrder tells whether a file's ambiguous dates are month or day first,
// from the votes of the dates that are not ambiguous.
type dateOrder struct {
	monthFirst, dayFirst int
}

func (o *dateOrder) vote(d rawDate) {
	if d.ymd || d.named {
		return
	}
	switch {
	case d.a > 12 && d.b <= 12:
		o.dayFirst++
	case d.b > 12 && d.a <= 12:
		o.monthFirst++
	case d.dotted:
		// Dates with dots are written day first (Germany, Austria,
		// Switzerland, Scandinavia...); a file that proves otherwise
		// outvotes them.
		o.dayFirst++
	}
}

// isDayFirst decides: day first only when some date proves it and none
// contradicts it; month first (the US order) otherwise.
func (o *dateOrder) isDayFirst() bool { return o.dayFirst > 0 && o.monthFirst == 0 }

// resolve turns a raw date into a calendar date.
func resolve(d rawDate, dayFirst bool) (time.Time, error) {
	m, day := d.a, d.b
	if dayFirst && !d.ymd && !d.named {
		m, day = d.b, d.a
	}
	if m < 1 || m > 12 {
		order := "month/day"
		if dayFirst {
			order = "day/month"
		}
		return time.Time{}, fmt.Errorf("has no month %d (the file's dates read %s)", m, order)
	}
	if d.year < 1900 || d.year > 2200 {
		return time.Time{}, fmt.Errorf("has year %d", d.year)
	}
	t := time.Date(d.year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
	if day < 1 || t.Day() != day {
		return time.Time{}, fmt.Errorf("has no day %d in %s %d", day, time.Month(m), d.year)
	}
	return t, nil
}

// parseDate reads a date field for a row.
func parseDate(s string, dayFirst bool) (time.Time, error) {
	d, ok := splitDate(s)
	if !ok {
		return time.Time{}, fmt.Errorf("date %q is not a date", s)
	}
	t, err := resolve(d, dayFirst)
	if err != nil {
		return time.Time{}, fmt.Errorf("date %q %v", s, err)
	}
	return t, nil
}

// ParseAmount reads an amount as banks write it ("-1,234.56", "1.234,56",
// "(12.50)", "12.50-", "$12.50", "12.50 CR", "12.50 DR") in minor units of
// currency, with the currency's own number of decimals
// (tally.CurrencyExponent: JPY 0, BHD 3, most 2). More decimals than the
// currency has are rounded half away from zero: "-12.345" USD is -1235,
// "1500.5" JPY is 1501.
func ParseAmount(s, currency string) (int64, error) {
	return parseAmount(s, false, tally.CurrencyExponent(currency))
}

// parseAmount reads an amount in minor units with exp decimals: "-1,234.56",
// "1.234,56" (decimal comma), "(12.50)", "12.50-", "$12.50", "12.50 CR",
// "12.50 DR". decimalComma says how to read a lone comma the file uses for
// decimals ("12,5"). Extra decimals are rounded half away from zero.
func parseAmount(s string, decimalComma bool, exp int) (int64, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if up := strings.ToUpper(s); strings.HasSuffix(up, "CR") || strings.HasSuffix(up, "DR") {
		neg = strings.HasSuffix(up, "DR")
		s = strings.TrimSpace(s[:len(s)-2])
	}
	if strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")") {
		neg = !neg
		s = s[1 : len(s)-1]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9', r == '.', r == ',':
			b.WriteRune(r)
		case r == '-':
			neg = !neg
		case r == '+', r == ' ', r == '\u00a0', r == '\'', r == '$', r == '€', r == '£', r == '¥':
		default:
			return 0, fmt.Errorf("amount %q is not a number", orig)
		}
	}
	s = b.String()
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case dot >= 0 && comma >= 0:
		if comma > dot { // 1.234,56
			s = strings.ReplaceAll(s[:comma], ".", "") + "." + s[comma+1:]
		} else {
			s = strings.ReplaceAll(s, ",", "")
		}
	case comma >= 0:
		if strings.Count(s, ",") == 1 && (decimalComma || len(s)-comma-1 <= 2) {
			s = s[:comma] + "." + s[comma+1:]
		} else {
			s = strings.ReplaceAll(s, ",", "")
		}
	case dot >= 0 && strings.Count(s, ".") > 1:
		s = strings.ReplaceAll(s, ".", "")
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" || !allDigits(intPart) || !allDigits(frac) {
		return 0, fmt.Errorf("amount %q is not a number", orig)
	}
	v, ok := minorUnits(intPart, frac, exp)
	if !ok || v > tally.MaxAmount {
		return 0, fmt.Errorf("amount %q is beyond ±%s, more than any bank reports", orig, tally.FormatAmount(tally.MaxAmount, "USD"))
	}
	if neg {
		v = -v
	}
	return v, nil
}

// minorUnits turns the digits of a decimal's integer and fractional parts
// into minor units with exp decimals, rounding half away from zero; ok is
// false when the value does not fit in an int64.
func minorUnits(intPart, frac string, exp int) (int64, bool) {
	const limit = 1<<63 - 1
	var v uint64
	push := func(d byte) bool {
		if v > (limit-uint64(d))/10 {
			return false
		}
		v = v*10 + uint64(d)
		return true
	}
	for i := 0; i < len(intPart); i++ {
		if !push(intPart[i] - '0') {
			return 0, false
		}
	}
	for i := 0; i < exp; i++ {
		d := byte(0)
		if i < len(frac) {
			d = frac[i] - '0'
		}
		if !push(d) {
			return 0, false
		}
	}
	if len(frac) > exp && frac[exp] >= '5' {
		if v == limit {
			return 0, false
		}
		v++
	}
	return int64(v), true
}
