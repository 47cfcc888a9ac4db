package categorize_test

import (
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// TestTradeWords checks that an independent UK or Irish business no
// dictionary knows lands in the right top-level category by the trade its
// name states, with a company form, a town or a card scheme's cut after it.
func TestTradeWords(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, top string }{
		{"HEADINGTON TYRES LTD", "auto_transport"},
		{"J BLOGGS SCAFFOLDING LIMITE", "home"},
		{"ABBEYFIELD GLAZING", "home"},
		{"RIVERSIDE TOOL HIRE", "home"},
		{"THE KINGS ARMS", "food_dining"},
		{"THE WHITE HART", "food_dining"},
		{"HIGH STREET FISH BAR", "food_dining"},
		{"COWLEY RD BUTCHERS", "food_dining"},
		{"MILL LANE TEA ROOMS", "food_dining"},
		{"SAFE HANDS TRAINING LTD", "education"},
		{"CITY CAR HIRE", "travel"},
		{"PARKSIDE SOLICITORS LLP", "business_services"},
		{"MORTON REPROGRAPHICS", "business_services"},
		{"CHERWELL LEISURE CENTRE", "health_fitness"},
		{"HOLLYBANK PHYSIOTHERAPY", "health_fitness"},
		{"ST ANNES HOSPICE", "gifts_donations"},
		{"ROSE COTTAGE B&B", "travel"},
		{"THE MARINE VIEW GUEST", "travel"},
		{"WOODGATE SERVICE STATIONS", "auto_transport"},
		{"TOWN GREEN STN", "auto_transport"},
		{"PARSONS WORKWEAR", "shopping"},
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -2500})
		if tally.TopLevel(got.Category) != tt.top {
			t.Errorf("Categorize(%q): got %s (%s), want a category of %s", tt.desc, got.Category, got.Matched, tt.top)
		}
	}
}

// TestGluedAndTrailingNames checks the shapes in which card schemes print a
// known seller with something after it: a company form, a branch or town
// glued to the name or after it, and trade words glued into one word.
func TestGluedAndTrailingNames(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, want string }{
		{"CINEWORLD LTD", "seller:nsi_cineworld"},         // an open-data brand and a company form
		{"CINEWORLD BRO AT", "seller:nsi_cineworld"},      // an open-data brand before a branch name
		{"SPECSAVERSABINGDON", "seller:specsavers"},       // a seller glued to its town
		{"SPARKYSELECTRICAL", "stem:ELECTRICAL"},          // a trade word glued to a name
		{"JESSOPS LTD", "seller:nsi_jessops"},             // a brand from the added open data
		{"PUNCH TAVERNS", "seller:nsi_punch_taverns"},     // a pub estate
		{"SUNRISE SENIOR LIVING", ""},                     // a short brand that opens less than half the name
		{"THE ENTERTAINER", "seller:nsi_the_entertainer"}, // a brand whose name opens with THE
		{"MARKS&SPENCER PLC", "seller:marks_spencer"},     // the shops
		{"M&S SIMPLY FOOD", "seller:marks_spencer_food"},  // the food halls
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -999})
		if got.Matched != tt.want {
			t.Errorf("Categorize(%q): got %s (%q), want %q", tt.desc, got.Category, got.Matched, tt.want)
		}
	}
}

