package categorize_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// TestWorldShapes covers the shapes banks outside the US print: type words
// in their languages, terminal ids, dates, times and amounts before the
// name, fixed-width columns with towns and country codes, SEPA fields,
// wallet and processor wrappers, and non-merchant lines.
func TestWorldShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc     string
		amount   int64
		typ      string
		category string // the category, a top-level category when only that is asserted, or "" for any
		merchant string // "" to skip
	}{
		// Card purchases wrapped in the bank's words.
		{"POS          12,90 AT  K1   03.10. 09:15 BILLA DANKT 1234 WIEN 1100", -1290, "", "groceries", "Billa"},
		{"Kartenzahlung EDEKA SAGT DANKE 12345678//Muenchen/DE 2024-01-05T10:11:12", -2345, "", "groceries", "EDEKA"},
		{"BEA   NR:AB12CD   05.02.24/17.45 ALBERT HEIJN 1234 UTRECHT,PAS012", -1510, "", "groceries", "Albert Heijn"},
		{"CARTE 12/03 MONOPRIX PARIS 11", -830, "", "groceries", "Monoprix"},
		{"COMPRA TARJETA MERCADONA VALENCIA", -4410, "", "groceries", "Mercadona"},
		{"VAREKJØP REMA 1000 GRÜNERLØKKA", -25000, "", "groceries", "Rema 1000"},
		{"SAINSBURYS S/MKTS       LONDON        GBR", -1234, "", "groceries", "Sainsbury's"},
		{"APPLE PAY TESCO STORES 2345", -899, "", "groceries", "Tesco"},
		// Japanese: chains by their Japanese names, a branch written right
		// after the chain's name, half-width katakana, and bank words.
		{"ﾛｰｿﾝ", -540, "", "groceries", "ローソン"},
		{"マクドナルド渋谷センター街店", -690, "", "fast_food", "マクドナルド"},
		{"振込手数料", -220, "", "bank_fee", ""},
		{"利息", 12, "", "interest_income", ""},
		{"スイドウ", -3200, "", "utilities", ""},
		{"ＳＢＩ証券", -50000, "", "investments", ""},
		{"給与　カ）ヤマダショウジ", 250000, "", "paycheck", ""},
		// Full-width Latin letters, as Japanese, Chinese and Korean banks
		// print them, read as ASCII.
		{"ＡＭＡＺＯＮ．ＣＯ．ＪＰ", -3456, "", "shopping", "Amazon"},
		{"ＰＡＹＰＡＬ　＊ＮＥＴＦＬＩＸ", -1490, "", "streaming", "Netflix"},
		// Brazilian banks' short words for a fee and for a yield.
		{"TAR EMISSAO EXTRATO", -500, "", "bank_fee", ""},
		{"REND PAGO APLIC AUT", 9999, "", "interest_income", ""},
		// A web address whose dots the card scheme dropped.
		{"WWWPODPOINTCOM", -450, "", "gas_fuel", "Pod Point"},
		{"WWWSOMESHOPCOM", -2450, "", "shopping", "Someshop"},
		// A trade word naming the street a shop is on is not its trade.
		{"MARKET STREET INN JEFFERSONVI", -12900, "", "hotel", ""},
		{"PIZZA STREET", -1290, "", "restaurants", ""},
		// Britain's discount chains are sellers of their own, and drugstores
		// (OpenStreetMap's shop=chemist) are pharmacies.
		{"B&M BARGAINS 123 LEEDS", -1299, "", "shopping", "B&M"},
		{"WWW.THERANGE.CO.UK", -4500, "", "home", "The Range"},
		{"HOME BARGAINS PERRY BARR", -650, "", "shopping", "Home Bargains"},
		{"SUPERDRUG 1234 LEEDS", -450, "", "pharmacy", "Superdrug"},
		{"DM FIL. 1234 MUENCHEN", -1290, "", "pharmacy", "dm-drogerie markt"},
		{"VIPPS *KAFFEBRENNERIET OSLO", -5900, "", "coffee_shops", ""},
		{"PAYPAL *DELIVEROO", -2450, "", "food_delivery", "Deliveroo"},
		{"POS13SEP CIRCLE K", -5000, "", "gas_fuel", "Circle K"},
		// Money in from a company over a bank transfer is earnings; the
		// same rail from a person, or out, is a transfer; a card refund
		// from a shop names no rail and is not earnings.
		{"770 PRZELEW KRAJOWY; OD: KOWALSKI I SYN SP. Z O.O. UL. DLUGA 1 00-001 WARSZAWA; TYT.: 12/2024", 1, "", "income", ""},
		{"911 TRANSAKCJA IPH; OD: HUTA POLSKA S.A. KATOWICE; TYT.: FV 7/2024", 1, "", "income", ""},
		{"OVERSCHRIJVING VAN JANSEN TECHNIEK B.V.", 120000, "", "income", ""},
		{"770 PRZELEW KRAJOWY; OD: JAN NOWAK; TYT.: ZWROT", 1, "", "account_transfer", ""},
		{"770 PRZELEW KRAJOWY; DLA: KOWALSKI I SYN SP. Z O.O.; TYT.: 12/2024", -1, "", "account_transfer", ""},
		// Revolut's exchange between its own currency pockets; Polish fees.
		{"Exchange to EUR", -20000, "", "account_transfer", ""},
		{"794 OPŁATY GRUPOWE; TNR: 154960005384269.330001", -1, "", "bank_fee", ""},
		// UK and Canadian channel phrases before the seller.
		{"CARD PAYMENT TO TESCO STORES 3021 ON 12 MAR", -1210, "", "groceries", "Tesco"},
		{"DIRECT DEBIT PAYMENT TO BRITISH GAS REF 123", -6500, "", "utilities", "British Gas"},
		{"DIRECT LINE INSURANCE PLC", -4000, "", "auto_insurance", "Direct Line"},
		{"FASTER PAYMENT RECEIVED FROM JOHN SMITH", 5000, "", "peer_payment", ""},
		{"Point of Sale - Interac RETAIL PURCHASE 000000000000 LOBLAWS", -8812, "", "groceries", "Loblaws"},
		// Wallets and processors before the seller, and names cut at a fixed width.
		{"KLARNA*ZALANDO SE", -8999, "", "clothing", "Zalando"},
		{"GOOGLE PAY SPAR EXPRESS 0412", -650, "", "groceries", "Spar"},
		{"KARTENZAHLUNG HORNBA", -4599, "", "home_improvement", "Hornbach"},
		{"WAITROSE 999 SMALLVILL", -2210, "", "groceries", "Waitrose"},
		// A short number that is part of the brand; a letter and a digit that are one.
		{"Union 76", -6094, "", "gas_fuel", "76"},
		{"MITRE 10 NEWMARKET", -2599, "", "home_improvement", "Mitre 10"},
		{"A1 TELEKOM AUSTRIA AG 1020 WIEN", -3500, "", "mobile_phone", "A1 Telekom"},
		{"O2 UK 12345", -2000, "", "mobile_phone", "O2 Mobile"},
		// A foreign-exchange note after the name.
		{"HOTEL MARAIS EUROS        78.80 VISAXR     1.0724 CD 1425", -7348, "", "hotel", "Hotel Marais"},
		{"CLOUDFLARE 650-3198939, US 9.95 USD, 1 USD = 0.88241 EUR", -878, "", "", "Cloudflare"},
		// Display names keep their accents, title-cased.
		{"KORTKJØP SKOMAKER ÅSE BRØNN", -45000, "", "", "Skomaker Åse Brønn"},
		// Generic words for shops no dictionary knows, with their accents.
		{"KARTENZAHLUNG STADT-APOTHEKE AM MARKT", -1299, "", "pharmacy", ""},
		{"CB BOULANGERIE DU COIN 12/04", -450, "", "food_dining", ""},
		{"BETAALAUTOMAAT KAPSALON ANOUK", -3500, "", "hair", ""},
		{"COMPRA PELUQUERÍA MARTA", -2200, "", "hair", ""},
		{"Bäckerei Müller Filiale 12", -380, "", "food_dining", ""},
		{"PAGAMENTO POS FARMACIA CENTRALE", -1550, "", "pharmacy", ""},
		{"ZAHNARZTPRAXIS DR SCHMIDT", -8000, "", "dentist", ""},
		// SEPA fields: the creditor and the remittance text decide, the codes do not.
		{"SEPA-BASISLASTSCHRIFT EREF+123456 MREF+ABC-9 CRED+DE12ZZZ00000012345 SVWZ+Rechnung 04/2024 Vodafone GmbH", -3999, "", "bills_utilities", ""},
		{"105?00Basislastschrift?20EREF+2024-0001?21MREF+XY123?22CRED+DE99ZZZ0000001?23SVWZ+Einkommensteuer 2023?32Finanzamt Koeln-Mitte", -120000, "", "taxes", ""},
		// Non-merchant lines in their languages.
		{"GEHALT JANUAR ACME GMBH", 320000, "", "paycheck", ""},
		{"Nómina enero", 210000, "", "paycheck", ""},
		{"Lønn februar", 3500000, "", "paycheck", ""},
		{"Habenzinsen 01.01.-31.03.", 123, "", "interest_income", ""},
		{"Intérêts créditeurs", 456, "", "interest_income", ""},
		{"Kontoführungsentgelt", -690, "", "bank_fee", ""},
		{"FRAIS TENUE DE COMPTE", -500, "", "bank_fee", ""},
		{"Kapitalertragsteuer", -2500, "", "taxes", ""},
		{"Miete Wohnung Mai", -95000, "", "rent_mortgage", ""},
		{"HUSLEIE MARS", -1150000, "", "rent_mortgage", ""},
		{"Bizum enviado a Laura", -2000, "", "peer_payment", ""},
		{"Swish till Anna Svensson", -15000, "", "peer_payment", ""},
		{"PIX ENVIADO JOAO SILVA", -5000, "", "peer_payment", ""},
		{"INTERAC E-TRANSFER SENT JOHN", -7500, "", "peer_payment", ""},
		{"Bargeldauszahlung GAA 1234 Sparkasse", -20000, "", "cash_atm", ""},
		{"RETRAIT DAB 12/03 PARIS", -6000, "", "cash_atm", ""},
		{"Überweisung an Max Mustermann", -5000, "", "account_transfer", ""},
		{"Dauerauftrag Sparen", -10000, "", "transfer", ""},
		{"Traspaso a cuenta ahorro", -30000, "", "account_transfer", ""},
		{"Pagamento da fatura", -178510, "", "credit_card_payment", ""},
		{"RECARGA CELULAR VIVO", -2000, "", "mobile_phone", ""},
		{"PayPal (Europe) S.a.r.l. et Cie., S.C.A. Ihr Einkauf bei Spotify", -999, "", "streaming", "Spotify"},
		{"Zorgtoeslag Belastingdienst", 12000, "", "income", ""},
		{"ADDEBITO SDD TIM", -2900, "", "mobile_phone", ""},
		{"TARIFA PACOTE SERVICOS", -2500, "", "bank_fee", ""},
		{"Korttiosto K-Citymarket", -6000, "", "groceries", ""},
		// The kind of insurance, with an insurer that sells every kind.
		{"LASTSCHRIFT HUK-COBURG KFZ-VERSICHERUNG 2024", -4500, "", "auto_insurance", "HUK-Coburg"},
		{"Allianz Hausratversicherung", -1200, "", "home_insurance", "Allianz"},
		{"PRLV SEPA MAIF ASSURANCE HABITATION", -2300, "", "home_insurance", "MAIF"},
		{"KFZ-STEUER FUER B-AB 123", -12000, "", "taxes", ""},
		// An automatic withdrawal is a debit to a biller, not cash.
		{"AUTOMATIC WITHDRAWAL, GAS AND ELECTRIC", -9000, "", "utilities", ""},
		// A known word before a hyphen ends: PAYMENT-THANK YOU.
		{"ONLINE PAYMENT-THANK YOU 0412", 25000, "", "credit_card_payment", ""},
		// Brazilian bank words for bills, taxes, fees and investments.
		{"PAGTO CONTA DE LUZ CEMIG", -14500, "", "utilities", ""},
		{"IOF SOBRE SAQUE", -230, "", "taxes", ""},
		{"TARIFA DOC ELETRONICO", -850, "", "bank_fee", ""},
		{"RESGATE CDB BANCO XYZ", 150000, "", "investment_sell", ""},
		// Money in from a business one supplies.
		{"ACME CORP VENDOR PMT PPD ID: 1234567", 120000, "", "income", ""},
		// Money moved to one's own account at a digital bank.
		{"TRANSFER TO MONZO", -20000, "", "account_transfer", ""},
		// UK card merchants: a prepay top-up, a power-and-gas retailer, park
		// and ride, a car dealer, a train company, a supermarket's petrol.
		{"VODAFONE PREPAY TOP-UP", -1000, "", "mobile_phone", ""},
		{"ACME POWER AND GAS LTD", -6500, "", "utilities", ""},
		{"THORNHILL PARK & RIDE", -450, "", "parking", ""},
		{"LISTERS TOYOTA COVENTRY", -18900, "", "service_parts", ""},
		{"NORTHERN TRAINS LTD", -1290, "", "public_transportation", ""},
		{"SAINSBURYS PETROL 1234 LEEDS", -5000, "", "gas_fuel", ""},
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: tt.amount, Type: tt.typ})
		ok := tt.category == "" || got.Category == tt.category || tally.TopLevel(got.Category) == tt.category
		if !ok || tt.merchant != "" && got.Merchant != tt.merchant {
			t.Errorf("Categorize(%q): got %q, %s (%s), want %q, %s", tt.desc, got.Merchant, got.Category, got.Matched, tt.merchant, tt.category)
		}
	}
}

