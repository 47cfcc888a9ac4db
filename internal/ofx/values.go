package ofx

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Leaf values: dates, amounts and text, parsed from the raw bytes between a
// tag and the next '<' without regular expressions and, on the common path,
// without allocating.

// zoneCache hands out one *time.Location per distinct offset and name seen in
// a document, so that dates do not allocate a location each.
type zoneCache struct {
	zones []cachedZone
}

type cachedZone struct {
	off  int
	name string
	loc  *time.Location
}

func (c *zoneCache) get(off int, name []byte) *time.Location {
	if off == 0 && (len(name) == 0 || string(name) == "GMT" || string(name) == "UTC" || string(name) == "Z") {
		return time.UTC
	}
	for i := range c.zones {
		if z := &c.zones[i]; z.off == off && z.name == string(name) {
			return z.loc
		}
	}
	loc := time.FixedZone(string(name), off)
	if len(c.zones) < 16 {
		c.zones = append(c.zones, cachedZone{off, string(name), loc})
	}
	return loc
}

// namedZones are the offsets of time-zone names sent without a number
// ("[EST]").
var namedZones = map[string]int{
	"GMT": 0, "UTC": 0, "Z": 0,
	"EST": -5 * 3600, "EDT": -4 * 3600, "CST": -6 * 3600, "CDT": -5 * 3600,
	"MST": -7 * 3600, "MDT": -6 * 3600, "PST": -8 * 3600, "PDT": -7 * 3600,
	"AKST": -9 * 3600, "AKDT": -8 * 3600, "HST": -10 * 3600,
}

// parseDate parses an OFX date: YYYYMMDD, optionally followed by HH, HHMM or
// HHMMSS, a fraction of a second (".XXX") and a zone in brackets: an offset
// in hours, optionally with minutes after a dot ("[+5.30:IST]"; one digit
// after the dot is tenths of an hour, "[-3.5]") and optionally a name
// ("[-5:EST]"). Without a zone the time is GMT, as the specification says.
//
// The result is in the zone the institution gave, not converted to UTC, so
// that its calendar date is the one the institution meant.
//
// absent is true for a value of only zeros ("00000000"), which some
// institutions send for "no date".
func parseDate(b []byte, zc *zoneCache) (t time.Time, absent, ok bool) {
	b = trimSpace(b)
	n := 0
	for n < len(b) && isDigit(b[n]) {
		n++
	}
	if n != 8 && n != 10 && n != 12 && n != 14 {
		return time.Time{}, false, false
	}
	allZero := true
	for _, c := range b[:n] {
		if c != '0' {
			allZero = false
			break
		}
	}
	year := digits(b[0:4])
	month := digits(b[4:6])
	day := digits(b[6:8])
	var hour, minute, sec, nsec int
	if n >= 10 {
		hour = digits(b[8:10])
	}
	if n >= 12 {
		minute = digits(b[10:12])
	}
	if n >= 14 {
		sec = digits(b[12:14])
	}
	rest := b[n:]
	if len(rest) > 0 && rest[0] == '.' {
		// Milliseconds, OFX's resolution; finer digits are dropped.
		i := 1
		scale := 100000000
		for i < len(rest) && isDigit(rest[i]) {
			if scale >= 1000000 {
				nsec += int(rest[i]-'0') * scale
			}
			scale /= 10
			i++
		}
		rest = rest[i:]
	}
	rest = trimSpace(rest)
	loc := time.UTC
	if len(rest) > 0 {
		if rest[0] != '[' {
			return time.Time{}, false, false
		}
		rest = rest[1:]
		if len(rest) > 0 && rest[len(rest)-1] == ']' {
			rest = rest[:len(rest)-1]
		}
		off, name, ok := parseZone(rest)
		if !ok {
			return time.Time{}, false, false
		}
		loc = zc.get(off, name)
	}
	if allZero {
		return time.Time{}, true, true
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) ||
		hour > 23 || minute > 59 || sec > 60 {
		return time.Time{}, false, false
	}
	if sec == 60 { // a leap second: keep the date, drop the second
		sec = 59
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, nsec, loc), false, true
}