// TestWebShop checks that a web address or a Shopify payment that names no
// known seller and no trade is filed as shopping when money leaves the
// account, and that a known seller or a trade word still decides.
func TestWebShop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		desc   string
		amount int64
		want   string
	}{
		{"WWW.ZOOBLYWOX.CO.UK", -4500, "shopping"},
		{"WWW.QUIRKYLAMPSHADES.CO.UK", -4500, "furnishings"}, // a trade word inside the label decides
		{"TINKERPLANET.COM", -1200, "shopping"},
		{"SP * MOSSANDMAPLE", -3000, "shopping"},
		{"WWW.ZOOBLYWOX.CO.UK", 4500, tally.Uncategorized},      // money in: a refund or a payout, not a purchase
		{"WWW.BRIDGEND-PLUMBING.CO.UK", -9000, "home_services"}, // the trade decides
		{"WWW.AMAZON.CO.UK", -1500, "shopping"},
		{"WWW.OFFICESTATIONERY.CO.UK", -1500, "office_supplies"}, // the trade glued in the name, not the open-data brand OFFICE
		{"WWW.EXAMPLESHIRE.GOV.UK", -1500, tally.Uncategorized},  // a council's site is not a shop
		{"WWW.NORTHFIELD.AC.UK", -1500, "tuition"},               // a university's is a fee or a course
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: tt.amount})
		if got.Category != tt.want {
			t.Errorf("Categorize(%q, %d): got %s (%s), want %s", tt.desc, tt.amount, got.Category, got.Matched, tt.want)
		}
	}
	if got := engine.Categorize(categorize.Input{Description: "WWW.ZOOBLYWOX.CO.UK", Amount: -1}); got.Matched != "rule:web_shop" {
		t.Errorf("web shop: Matched %q, want rule:web_shop", got.Matched)
	}
}

// TestProcessorAndTopUp checks that a trade word after a payment processor
// files the purchase by what was bought, that a platform's own words do not,
// and that a top-up at a mobile operator is phone credit, not a transfer.
func TestProcessorAndTopUp(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, want string }{
		{"PAYPAL *HOLLYBANK FLORIST", "gift"},
		{"PAYPAL  HOLLYBANK FLORIST", "gift"},
		{"PAYPAL  QWERTYZ", "shopping"}, // nothing said: PayPal's own category
		{"GOOGLE *Google Storage", "electronics_software"},
		{"GIFFGAFF TOP UP", "mobile_phone"},
		{"LEBARA TOPUP 0771", "mobile_phone"},
		{"MONZO TOP UP", "account_transfer"},
		{"TOP UP", "account_transfer"},
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -1500})
		if got.Category != tt.want {
			t.Errorf("Categorize(%q): got %s (%s), want %s", tt.desc, got.Category, got.Matched, tt.want)
		}
	}
}