// TestCardRefundFromACompanyIsNotEarnings checks that money back on a
// card from a shop named with its company form is not filed as earnings:
// only a bank transfer's rail makes money in from a company income.
func TestCardRefundFromACompanyIsNotEarnings(t *testing.T) {
	t.Parallel()
	for _, desc := range []string{"EDWARD STANFORD LTD", "ACME BOOKS GMBH BERLIN"} {
		if got := engine.Categorize(categorize.Input{Description: desc, Amount: 2500}); got.Category == "income" {
			t.Errorf("Categorize(%q, +25.00): got income (%s), want the shop's category or uncategorized", desc, got.Matched)
		}
	}
}

func TestCategorizeWithHistory(t *testing.T) {
	t.Parallel()
	unknown := categorize.Input{Description: "POS 0423 ZORBLAX STUDIO 12 PORTLAND OR", Amount: -4500}
	base := engine.Categorize(unknown)
	if base.Key == "" {
		t.Fatalf("an unknown seller: got no key")
	}
	h := categorize.NewHistory(map[string]string{
		base.Key:                  "kids_activities",
		"GRANDMAS KITCHEN":        "gift",
		"WHOLE_FOODS":             "restaurants", // not a key the engine gives: ignored
		"SOMETHING":               "not_a_category",
		"":                        "gift",
		"JOES PIZZA":              "business_services",
		"JOES PIZZA DOWNTOWN":     "business_services",
		"TWIN PEAKS DINER":        "gift",
		"TWIN PEAKS DINER DENVER": "restaurants", // the leading words disagree: no near match
		"KOWALSKI WEDLINY STALL":  "restaurants",
	})
	if h.Len() != 8 {
		t.Errorf("Len: got %d, want 8", h.Len())
	}
	tests := []struct {
		desc     string
		category string
		source   string
		matched  string
	}{
		// The same key: the user's category, whatever decided before.
		{unknown.Description, "kids_activities", tally.SourceRule, "history:" + base.Key},
		// A longer name starting with the same words outranks a keyword rule.
		{"GRANDMAS KITCHEN BAKERY SEATTLE WA", "gift", tally.SourceRule, "history:GRANDMAS KITCHEN"},
		// ... and a trade word of the tagging schema.
		{"KOWALSKI WEDLINY", "restaurants", tally.SourceRule, "history:KOWALSKI WEDLINY"},
		// ... and the bare name the same key.
		{"TST* JOE'S PIZZA", "business_services", tally.SourceRule, "history:JOES PIZZA"},
		// A known seller is not overridden by a near match.
		{"WHOLEFDS HOU 10236", "groceries", tally.SourceDictionary, "seller:whole_foods"},
		// Ambiguous leading words decide nothing.
		{"TWIN PEAKS DINER AURORA", "restaurants", tally.SourceDictionary, "rule:restaurants"},
		// A built-in rule stands.
		{"ACME CORP PAYROLL", "paycheck", tally.SourceDictionary, "rule:payroll"},
	}
	for _, tt := range tests {
		got := engine.CategorizeWith(categorize.Input{Description: tt.desc, Amount: -1000}, h)
		if tt.desc == "ACME CORP PAYROLL" {
			got = engine.CategorizeWith(categorize.Input{Description: tt.desc, Amount: 100000}, h)
		}
		if got.Category != tt.category || got.Source != tt.source || got.Matched != tt.matched {
			t.Errorf("CategorizeWith(%q): got %s, %s, %q; want %s, %s, %q", tt.desc, got.Category, got.Source, got.Matched, tt.category, tt.source, tt.matched)
		}
	}
	if got, want := engine.CategorizeWith(unknown, nil), engine.Categorize(unknown); got != want {
		t.Errorf("nil history: got %+v, want %+v", got, want)
	}
}

func TestUnreadableInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, desc, reason string
	}{
		{"empty", "", categorize.ReasonEmpty},
		{"blank", "   \t ", categorize.ReasonEmpty},
		{"binary", "AB\x00\x01\x02CD", categorize.ReasonBinary},
		{"invalid UTF-8", "CAF\xc3\x28 ROMA", categorize.ReasonUTF8},
		{"too long", strings.Repeat("SHOP ", 1000), categorize.ReasonTooLong},
		{"Greek only", "ΑΓΟΡΑ ΚΑΦΕΤΕΡΙΑ", categorize.ReasonScript},
		{"Korean only", "스타벅스 커피", categorize.ReasonScript},
		{"Chinese only", "星巴克咖啡", categorize.ReasonKanji},
		{"Arabic only", "مقهى ستاربكس", categorize.ReasonScript},
		{"digits only", "0000 1234 5678", categorize.ReasonNoLetter},
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -100})
		if got.Category != tally.Uncategorized || got.Source != tally.SourceNone || got.Reason != tt.reason {
			t.Errorf("%s: got %s, %s, reason %q; want uncategorized, none, %q", tt.name, got.Category, got.Source, got.Reason, tt.reason)
		}
	}
	// The memo, the type and the MCC still decide.
	if got := engine.Categorize(categorize.Input{Description: "\x00\x00", Memo: "STARBUCKS 1234", Amount: -500}); got.Category != "coffee_shops" || got.Reason != "" {
		t.Errorf("binary name, readable memo: got %s, reason %q; want coffee_shops", got.Category, got.Reason)
	}
	if got := engine.Categorize(categorize.Input{Description: "ΤΟΚΟΙ", Type: "INT", Amount: 12}); got.Category != "interest_income" {
		t.Errorf("Greek name, type INT: got %s, want interest_income", got.Category)
	}
	// A line a little longer than the engine reads is read on its start.
	long := "TESCO STORES 1234 " + strings.Repeat("X", 500)
	if got := engine.Categorize(categorize.Input{Description: long, Amount: -100}); got.Category != "groceries" {
		t.Errorf("a 518-byte line: got %s, want groceries", got.Category)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, kept, matched string }{
		{"Kartenzahlung REWE SAGT DANKE. 41400673//Hamburg 2018-03-01T11:33:59", "REWE", "seller:rewe"},
		{"POS          23,55 AT  K1   16.09. 11:32 SPAR DANKT 4105 KORNEUBURG 2100", "SPAR", "seller:spar"},
		{"PURCHASE AUTHORIZED ON 04/23 JOE'S PIZZA NEW YORK NY S462113456789012 CARD 1234", "JOE'S PIZZA", "rule:restaurants"},
		{"KARTENZAHLUNG STADTAPOTHEKE", "STADTAPOTHEKE", "stem:APOTHEKE"},
		{"ＡＭＡＺＯＮ．ＣＯ．ＪＰ", "AMAZON", "seller:amazon"},
		{"振込手数料", "振込手数料", "ja:手数料"},
	}
	for _, tt := range tests {
		x := engine.Explain(categorize.Input{Description: tt.desc, Amount: -100}, nil)
		if x.Kept != tt.kept || x.Matched != tt.matched {
			t.Errorf("Explain(%q): got kept %q, matched %q; want %q, %q", tt.desc, x.Kept, x.Matched, tt.kept, tt.matched)
		}
	}
}