// parseZone parses the inside of a date's brackets: "-5:EST", "+5.30:IST",
// "0", "-3.5", "EST".
func parseZone(b []byte) (off int, name []byte, ok bool) {
	b = trimSpace(b)
	num := b
	if i := indexByte(b, ':'); i >= 0 {
		num, name = trimSpace(b[:i]), trimSpace(b[i+1:])
	}
	if len(name) > 32 {
		name = name[:32]
	}
	if len(num) == 0 {
		return 0, nil, false
	}
	neg := false
	switch num[0] {
	case '-':
		neg = true
		num = num[1:]
	case '+':
		num = num[1:]
	}
	if len(num) == 0 || !isDigit(num[0]) {
		// A name alone: "[EST]".
		if o, known := namedZones[string(b)]; known && len(name) == 0 {
			return o, b, true
		}
		return 0, nil, false
	}
	hours, i := 0, 0
	for i < len(num) && isDigit(num[i]) {
		hours = hours*10 + int(num[i]-'0')
		i++
		if hours > 23 {
			return 0, nil, false
		}
	}
	minutes := 0
	if i < len(num) && num[i] == '.' {
		frac := num[i+1:]
		switch {
		case len(frac) == 1 && isDigit(frac[0]): // tenths of an hour
			minutes = int(frac[0]-'0') * 6
		case len(frac) == 2 && isDigit(frac[0]) && isDigit(frac[1]):
			minutes = digits(frac)
		case len(frac) == 0:
		default:
			return 0, nil, false
		}
		i = len(num)
	}
	if i != len(num) || minutes > 59 {
		return 0, nil, false
	}
	off = hours*3600 + minutes*60
	if neg {
		off = -off
	}
	return off, name, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func digits(b []byte) int {
	n := 0
	for _, c := range b {
		n = n*10 + int(c-'0')
	}
	return n
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func trimSpace(b []byte) []byte {
	i, j := 0, len(b)
	for i < j && isSpace(b[i]) {
		i++
	}
	for j > i && isSpace(b[j-1]) {
		j--
	}
	return b[i:j]
}

// Amount errors.
type amountError uint8

const (
	amountOK amountError = iota
	amountNotNumber
	amountTooPrecise
	amountTooLarge
)

// parseAmount parses a decimal amount into minor units with exp decimal
// places. It accepts what institutions send: "120", "-1,5" (a comma as the
// decimal separator), "+3.10", " 12.00 ", "1,234.56" and "1.234,56" (the last
// separator is the decimal one when both kinds appear), and a trailing sign
// ("12.00-"). More significant decimals than exp is an error unless round is
// set, in which case the amount is rounded half away from zero.
func parseAmount(b []byte, exp int, round bool) (int64, amountError) {
	b = trimSpace(b)
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		b = trimSpace(b[1:])
	} else if len(b) > 0 && (b[len(b)-1] == '-' || b[len(b)-1] == '+') {
		neg = b[len(b)-1] == '-'
		b = trimSpace(b[:len(b)-1])
	}
	// Find the decimal separator.
	dec := -1
	var dots, commas, lastDot, lastComma int
	for i, c := range b {
		switch {
		case c == '.':
			dots++
			lastDot = i
		case c == ',':
			commas++
			lastComma = i
		case !isDigit(c):
			return 0, amountNotNumber
		}
	}
	switch {
	case dots > 0 && commas > 0:
		dec = max(lastDot, lastComma)
		if (b[dec] == '.' && dots > 1) || (b[dec] == ',' && commas > 1) {
			return 0, amountNotNumber
		}
	case dots == 1:
		dec = lastDot
	case commas == 1:
		dec = lastComma
	}
	const limit = 1<<63 - 1
	var v uint64
	nd := 0
	push := func(d byte) bool {
		if v > (limit-uint64(d))/10 {
			return false
		}
		v = v*10 + uint64(d)
		return true
	}
	end := len(b)
	if dec >= 0 {
		end = dec
	}
	for _, c := range b[:end] {
		if c == '.' || c == ',' {
			continue // grouping
		}
		nd++
		if !push(c - '0') {
			return 0, amountTooLarge
		}
	}
	scale, up := 0, false
	if dec >= 0 {
		for i, c := range b[dec+1:] {
			nd++
			if scale < exp {
				if !push(c - '0') {
					return 0, amountTooLarge
				}
				scale++
				continue
			}
			if c != '0' && !round {
				return 0, amountTooPrecise
			}
			if i == exp && c >= '5' {
				up = true
			}
		}
	}
	if nd == 0 {
		return 0, amountNotNumber
	}
	for ; scale < exp; scale++ {
		if !push(0) {
			return 0, amountTooLarge
		}
	}
	if up {
		if v == limit {
			return 0, amountTooLarge
		}
		v++
	}
	if neg {
		return -int64(v), amountOK
	}
	return int64(v), amountOK
}

// cp1252 maps the bytes 0x80-0x9F of Windows-1252 to runes; 0xA0-0xFF are
// Latin-1 and equal to their code points.
var cp1252 = [32]rune{
	'€', 0x81, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', 0x8D, 'Ž', 0x8F,
	0x90, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', 0x9D, 'ž', 'Ÿ',
}

// text turns a raw leaf value into a string: entities decoded (&amp; &lt;
// &gt; &quot; &apos; &nbsp; and numeric ones; a stray '&' stays as it is),
// and bytes that are not UTF-8 read as Windows-1252, the character set of
// most 1.x files.
func text(b []byte) string {
	for _, c := range b {
		if c == '&' || c >= utf8.RuneSelf {
			return decodeText(b)
		}
	}
	return string(b)
}

// appendText appends text(b) to dst.
func appendText(dst, b []byte) []byte {
	for _, c := range b {
		if c == '&' || c >= utf8.RuneSelf {
			return append(dst, decodeText(b)...)
		}
	}
	return append(dst, b...)
}

func decodeText(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + 8)
	for i := 0; i < len(b); {
		c := b[i]
		if c == '&' {
			if r, n := entity(b[i:]); n > 0 {
				sb.WriteRune(r)
				i += n
				continue
			}
			sb.WriteByte('&')
			i++
			continue
		}
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			sb.WriteRune(latin(c))
			i++
			continue
		}
		sb.Write(b[i : i+n])
		i += n
	}
	return strings.TrimSpace(sb.String())
}