// TestGluedAndHyphenated checks the shapes of names printed without their
// spaces or joined by hyphens: a trade word that ends or opens a glued word,
// a known seller or a trade word on either side of a hyphen, a cut last word
// that closes a phrase, HOTEL over a pub's name, and a seller known by two
// letters that a trade word after them overrides.
func TestGluedAndHyphenated(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, want, matched string }{
		{"WWW.TONERWORLD.CO.UK", "office_supplies", "rule:office_supplies"},
		{"HOLLYBANKPRINTERSLTD", "printing", "rule:printing"},
		{"NORTHSIGNAGECOM", "printing", "rule:printing"},
		{"QWERTYZ LTD", tally.Uncategorized, ""}, // no trade inside: nothing
		{"SPAR-HIGHFIELD", "groceries", "seller:spar"},
		{"WWW.CHEAP-STATIONERY.CO.UK", "office_supplies", "rule:office_supplies"},
		{"ASHFORDS WILDLIFE PARK", "amusement", "rule:attraction_named"}, // 22 characters: PARK is cut, but closes WILDLIFE PARK
		{"KINGS ARMS HOTEL", "hotel", "rule:hotel_named"},
		{"KINGS ARMS", "alcohol_bars", "rule:alcohol_bars"},
		{"MS AUTO CENTRE", "service_parts", "rule:service_parts"},
		{"M&S 0123 LEEDS", "shopping", "seller:marks_spencer"},
		{"200 DEGREES", "coffee_shops", "seller:n200_degrees"},                       // a brand that opens with a number
		{"AN POST", "shipping", "seller:an_post"},                                    // or with a word skipped as a channel word elsewhere
		{"AMZQWERTYSHOP", "shopping", "seller:amazon"},                               // Amazon's marketplace prefix glued to the shop
		{"FOX  HOUNDS", "alcohol_bars", "rule:alcohol_bars"},                         // FOX & HOUNDS without its '&'
		{"PAYPAL  SIGNSHOLLYBANK", "printing", "rule:printing"},                      // a trade glued in the name after a processor
		{"O2", "mobile_phone", "seller:o2"},                                          // a letter and a digit alone are the name
		{"K1", tally.Uncategorized, ""},                                              // not when no seller is called so
		{"HOLLYBANK DINERS", "restaurants", "rule:restaurants"},                      // the plural of a keyword
		{"PUNCH TAVERNS", "alcohol_bars", "seller:nsi_punch_taverns"},                // but an open-data brand first
		{"BP HIGHFIELD CONVENIENCE", "gas_fuel", "seller:bp"},                        // a trade word after a town leaves a two-letter seller its trade
		{"MUFFIN BREAK BULLRING", "coffee_shops", "seller:muffin_break"},             // a chain before a shopping centre's name
		{"DRI*HOLLYBANK SOFTWARE", "electronics_software", "rule:electronics"},       // Digital River's prefix is not the seller
		{"WWW.PAINT4LESS.CO.UK", "home_improvement", "rule:home_improvement"},        // a web label of BIC length with a 4 for "for"
		{"WWW.QWERT-TOOL-BARN.CO.UK", "home_improvement", "rule:home_improvement"},   // a trade word between hyphens
		{"WWW.QWERTY-4-CAKES.COM", "food_dining", "rule:bakery"},                     // a part's plural
		{"WWW.QWERTY-AB12-TOOL.COM", tally.Uncategorized, ""},                        // a reference code between the parts: they are not words
		{"TESCOMANCHESTER", "groceries", "seller:tesco"},                             // a short seller glued to a town
		{"TESCOMANCHESTERX", tally.Uncategorized, ""},                                // no town after it: a five-letter seller is too short to cut off
		{"WWW.ZIPPYWALLPAPERHUB.CO.UK", "home_improvement", "rule:home_improvement"}, // a trade word inside a web label
		{"WWW.QWERTYOFBATHROOMS.CO.UK", "home_improvement", "rule:home_improvement"}, // its plural counts
		{"ZIPPYWALLPAPERHUB", tally.Uncategorized, ""},                               // outside a web address, only at either end
		{"WWW.THEBABYANDME.CO.UK", "baby_supplies", "rule:baby"},                     // a four-letter trade word between joining words
		{"WWW.ZOBABYX.CO.UK", "shopping", "rule:web_shop"},                           // not between other letters
		{"ZORBLATTSS CO HARDWAR", "home_improvement", "rule:home_improvement"},       // 21 characters: a cut last word completes
		{"ZORBLATTS CO HARDWAR", tally.Uncategorized, ""},                            // 20: not a length card schemes cut at
		{"ZQ  BESPOKELIGHTIN", "furnishings", "rule:furnishings"},                    // a cut keyword ending a glued word
		{"ZQ  BESPOKEPPWAREH", tally.Uncategorized, ""},                              // not when five letters of it are left
		{"PAYPAL  QZSIGNS", "printing", "rule:printing"},                             // a trade word inside the shop's name after a processor
		{"PAYPAL  QZSIGNQZ", "shopping", "seller:paypal"},                            // none: the processor's own category
		{"PO HIGHFIELD RD 1234", "shipping", "seller:post_office"},                   // a Post Office branch as UK card schemes print it
		{"ZORBLATTGARDENSCOUK", "lawn_garden", "rule:lawn_garden"},                   // a domain's CO UK glued to the name
		{"HIGHFIELD SKIPS", "home_services", "rule:home_services"},                   // skip hire
		{"HIGHFIELD CLADDING", "home_improvement", "rule:home_improvement"},          // a building trade
		{"HIGHFIELD SERVICES-KFC", "fast_food", "seller:kfc"},                        // a hand-listed seller after a hyphen
		{"WWW.ZORBLATT.AC.UK", "tuition", "rule:academic_domain"},                    // a university's site
		{"WWW.ZORBLATT.ORG.UK", tally.Uncategorized, ""},                             // an organisation's is neither a shop nor a school
		{"WWW.ZORBLATTDAIRIES.CO.UK", "groceries", "rule:groceries"},                 // a plural in -IES inside a web label
		{"ZORBLATT RESTAUR", "restaurants", "rule:restaurants"},                      // a cut spelling of RESTAURANT
		{"ZORBLATTS QWERT CENTR", tally.Uncategorized, ""},                           // no phrase before it: CENTR is a CENTRE as often as a CENTRAL
		{"ZORBLAT PARKWAY STATIO", tally.Uncategorized, ""},                          // 22 characters: STATIO is a STATION as often as a STATIONERY
		{"ZORBLATTS GARDEN CENTR", "lawn_garden", "rule:lawn_garden"},                // 22 characters: a cut word completes the phrase the word before it opens
		{"ZORBLATT RACECOURSE", "amusement", "rule:amusement"},
		{"ZORBLATT BOX OFFICE", "arts", "rule:arts"},
		{"ZORBLATT CAR SPARES", "service_parts", "rule:service_parts"},
		{"WWW.ZORBLATTBULBS.CO.UK", "lawn_garden", "rule:lawn_garden"},
		{"ZORBLATT WEED CONTROL", "lawn_garden", "rule:lawn_garden"},
		{"ZORBLATT S/W COS", "coffee_shops", "seller:costa"}, // a motorway service area's shop after the side of the road
		{"ZORBLATT N/B BK", "fast_food", "seller:burger_king"},
		{"ZORBLATT SW COS", tally.Uncategorized, ""}, // no side of the road: COS is nobody
		{"WWW.ZORBLATT-LIGHTBULBS.CO.UK", "furnishings", "rule:furnishings"},
		{"ZORBLATTS MINI GOLF", "amusement", "rule:attraction_named"},   // an attraction's phrase before GOLF, a sport
		{"ZORBLATTS SAFARI PARK", "amusement", "rule:attraction_named"}, // and before SAFARI, a holiday
		{"PAYPAL  ZORBLATTLAMP", "furnishings", "rule:furnishings"},     // a four-letter trade word that ends the shop's name
		{"WWW.ZORBLATTGIFT.CO.UK", "gift", "rule:gift"},                 // or a web label
		{"WWW.ZORBLATTLAMPX.CO.UK", "shopping", "rule:web_shop"},        // not inside it
		{"ANYLAMPZORBLATT", tally.Uncategorized, ""},                    // outside a web address, not before other letters
		{"EB ZORBLATT CONFERENCE", "tuition", "rule:tuition"},           // a conference booked through a ticket platform
		{"EB ZORBLATT GALA", "entertainment", "seller:eventbrite"},      // any other event is the platform's
		{"ZORBLATT PARK N/E COSTA", "coffee_shops", "seller:costa"},     // the service area's shop by its own name
		{"HILTON ZORBLATT N/E COSTA", "coffee_shops", "seller:costa"},   // even when the area is named like a known seller
		{"WWW.ZORBLATTOFFICE.CO.UK", "office_supplies", "stem:OFFICE"},  // OFFICE ending a glued name
		{"ZORBLATT PUBLISH", "books", "rule:books"},                     // a publisher, cut
		{"ZORBLATT SHOPPING", "shopping", "rule:shopping"},              // a shopping centre
		{"OLD HOUSE AT HOME", "alcohol_bars", "rule:alcohol_bars"},      // a common pub name
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -1500})
		if got.Category != tt.want || got.Matched != tt.matched {
			t.Errorf("Categorize(%q): got %s (%s), want %s (%s)", tt.desc, got.Category, got.Matched, tt.want, tt.matched)
		}
	}
}

