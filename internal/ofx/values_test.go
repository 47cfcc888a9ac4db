package ofx

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	est := time.FixedZone("EST", -5*3600)
	ist := time.FixedZone("IST", 5*3600+30*60)
	tests := []struct {
		in     string
		want   time.Time
		absent bool
		bad    bool
	}{
		{in: "20240115", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		{in: "2024011512", want: time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)},
		{in: "202401151200", want: time.Date(2024, 1, 15, 12, 0, 0, 0, time.UTC)},
		{in: "20240115120030", want: time.Date(2024, 1, 15, 12, 0, 30, 0, time.UTC)},
		{in: "20240115120000.000[-5:EST]", want: time.Date(2024, 1, 15, 12, 0, 0, 0, est)},
		{in: "20240115120000.123[-5:EST]", want: time.Date(2024, 1, 15, 12, 0, 0, 123e6, est)},
		{in: "20240115000000[+5.30:IST]", want: time.Date(2024, 1, 15, 0, 0, 0, 0, ist)},
		{in: "20240115000000[-3.5]", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.FixedZone("", -(3*3600+1800)))},
		{in: "20240115000000[+5.45:NPT]", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.FixedZone("NPT", 5*3600+45*60))},
		{in: "20240115000000[0:GMT]", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		{in: "20240115000000[0]", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		{in: "20240115000000[-8]", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.FixedZone("", -8*3600))},
		{in: "20240115120000[EST]", want: time.Date(2024, 1, 15, 12, 0, 0, 0, est)},
		{in: "20240115120000 [-5:EST", want: time.Date(2024, 1, 15, 12, 0, 0, 0, est)},
		{in: "  20240115  ", want: time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)},
		{in: "20240229", want: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{in: "20241231235960", want: time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)},
		{in: "00000000", absent: true},
		{in: "00000000000000.000[0:GMT]", absent: true},
		{in: "", bad: true},
		{in: "2024", bad: true},
		{in: "2024011", bad: true},
		{in: "202401151", bad: true},
		{in: "20230229", bad: true},
		{in: "20241301", bad: true},
		{in: "20240100", bad: true},
		{in: "20240115250000", bad: true},
		{in: "20240115126000", bad: true},
		{in: "2024-01-15", bad: true},
		{in: "20240115x", bad: true},
		{in: "20240115[abc]", bad: true},
		{in: "20240115[-25:X]", bad: true},
		{in: "20240115[+5.3x]", bad: true},
		{in: "20240115[+5.60]", bad: true},
		{in: "20240115[:EST]", bad: true},
	}
	for _, tt := range tests {
		var zc zoneCache
		got, absent, ok := parseDate([]byte(tt.in), &zc)
		if ok == tt.bad {
			t.Errorf("parseDate(%q): ok %v, want %v", tt.in, ok, !tt.bad)
			continue
		}
		if tt.bad {
			continue
		}
		if absent != tt.absent {
			t.Errorf("parseDate(%q): absent %v, want %v", tt.in, absent, tt.absent)
			continue
		}
		if !sameTime(got, tt.want) {
			t.Errorf("parseDate(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestParseDateKeepsCalendarDate checks that a date is returned in the zone
// the institution gave, so that .Date() is the day it meant.
func TestParseDateKeepsCalendarDate(t *testing.T) {
	t.Parallel()
	var zc zoneCache
	for _, in := range []string{"20240115233000[-5:EST]", "20240115000000[+5.30:IST]", "20240115000000.000[+14]", "20240115235959[-12]"} {
		got, _, ok := parseDate([]byte(in), &zc)
		if !ok {
			t.Fatalf("parseDate(%q) failed", in)
		}
		if y, m, d := got.Date(); y != 2024 || m != 1 || d != 15 {
			t.Errorf("parseDate(%q).Date() = %d-%02d-%02d, want 2024-01-15", in, y, m, d)
		}
	}
}

func sameTime(a, b time.Time) bool {
	_, ao := a.Zone()
	_, bo := b.Zone()
	an, _ := a.Zone()
	bn, _ := b.Zone()
	return a.Equal(b) && ao == bo && an == bn
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in    string
		exp   int
		round bool
		want  int64
		err   amountError
	}{
		{"120", 2, false, 12000, amountOK},
		{"-1,5", 2, false, -150, amountOK},
		{"+3.10", 2, false, 310, amountOK},
		{" 12.00 ", 2, false, 1200, amountOK},
		{"\t-42.50\r\n", 2, false, -4250, amountOK},
		{"-0.01", 2, false, -1, amountOK},
		{".5", 2, false, 50, amountOK},
		{"5.", 2, false, 500, amountOK},
		{"-.75", 2, false, -75, amountOK},
		{"1,234.56", 2, false, 123456, amountOK},
		{"1.234,56", 2, false, 123456, amountOK},
		{"1.234.567", 2, false, 123456700, amountOK},
		{"1,234,567", 2, false, 123456700, amountOK},
		{"12.00-", 2, false, -1200, amountOK},
		{"- 12.00", 2, false, -1200, amountOK},
		{"-0.1000", 2, false, -10, amountOK},
		{"500", 0, false, 500, amountOK},
		{"1.234", 3, false, 1234, amountOK},
		{"0", 2, false, 0, amountOK},
		{"-0", 2, false, 0, amountOK},
		{"92233720368547758.07", 2, false, 9223372036854775807, amountOK},
		{"-92233720368547758.07", 2, false, -9223372036854775807, amountOK},
		{"1.005", 2, true, 101, amountOK},
		{"-1.005", 2, true, -101, amountOK},
		{"1.0049", 2, true, 100, amountOK},
		{"3922.1319", 2, true, 392213, amountOK},
		{"1.005", 2, false, 0, amountTooPrecise},
		{"0.5", 0, false, 0, amountTooPrecise},
		{"92233720368547758.08", 2, false, 0, amountTooLarge},
		{"99999999999999999999", 0, false, 0, amountTooLarge},
		{"abc", 2, false, 0, amountNotNumber},
		{"", 2, false, 0, amountNotNumber},
		{"-", 2, false, 0, amountNotNumber},
		{".", 2, false, 0, amountNotNumber},
		{"1 234", 2, false, 0, amountNotNumber},
		{"1e5", 2, false, 0, amountNotNumber},
		{"--5", 2, false, 0, amountNotNumber},
		{"$5.00", 2, false, 0, amountNotNumber},
		{"1,2.3,4", 2, false, 0, amountNotNumber},
	}
	for _, tt := range tests {
		got, err := parseAmount([]byte(tt.in), tt.exp, tt.round)
		if err != tt.err || got != tt.want {
			t.Errorf("parseAmount(%q, %d, %v) = %d, %d; want %d, %d", tt.in, tt.exp, tt.round, got, err, tt.want, tt.err)
		}
	}
}

func TestAppendAmount(t *testing.T) {
	t.Parallel()
	tests := []struct {
		minor int64
		exp   int
		want  string
	}{
		{0, 2, "0.00"}, {5, 2, "0.05"}, {-5, 2, "-0.05"}, {-4250, 2, "-42.50"}, {500, 0, "500"},
		{1234, 3, "1.234"}, {-9223372036854775808, 2, "-92233720368547758.08"},
	}
	for _, tt := range tests {
		if got := string(appendAmount(nil, tt.minor, tt.exp)); got != tt.want {
			t.Errorf("appendAmount(%d, %d) = %q, want %q", tt.minor, tt.exp, got, tt.want)
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"AT&amp;T", "AT&T"},
		{"AT&T", "AT&T"},
		{"a &lt;b&gt; &quot;c&quot; &apos;d&apos;", `a <b> "c" 'd'`},
		{"x&nbsp;y", "x y"},
		{"&#233;&#xE9;&#XE9;", "ééé"},
		{"&#150;", "–"},
		{"&#0;", "\uFFFD"},
		{"&#xD800;", "\uFFFD"},
		{"& ;&;&#;&#x;&bogus;", "& ;&;&#;&#x;&bogus;"},
		{"caf\xe9", "café"},
		{"\x80 \x93x\x94", "€ “x”"},
		{"M\xc3\xbcnchen", "München"},
		{"mixed \xc3\xbc and \xfc", "mixed ü and ü"},
		{"&nbsp;padded&nbsp;", "padded"},
	}
	for _, tt := range tests {
		if got := text([]byte(tt.in)); got != tt.want {
			t.Errorf("text(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