func latin(c byte) rune {
	if c >= 0x80 && c < 0xA0 {
		return cp1252[c-0x80]
	}
	return rune(c)
}

// entity decodes the entity at the start of b ("&amp;..."), returning the
// rune and the entity's length, or 0 if b does not start with one.
func entity(b []byte) (rune, int) {
	end := -1
	for i := 1; i < len(b) && i < 12; i++ {
		if b[i] == ';' {
			end = i
			break
		}
	}
	if end < 2 {
		return 0, 0
	}
	name := b[1:end]
	switch string(name) {
	case "amp":
		return '&', end + 1
	case "lt":
		return '<', end + 1
	case "gt":
		return '>', end + 1
	case "quot":
		return '"', end + 1
	case "apos":
		return '\'', end + 1
	case "nbsp":
		return ' ', end + 1
	}
	if name[0] != '#' || len(name) < 2 {
		return 0, 0
	}
	var r rune
	if name[1] == 'x' || name[1] == 'X' {
		if len(name) < 3 {
			return 0, 0
		}
		for _, c := range name[2:] {
			var d rune
			switch {
			case c >= '0' && c <= '9':
				d = rune(c - '0')
			case c >= 'a' && c <= 'f':
				d = rune(c-'a') + 10
			case c >= 'A' && c <= 'F':
				d = rune(c-'A') + 10
			default:
				return 0, 0
			}
			r = r*16 + d
		}
	} else {
		for _, c := range name[1:] {
			if !isDigit(c) {
				return 0, 0
			}
			r = r*10 + rune(c-'0')
		}
	}
	switch {
	case r >= 0x80 && r < 0xA0: // a Windows-1252 code written as a number
		r = cp1252[r-0x80]
	case r == 0 || !utf8.ValidRune(r):
		r = utf8.RuneError
	}
	return r, end + 1
}

// common holds values that recur on every transaction (TRNTYPE, CURDEF,
// SEVERITY, ...), so that reading them does not allocate.
var common = func() map[string]string {
	m := make(map[string]string)
	for _, s := range []string{
		"CREDIT", "DEBIT", "INT", "DIV", "FEE", "SRVCHG", "DEP", "ATM", "POS", "XFER",
		"CHECK", "PAYMENT", "CASH", "DIRECTDEP", "DIRECTDEBIT", "REPEATPMT", "OTHER", "HOLD",
		"INFO", "WARN", "ERROR", "ENG", "USD", "EUR", "GBP", "CAD", "AUD", "CHF", "JPY",
		"CHECKING", "SAVINGS", "MONEYMRKT", "CREDITLINE", "CD", "CUSIP", "ISIN", "TICKER",
		"Y", "N", "0", "1", "OTHER", "MARGIN", "SHORT",
	} {
		m[s] = s
	}
	return m
}()

// intern returns b as a string, without allocating for common values.
func intern(b []byte) string {
	if s, ok := common[string(b)]; ok {
		return s
	}
	return text(b)
}