// TestVocabulary checks trade words of each language group that the
// taxonomy-derived vocabulary adds, in names the seller dictionary does not
// know, and that a word meaning another thing elsewhere was left out.
func TestVocabulary(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, want string }{
		{"FROMAGERIE DUPONT", "groceries"},         // French
		{"SCHREINEREI HUBER", "home_services"},     // German
		{"VERHUISBEDRIJF JANSEN", "home_services"}, // Dutch
		{"FONTANERIA GARCIA", "home_services"},     // Spanish
		{"AUTOLAVAGGIO ROSSI", "service_parts"},    // Italian
		{"CHURRASQUEIRA DO ZE", "restaurants"},     // Portuguese
		{"TANDLAEGE HANSEN", "dentist"},            // Danish
		{"AUTOKOULU VIRTANEN", "tuition"},          // Finnish
		{"KNYGYNAS VAGA", "books"},                 // Lithuanian
		{"HOLLYBANK DRAINAGE", "home_services"},    // English
		{"KURS 10,52 NOK", tally.Uncategorized},    // an exchange rate, not a course
	}
	for _, tt := range tests {
		got := engine.Categorize(categorize.Input{Description: tt.desc, Amount: -1500})
		if got.Category != tt.want {
			t.Errorf("Categorize(%q): got %s (%s), want %s", tt.desc, got.Category, got.Matched, tt.want)
		}
	}
}

