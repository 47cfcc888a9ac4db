package file_test

import (
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/source/file"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, head, want, refusal string
	}{
		{"ofx sgml", "OFXHEADER:100\nDATA:OFXSGML\n", file.FormatOFX, ""},
		{"qfx xml", "<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?><OFX>", file.FormatOFX, ""},
		{"qif", "!Type:Bank\nD1/2'97\n", file.FormatQIF, ""},
		{"qif bom", "\xEF\xBB\xBF!type:ccard\n", file.FormatQIF, ""},
		{"qif account list", "!Account\nNChecking\n^\n", file.FormatQIF, ""},
		{"csv", "Date,Amount\n2024-01-01,1\n", file.FormatCSV, ""},
		{"mt940", ":20:STARTUMS\n:25:1234/5678\n:60F:C240101EUR1,00\n", file.FormatMT940, ""},
		{"mt940 after a bank's header", "ABNANL2A\n940\nABNANL2A\n:20:ABN AMRO BANK NV\n:25:517852257\n", file.FormatMT940, ""},
		{"swift block", "{1:F01BANKBEBBAXXX0000000000}{4:\n:20:X\n", file.FormatMT940, ""},
		{"pdf", "%PDF-1.7\n", "", "PDF"},
		{"xlsx", "PK\x03\x04\x14\x00[Content_Types].xml", "", "XLSX"},
		{"xls", "\xD0\xCF\x11\xE0\xA1\xB1", "", "XLS"},
		{"camt.053.001.02", "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">", file.FormatCAMT053, ""},
		{"camt.053.001.08", "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.08\">", file.FormatCAMT053, ""},
		{"camt without namespace", "<Document><BkToCstmrStmt>", file.FormatCAMT053, ""},
		{"camt.053.001.01", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.01\">", "", "camt.053.001.01 statement, a version Tally does not read"},
		{"camt.052", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.052.001.02\">", "", "camt.052.001.02 message (an intraday account report)"},
		{"camt.054", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.04\">", "", "camt.054.001.04 message (a debit and credit notification)"},
		{"pain.001", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03\">", "", "pain.001.001.03 message (a payment initiation)"},
		{"other xml", "<?xml version=\"1.0\"?><rss>", "", "neither OFX nor CAMT.053"},
		{"json", "{\"transactions\":[]}", "", "JSON"},
		{"empty", "  \n", "", "empty"},
	} {
		got, err := file.Sniff([]byte(tc.head))
		if tc.refusal == "" {
			if err != nil || got != tc.want {
				t.Errorf("%s: Sniff = %q, %v; want %q", tc.name, got, err, tc.want)
			}
			continue
		}
		if err == nil || tally.ErrorCode(err) != tally.EUNPROCESSABLE || !strings.Contains(tally.ErrorMessage(err), tc.refusal) {
			t.Errorf("%s: Sniff = %q, %v; want an unprocessable error naming %s", tc.name, got, err, tc.refusal)
		}
	}
}
