package tally

import (
	"strconv"
	"strings"
)

// Amounts are int64 minor units of an ISO 4217 currency, never floats.
// Negative means money left the account.

// currencyExponent lists the currencies whose minor unit is not 1/100.
var currencyExponent = map[string]int{
	"BHD": 3, "BIF": 0, "CLF": 4, "CLP": 0, "DJF": 0, "GNF": 0, "IQD": 3,
	"ISK": 0, "JOD": 3, "JPY": 0, "KMF": 0, "KRW": 0, "KWD": 3, "LYD": 3,
	"OMR": 3, "PYG": 0, "RWF": 0, "TND": 3, "UGX": 0, "UYI": 0, "UYW": 4,
	"VND": 0, "VUV": 0, "XAF": 0, "XOF": 0, "XPF": 0,
}

// MaxAmount bounds one transaction's amount, and any amount a user enters,
// in minor units: ±10^12 (ten billion dollars) is beyond what any bank
// reports for one transaction, and keeps every monthly total far from
// int64's limits.
const MaxAmount int64 = 1_000_000_000_000

// CheckAmount returns an EINVALID error when v is beyond ±MaxAmount; the
// message names field ("amount", "monthly_income").
func CheckAmount(field string, v int64, currency string) error {
	if v > MaxAmount || v < -MaxAmount {
		return Errorf(EINVALID, "%s %s is beyond ±%s, more than any bank reports", field, FormatAmount(v, currency), FormatAmount(MaxAmount, currency))
	}
	return nil
}

// CurrencyExponent returns the number of decimal places of currency's minor
// unit (2 unless the currency is known to differ).
func CurrencyExponent(currency string) int {
	if e, ok := currencyExponent[strings.ToUpper(currency)]; ok {
		return e
	}
	return 2
}

// FormatAmount renders minor units as a decimal string: FormatAmount(-4250,
// "USD") is "-42.50", FormatAmount(500, "JPY") is "500".
func FormatAmount(minor int64, currency string) string {
	exp := CurrencyExponent(currency)
	neg := minor < 0
	u := uint64(minor)
	if neg {
		u = uint64(-minor)
	}
	s := strconv.FormatUint(u, 10)
	if exp > 0 {
		if len(s) <= exp {
			s = strings.Repeat("0", exp-len(s)+1) + s
		}
		s = s[:len(s)-exp] + "." + s[len(s)-exp:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ParseAmount parses a decimal string ("-42.50", "120", "+3.1") into minor
// units of currency. More fractional digits than the currency has is an
// error, never a silent rounding.
func ParseAmount(s, currency string) (int64, error) {
	exp := CurrencyExponent(currency)
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	if s != "" && (s[0] == '-' || s[0] == '+') {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if s == "" || (intPart == "" && frac == "") || (hasDot && frac == "" && intPart == "") {
		return 0, Errorf(EINVALID, "amount %q is not a number", orig)
	}
	for _, part := range []string{intPart, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return 0, Errorf(EINVALID, "amount %q is not a number", orig)
			}
		}
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > exp {
		return 0, Errorf(EINVALID, "amount %q has more than %d decimal places for %s", orig, exp, currency)
	}
	frac += strings.Repeat("0", exp-len(frac))
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, nil
	}
	if len(digits) > 18 {
		return 0, Errorf(EINVALID, "amount %q is beyond ±%s, more than any bank reports", orig, FormatAmount(MaxAmount, currency))
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil {
		return 0, Errorf(EINVALID, "amount %q is not a number", orig)
	}
	if v > MaxAmount {
		return 0, Errorf(EINVALID, "amount %q is beyond ±%s, more than any bank reports", orig, FormatAmount(MaxAmount, currency))
	}
	if neg {
		v = -v
	}
	return v, nil
}