// FuzzNormalize feeds the normalizer arbitrary bytes: it must not panic,
// must return valid UTF-8 names, and must say why when it reads nothing.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "POS          23,55 AT  K1   16.09. 11:32 SPAR DANKT 4105 KORNEUBURG 2100",
		"105?00Basislastschrift?20EREF+1?21MREF+2?32Finanzamt Koeln-Mitte",
		"000>100987654321>20ALGEMENE TUSSENREKENING KOS>21TEN",
		"VAREKJØP REMA 1000 GRÜNERLØKKA", "ΑΓΟΡΑ", "CAF\xc3\x28", "\xc3", "\xe2\x80", "?2", ">9", "A?21B",
		"Bäckerei Müller", "JOE’S PIZZA", "1.699,70 R$", strings.Repeat("Ä", 300),
		"ﾍﾟｲﾍﾟｲ ﾋﾞｯｸﾞｴｰ", "ＡＭＡＺＯＮ．ＣＯ．ＪＰ", "振込手数料", "マクドナルド渋谷店", "\xef\xbd", strings.Repeat("ﾛ", 200),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := engine.Categorize(categorize.Input{Description: s})
		if _, ok := tally.LookupCategory(r.Category); !ok {
			t.Fatalf("%q: category %q is not in the taxonomy", s, r.Category)
		}
		if r.Source == tally.SourceNone && r.Category != tally.Uncategorized {
			t.Fatalf("%q: source none with category %q", s, r.Category)
		}
		if utf8.ValidString(s) && !utf8.ValidString(r.Merchant) {
			t.Fatalf("%q: merchant %q is not valid UTF-8", s, r.Merchant)
		}
		x := engine.Explain(categorize.Input{Description: s}, nil)
		if x.Category != r.Category {
			t.Fatalf("%q: Explain says %s, Categorize %s", s, x.Category, r.Category)
		}
		if categorize.Normalize(s) != r.Merchant {
			t.Fatalf("%q: Normalize differs from Categorize", s)
		}
	})
}