// TestCardWordsOfEurope checks that the card-payment words banks of
// Finland, the Baltic countries, Norway, Spain, Italy, Portugal, France,
// Germany and Austria print before the shop are not kept as its name, so
// the shop's name is what the explanation shows and what a brand must
// span, and that an Austrian card payment at a till (Bankomatkasse) is not
// a cash withdrawal.
func TestCardWordsOfEurope(t *testing.T) {
	t.Parallel()
	tests := []struct{ desc, kept string }{
		{"KORTTIOSTO 12.03 HOLLYBANK KAMPPI", "HOLLYBANK KAMPPI"},
		{"Kaardimakse HOLLYBANK TALLINN", "HOLLYBANK TALLINN"},
		{"Mokejimas kortele HOLLYBANK VILNIUS", "HOLLYBANK VILNIUS"},
		{"Karsu darijums HOLLYBANK RIGA", "HOLLYBANK RIGA"},
		{"Reservert transaksjon HOLLYBANK", "HOLLYBANK"},
		{"COMPRA TARJ. 5403XXXXXXXX1234 HOLLYBANK MADRID", "HOLLYBANK MADRID"},
		{"OPERAZIONE CARTA HOLLYBANK ROMA", "HOLLYBANK ROMA"},
		{"COMPRA CARTAO DEB HOLLYBANK", "HOLLYBANK"},
		{"PAIEMENT PAR CARTE HOLLYBANK", "HOLLYBANK"},
		{"Kartenzahlung girocard HOLLYBANK", "HOLLYBANK"},
		{"HOLLYBANK CAFE LEEDS", "HOLLYBANK CAFE"}, // a British town after the name
		{"LEEDS", "LEEDS"}, // but not the whole name
	}
	for _, tt := range tests {
		if got := engine.Explain(categorize.Input{Description: tt.desc, Amount: -1500}, nil); got.Kept != tt.kept {
			t.Errorf("Explain(%q).Kept = %q, want %q", tt.desc, got.Kept, tt.kept)
		}
	}
	if got := engine.Categorize(categorize.Input{Description: "Bankomatkasse HOLLYBANK Wien", Amount: -1500}); got.Category == "cash_atm" {
		t.Errorf("Bankomatkasse: got %s (%s), want not cash_atm", got.Category, got.Matched)
	}
	if got := engine.Categorize(categorize.Input{Description: "Bankomat Wien", Amount: -1500}); got.Category != "cash_atm" {
		t.Errorf("Bankomat: got %s (%s), want cash_atm", got.Category, got.Matched)
	}
}
