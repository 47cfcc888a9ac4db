package file

import (
	"testing"
)

func TestMTTransaction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		field, info, currency string
		date, fitid, desc     string
		amount                int64
		reason                bool
	}{
		{field: "2401020102D45,NDDTNONREF//2024010200001", currency: "EUR", date: "2024-01-02", amount: -4500, fitid: "2024010200001"},
		{field: "2312300102C2750,NTRF//REF", currency: "EUR", date: "2024-01-02", amount: 275000, fitid: "REF"},            // booked across New Year
		{field: "2401020102D1,5NTRFNONREF", currency: "EUR", date: "2024-01-02", amount: -150},                             // no bank reference
		{field: "0709040904CR300,NTRFTFNr 40005//0724", currency: "EUR", date: "2007-09-04", amount: 30000, fitid: "0724"}, // funds code R
		{field: "0709040904RCR204,88NRTINONREF", currency: "EUR", date: "2007-09-04", amount: -20488},                      // reversal of a credit
		{field: "240104RD7,99NTRFNONREF//X", currency: "EUR", date: "2024-01-04", amount: 799, fitid: "X"},                 // reversal of a debit, no booking date
		{field: "2401051305D12,50NMSCNONREF", currency: "EUR", date: "2024-01-05", amount: -1250},                          // booking date not a date: value date
		{field: "240108D1500NMSC//JP-1", currency: "JPY", date: "2024-01-08", amount: -1500, fitid: "JP-1"},
		{field: "240108D12.345NMSC", currency: "EUR", date: "2024-01-08", amount: -1235}, // decimal point, rounded
		{field: "240108D10,NCHK1042", currency: "USD", date: "2024-01-08", amount: -1000},
		{field: "2401D1,00NMSC", currency: "EUR", reason: true},
		{field: "240105X5,00NMSC", currency: "EUR", reason: true},
		{field: "240105DNMSC", currency: "EUR", reason: true},
		{field: "240105D,NMSC", currency: "EUR", reason: true},
		{field: "240105D1,5NMSC", info: "166?00GUTSCHRIFT?20SVWZ+Miete?32HAUS GMBH", currency: "EUR", date: "2024-01-05", amount: -150, desc: "HAUS GMBH"},
	} {
		tx, reason := mtTransaction(&mtLine{line: 7, field: tc.field, info: tc.info}, tc.currency)
		if tc.reason {
			if reason == "" {
				t.Errorf("%s: read as %+v, want a reason", tc.field, tx)
			}
			continue
		}
		if reason != "" {
			t.Errorf("%s: %s", tc.field, reason)
			continue
		}
		if got := tx.Date.Format("2006-01-02"); got != tc.date || tx.Amount != tc.amount || tx.FITID != tc.fitid || tx.Line != 7 {
			t.Errorf("%s: got %s %d %q line %d, want %s %d %q line 7", tc.field, got, tx.Amount, tx.FITID, tx.Line, tc.date, tc.amount, tc.fitid)
		}
		if tc.desc != "" && tx.Description != tc.desc {
			t.Errorf("%s: description %q, want %q", tc.field, tx.Description, tc.desc)
		}
	}
}

func TestMTDetails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ info, desc, memo string }{
		{"105?00SEPA-BASISLASTSCHRIFT?20EREF+RG 1?21MREF+M-1?22CRED+DE98ZZZ0999?23SVWZ+Strom Dezember?24 2023?32STADTWERKE?33 GMBH",
			"STADTWERKE GMBH", "Strom Dezember 2023"},
		{"159?00RETOURE?100399?20EREF+TFNR 40005 00005?21MTLG:Grund nicht s?22pezifiziert",
			"MTLG:Grund nicht spezifiziert", "RETOURE"},
		{"079?00SAMMLER?109800", "SAMMLER", ""},
		{"/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/KIOSK DE HOEK/REMI/USTD//Factuur 88712/EREF/NOTPROVIDED",
			"KIOSK DE HOEK", "Factuur 88712"},
		{"/TRTP/ACCEPTGIRO/REMI/STRD/CUR/1234567890123456/", "1234567890123456", "ACCEPTGIRO"},
		{"Kartenzahlung Baeckerei\nAm Markt 3", "Kartenzahlung Baeckerei Am Markt 3", ""},
		{"", "", ""},
	} {
		desc, memo := mtDetails(tc.info)
		if desc != tc.desc || memo != tc.memo {
			t.Errorf("mtDetails(%q) = %q, %q; want %q, %q", tc.info, desc, memo, tc.desc, tc.memo)
		}
	}
}

func TestMTAccount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, bank, acct string }{
		{"12345678/0000123456", "12345678", "0000123456"},
		{"DE89370400440532013000", "", "DE89370400440532013000"},
		{"NL91ABNA0417164300EUR", "", "NL91ABNA0417164300"},
		{"/NL91ABNA0417164300", "", "NL91ABNA0417164300"},
		{"COBADEFFXXX/DE89370400440532013000", "COBADEFFXXX", "DE89370400440532013000"},
		{"517852257", "", "517852257"},
	} {
		a := mtAccount(tc.in)
		if a == nil || a.BankID != tc.bank || a.AccountID != tc.acct {
			t.Errorf("mtAccount(%q) = %+v, want bank %q account %q", tc.in, a, tc.bank, tc.acct)
		}
	}
	if a := mtAccount("  "); a != nil {
		t.Errorf("empty :25: gave %+v", a)
	}
}

func TestCAMTHelpers(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string
	}{
		{"2024-01-31", "2024-01-31"},
		{"2024-01-31T23:30:00+01:00", "2024-01-31"},
		{"2024-01-31+01:00", "2024-01-31"},
		{"2024-02-30", ""},
		{"31.01.2024", ""},
		{"2024-01-31X", ""},
	} {
		d, ok := camtDate(tc.in)
		got := ""
		if ok {
			got = d.Format("2006-01-02")
		}
		if got != tc.want {
			t.Errorf("camtDate(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for in, want := range map[string]string{"1": "", "000042": "", "1234567": "1234567", "NOTPROVIDED": "", "NONREF": "", " AB-1 ": "AB-1", "": ""} {
		if got := usableRef(in); got != want {
			t.Errorf("usableRef(%q) = %q, want %q", in, got, want)
		}
	}
}