// TestTruncatedLastWord checks that a name cut at a card network's field
// width (18, 22, 25 or 32 characters) completes its last word to the one keyword
// it begins, and that a name of any other length, or a beginning shared by
// keywords of two categories, is left alone.
func TestTruncatedLastWord(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc     string
		category string
	}{
		{"HILLCREST ROAD GUESTHO", "hotel"},                 // 22 characters: GUESTHOUSE
		{"ST ANNES ROAD PIZZER", "uncategorized"},           // 20 characters: not cut
		{"HILLCREST ROAD GUESTHO   ", "hotel"},              // trailing padding aside
		{"THE OLD BRIDGE ROAD HOT", "uncategorized"},        // 23 characters
		{"THE OLD BRIDGE ROYAL HOT", "uncategorized"},       // 24 characters
		{"OLD BRIDGE STREET ROYAL HOT", "uncategorized"},    // 27 characters
		{"ABC BRIDGE ROYAL HOT", "uncategorized"},           // 20 characters
		{"ABCDEFGH BRIDGE ROYAL MAR", "uncategorized"},      // 25 characters, but MARKET or MARINE
		{"ABCDEFGH BRIDGE ROYAL HOT", "travel"},             // 25 characters: HOTEL; HOT only opens HOT DOG
		{"ST ANNES ROAD 1 PIZZER", "food_dining"},           // 22 characters: PIZZERIA
		{"ELMS RD SERVICE ST", "auto_transport"},            // 18 characters: SERVICE STATION
		{"HAZELBROOKE GARDEN CEN", "home"},                  // 22 characters, but CEN is too little of CENTRAAL
		{"ELMS ROAD SERVICE ST", "uncategorized"},           // 20 characters: not cut
		{"THE LONG ACRE BIKE SHOP AND CAFE", "food_dining"}, // 32 characters, whole words
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -1000})
		if got.Category != tt.category && tally.TopLevel(got.Category) != tt.category {
			t.Errorf("Categorize(%q): got %s (%s), want %s", tt.desc, got.Category, got.Matched, tt.category)
		}
	}
}
