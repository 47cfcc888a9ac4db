package demobank

import (
	"strconv"
	"strings"
)

// Role says how the generator uses a Merchant.
type Role int

// Roles. Purchase and Bill entries are chosen per login; every other role
// names one kind of line the bank writes itself.
const (
	Purchase    Role = iota // discretionary purchase on random days, card or debit card
	Bill                    // recurring monthly charge: fixed day, fixed or metered amount
	Payroll                 // direct deposit into checking twice a month
	Rent                    // monthly rent out of checking
	ATM                     // cash withdrawal from checking
	ATMFee                  // fee charged with some ATM withdrawals
	CardAutopay             // checking side of the monthly card payment
	CardPayment             // card side of the monthly card payment
	Transfer                // a move between two of the login's own accounts
	Interest                // monthly savings interest
	Dividend                // quarterly fund dividend in the investment account
)

// The login's four accounts, as Merchant.Account names them.
const (
	Checking   = "checking"
	Savings    = "savings"
	CreditCard = "creditcard"
	Investment = "investment"
)

// Merchant is one seller or kind of line the demo bank writes, with the raw
// descriptors it uses and the Tally category a correct categorizer files it
// under.
//
// Descriptor patterns are literal text with placeholders:
//
//	{dN}   N digits fixed per login and store (a store or terminal number)
//	{rN}   N random digits per transaction (a reference number)
//	{aN}   N random upper-case letters and digits per transaction
//	{city} the login's home city and state, "HOUSTON TX"
//	{abbr} the home city's three-letter code, "HOU"
//	{acct} the last four digits of the other account of a transfer
type Merchant struct {
	Name        string   // the seller's usual name
	Descriptors []string // raw descriptor patterns
	Category    string   // expected tally category id
	Role        Role
	Account     string  // Checking, Savings, CreditCard, Investment; "" is card or debit card
	Min, Max    int64   // amount range in cents, as a positive number
	PerMonth    float64 // Purchase: visits a month for an average customer
	Group       string  // Bill: a login has exactly one bill of each group; "" is optional
	Metered     bool    // Bill: the amount changes every month (utilities)
	Refunds     bool    // Purchase: occasionally refunds a purchase
	MCC         string  // merchant category code, sent as SIC on card lines
}

// Merchants is every seller and line kind the demo bank writes. A test of
// the categorizer can expand each entry with Example and check that it lands
// in Category.
var Merchants = []Merchant{
	// Groceries.
	{Name: "Whole Foods Market", Descriptors: []string{"WHOLEFDS {abbr} {d5}", "WHOLE FOODS MKT {d5}"}, Category: "groceries", Min: 1800, Max: 16000, PerMonth: 5, MCC: "5411"},
	{Name: "Trader Joe's", Descriptors: []string{"TRADER JOE S #{d3} QPS", "TRADER JOE'S #{d3}"}, Category: "groceries", Min: 1500, Max: 11000, PerMonth: 6, MCC: "5411"},
	{Name: "Safeway", Descriptors: []string{"SAFEWAY #{d4}", "SAFEWAY STORE {d4} {city}"}, Category: "groceries", Min: 1200, Max: 14000, PerMonth: 4, MCC: "5411"},
	{Name: "Kroger", Descriptors: []string{"KROGER #{d3}", "KROGER {d3} {city}"}, Category: "groceries", Min: 1200, Max: 13000, PerMonth: 4, MCC: "5411"},
	{Name: "Costco", Descriptors: []string{"COSTCO WHSE #{d4}"}, Category: "groceries", Min: 4500, Max: 38000, PerMonth: 2, Refunds: true, MCC: "5300"},
	{Name: "Aldi", Descriptors: []string{"ALDI {d5}"}, Category: "groceries", Min: 1500, Max: 9000, PerMonth: 2, MCC: "5411"},
	{Name: "Publix", Descriptors: []string{"PUBLIX #{d4}", "PUBLIX SUPER MAR {d4}"}, Category: "groceries", Min: 1200, Max: 12000, PerMonth: 3, MCC: "5411"},

	// Restaurants.
	{Name: "Olive Garden", Descriptors: []string{"OLIVE GARDEN {d4}", "OLIVE GARDEN #{d4} {city}"}, Category: "restaurants", Min: 2800, Max: 9500, PerMonth: 1.2, MCC: "5812"},
	{Name: "Panera Bread", Descriptors: []string{"PANERA BREAD #{d6}"}, Category: "fast_food", Min: 900, Max: 3200, PerMonth: 2.4, MCC: "5814"},
	{Name: "The Cheesecake Factory", Descriptors: []string{"CHEESECAKE FACTORY #{d4}", "THE CHEESECAKE FACTORY {d4}"}, Category: "restaurants", Min: 4500, Max: 14000, PerMonth: 0.8, MCC: "5812"},
	{Name: "Applebee's", Descriptors: []string{"APPLEBEES {d7}", "APPLEBEE'S {d5}"}, Category: "restaurants", Min: 2200, Max: 8000, PerMonth: 0.8, MCC: "5812"},

	// Fast food.
	{Name: "Chipotle", Descriptors: []string{"CHIPOTLE {d4}", "CHIPOTLE ONLINE"}, Category: "fast_food", Min: 900, Max: 2800, PerMonth: 4, MCC: "5814"},
	{Name: "McDonald's", Descriptors: []string{"MCDONALD'S F{d4}", "MCDONALD'S F{d5} {city}"}, Category: "fast_food", Min: 500, Max: 1800, PerMonth: 3, MCC: "5814"},
	{Name: "Chick-fil-A", Descriptors: []string{"CHICK-FIL-A #{d5}"}, Category: "fast_food", Min: 700, Max: 2400, PerMonth: 2.4, MCC: "5814"},
	{Name: "Taco Bell", Descriptors: []string{"TACO BELL #{d6}"}, Category: "fast_food", Min: 600, Max: 2000, PerMonth: 1.6, MCC: "5814"},
	{Name: "Subway", Descriptors: []string{"SUBWAY {d8}"}, Category: "fast_food", Min: 700, Max: 1900, PerMonth: 1.6, MCC: "5814"},
	{Name: "Panda Express", Descriptors: []string{"PANDA EXPRESS #{d4}"}, Category: "fast_food", Min: 900, Max: 2600, PerMonth: 1.2, MCC: "5814"},

	// Coffee.
	{Name: "Starbucks", Descriptors: []string{"STARBUCKS STORE {d5}", "STARBUCKS {d5} {city}"}, Category: "coffee_shops", Min: 350, Max: 1200, PerMonth: 12, MCC: "5814"},
	{Name: "Blue Bottle Coffee", Descriptors: []string{"SQ *BLUE BOTTLE COFFEE"}, Category: "coffee_shops", Min: 400, Max: 1400, PerMonth: 4, MCC: "5814"},
	{Name: "Dunkin'", Descriptors: []string{"DUNKIN #{d6} Q35", "DUNKIN #{d6}"}, Category: "coffee_shops", Min: 300, Max: 1100, PerMonth: 4, MCC: "5814"},

	// Alcohol and bars.
	{Name: "Total Wine & More", Descriptors: []string{"TOTAL WINE AND MORE {d4}", "TOTAL WINE & MORE {d4}"}, Category: "alcohol_bars", Min: 1800, Max: 9000, PerMonth: 1, MCC: "5921"},

	// Food delivery.
	{Name: "DoorDash", Descriptors: []string{"DOORDASH*CHIPOTLE", "DOORDASH*PANDA EXPRESS", "DOORDASH*SHAKE SHACK", "DOORDASH*THAI BASIL", "DOORDASH*DASHPASS"}, Category: "food_delivery", Min: 1800, Max: 6500, PerMonth: 3, Refunds: true, MCC: "5812"},
	{Name: "Uber Eats", Descriptors: []string{"UBER *EATS", "UBER   *EATS {a6}"}, Category: "food_delivery", Min: 1800, Max: 6000, PerMonth: 2, Refunds: true, MCC: "5812"},

	// Gas.
	{Name: "ExxonMobil", Descriptors: []string{"EXXONMOBIL {d5} {city}", "EXXONMOBIL {d5}"}, Category: "gas_fuel", Min: 2800, Max: 7200, PerMonth: 3, MCC: "5542"},
	{Name: "Shell", Descriptors: []string{"SHELL OIL {d5}", "SHELL OIL {d11}"}, Category: "gas_fuel", Min: 2500, Max: 7000, PerMonth: 3, MCC: "5542"},
	{Name: "Chevron", Descriptors: []string{"CHEVRON {d7}", "CHEVRON {d6} {city}"}, Category: "gas_fuel", Min: 2800, Max: 7500, PerMonth: 2.4, MCC: "5542"},
	{Name: "BP", Descriptors: []string{"BP#{d7}"}, Category: "gas_fuel", Min: 2500, Max: 6500, PerMonth: 1.2, MCC: "5542"},

	// Parking, transit, ride share.
	{Name: "ParkMobile", Descriptors: []string{"PARKMOBILE", "PMUSA PARKMOBILE {d4}"}, Category: "parking", Min: 200, Max: 1800, PerMonth: 2, MCC: "7523"},
	{Name: "LAZ Parking", Descriptors: []string{"LAZ PARKING {d6}"}, Category: "parking", Min: 600, Max: 3000, PerMonth: 1, MCC: "7523"},
	{Name: "MTA New York City Transit", Descriptors: []string{"MTA*NYCT PAYGO"}, Category: "public_transportation", Min: 290, Max: 580, PerMonth: 2, MCC: "4111"},
	{Name: "Clipper", Descriptors: []string{"CLIPPER SERVICE", "CLIPPER CARD {r6}"}, Category: "public_transportation", Min: 1000, Max: 5000, PerMonth: 1, MCC: "4111"},
	{Name: "Uber", Descriptors: []string{"UBER *TRIP", "UBER *TRIP HELP.UBER.COM", "UBER   *TRIP {a6}"}, Category: "ride_share", Min: 900, Max: 4500, PerMonth: 4, Refunds: true, MCC: "4121"},
	{Name: "Lyft", Descriptors: []string{"LYFT *RIDE", "LYFT   *RIDE {a4}"}, Category: "ride_share", Min: 800, Max: 4000, PerMonth: 2, MCC: "4121"},

	// Shopping and services.
	{Name: "The Home Depot", Descriptors: []string{"HOME DEPOT #{d4}", "THE HOME DEPOT #{d4}"}, Category: "home_improvement", Min: 800, Max: 32000, PerMonth: 1.6, Refunds: true, MCC: "5200"},
	{Name: "Lowe's", Descriptors: []string{"LOWES #{d5}*", "LOWE'S #{d4}"}, Category: "home_improvement", Min: 1000, Max: 28000, PerMonth: 1, Refunds: true, MCC: "5200"},
	{Name: "CVS Pharmacy", Descriptors: []string{"CVS/PHARMACY #{d5}", "CVS/PHARM {d5}"}, Category: "pharmacy", Min: 600, Max: 6000, PerMonth: 2.4, MCC: "5912"},
	{Name: "Walgreens", Descriptors: []string{"WALGREENS #{d5}", "WALGREENS STORE {d5}"}, Category: "pharmacy", Min: 500, Max: 5000, PerMonth: 1.6, MCC: "5912"},
	{Name: "Old Navy", Descriptors: []string{"OLD NAVY {d5}", "OLDNAVY.COM"}, Category: "clothing", Min: 1500, Max: 12000, PerMonth: 0.8, Refunds: true, MCC: "5651"},
	{Name: "Nordstrom", Descriptors: []string{"NORDSTROM #{d4}", "NORDSTROM RACK #{d4}"}, Category: "clothing", Min: 3500, Max: 28000, PerMonth: 0.4, Refunds: true, MCC: "5651"},
	{Name: "TJ Maxx", Descriptors: []string{"TJ MAXX #{d4}", "T.J. MAXX #{d4}"}, Category: "clothing", Min: 1200, Max: 9000, PerMonth: 0.6, Refunds: true, MCC: "5651"},
	{Name: "Best Buy", Descriptors: []string{"BEST BUY {d8}", "BESTBUYCOM{r12}"}, Category: "electronics_software", Min: 1500, Max: 60000, PerMonth: 0.4, Refunds: true, MCC: "5732"},
	{Name: "Apple", Descriptors: []string{"APPLE.COM/BILL", "APPLE STORE #R{d3}"}, Category: "electronics_software", Min: 99, Max: 1499, PerMonth: 2, MCC: "5732"},
	{Name: "Target", Descriptors: []string{"TARGET {d8}", "TARGET.COM *"}, Category: "shopping", Min: 800, Max: 18000, PerMonth: 3, Refunds: true, MCC: "5310"},
	{Name: "Walmart", Descriptors: []string{"WAL-MART #{d4}", "WALMART.COM {a8}"}, Category: "shopping", Min: 600, Max: 16000, PerMonth: 2, Refunds: true, MCC: "5310"},
	{Name: "Amazon", Descriptors: []string{"AMZN Mktp US*{a6}", "AMAZON.COM*{a6}", "Amazon.com*{a6}"}, Category: "shopping", Min: 700, Max: 12000, PerMonth: 6, Refunds: true, MCC: "5942"},

	// Travel.
	{Name: "Delta Air Lines", Descriptors: []string{"DELTA AIR LINES", "DELTA AIR {r13}"}, Category: "air_travel", Min: 12000, Max: 68000, PerMonth: 0.24, Refunds: true, MCC: "3058"},
	{Name: "United Airlines", Descriptors: []string{"UNITED {r13}", "UNITED AIRLINES"}, Category: "air_travel", Min: 12000, Max: 72000, PerMonth: 0.2, Refunds: true, MCC: "3000"},
	{Name: "Southwest Airlines", Descriptors: []string{"SOUTHWES {r10}", "SOUTHWEST AIRLINES"}, Category: "air_travel", Min: 9000, Max: 45000, PerMonth: 0.2, Refunds: true, MCC: "3066"},
	{Name: "Marriott", Descriptors: []string{"MARRIOTT", "MARRIOTT HOTELS {d4}"}, Category: "hotel", Min: 14000, Max: 52000, PerMonth: 0.2, MCC: "3509"},
	{Name: "Hilton", Descriptors: []string{"HILTON HOTELS", "HAMPTON INN {d4}"}, Category: "hotel", Min: 12000, Max: 42000, PerMonth: 0.2, MCC: "3504"},

	// Bills. Exactly one per group per login; optional ones at random.
	{Name: "GEICO", Descriptors: []string{"GEICO *AUTO"}, Category: "auto_insurance", Role: Bill, Account: Checking, Group: "auto_insurance", Min: 9500, Max: 21000},
	{Name: "State Farm", Descriptors: []string{"STATE FARM RO 08 SFPP"}, Category: "auto_insurance", Role: Bill, Account: Checking, Group: "auto_insurance", Min: 10500, Max: 23000},
	{Name: "Progressive", Descriptors: []string{"PROGRESSIVE INS"}, Category: "auto_insurance", Role: Bill, Account: Checking, Group: "auto_insurance", Min: 9000, Max: 20000},
	{Name: "PG&E", Descriptors: []string{"PG&E WEB ONLINE"}, Category: "utilities", Role: Bill, Account: Checking, Group: "power", Min: 5500, Max: 24000, Metered: true},
	{Name: "Con Edison", Descriptors: []string{"CON ED OF NY INTELL CK"}, Category: "utilities", Role: Bill, Account: Checking, Group: "power", Min: 6000, Max: 22000, Metered: true},
	{Name: "CenterPoint Energy", Descriptors: []string{"CENTERPOINT ENERGY"}, Category: "utilities", Role: Bill, Account: Checking, Group: "power", Min: 4500, Max: 26000, Metered: true},
	{Name: "Verizon Wireless", Descriptors: []string{"VERIZON WRLS P{d4}-01", "VERIZON WRLS"}, Category: "mobile_phone", Role: Bill, Account: CreditCard, Group: "mobile", Min: 6500, Max: 14500},
	{Name: "AT&T Wireless", Descriptors: []string{"AT&T*BILL PAYMENT"}, Category: "mobile_phone", Role: Bill, Account: CreditCard, Group: "mobile", Min: 6500, Max: 14000},
	{Name: "T-Mobile", Descriptors: []string{"T-MOBILE*AUTO PAY"}, Category: "mobile_phone", Role: Bill, Account: CreditCard, Group: "mobile", Min: 5000, Max: 12000},
	{Name: "Comcast Xfinity", Descriptors: []string{"COMCAST CABLE"}, Category: "internet", Role: Bill, Account: Checking, Group: "internet", Min: 6000, Max: 11000},
	{Name: "Spectrum", Descriptors: []string{"SPECTRUM"}, Category: "internet", Role: Bill, Account: Checking, Group: "internet", Min: 5500, Max: 9500},
	{Name: "Planet Fitness", Descriptors: []string{"PLANET FITNESS"}, Category: "gym", Role: Bill, Account: CreditCard, Group: "gym", Min: 1000, Max: 2499},
	{Name: "24 Hour Fitness", Descriptors: []string{"24 HOUR FITNESS USA"}, Category: "gym", Role: Bill, Account: CreditCard, Group: "gym", Min: 3999, Max: 5999},
	{Name: "Netflix", Descriptors: []string{"NETFLIX.COM"}, Category: "streaming", Role: Bill, Account: CreditCard, Min: 1549, Max: 2299},
	{Name: "Spotify", Descriptors: []string{"SPOTIFY USA"}, Category: "streaming", Role: Bill, Account: CreditCard, Min: 1099, Max: 1199},
	{Name: "Hulu", Descriptors: []string{"HULU 877-8244858"}, Category: "streaming", Role: Bill, Account: CreditCard, Min: 799, Max: 1799},
	{Name: "Disney+", Descriptors: []string{"DISNEY PLUS"}, Category: "streaming", Role: Bill, Account: CreditCard, Min: 799, Max: 1399},
	{Name: "YouTube TV", Descriptors: []string{"GOOGLE *YOUTUBE TV"}, Category: "television", Role: Bill, Account: CreditCard, Min: 7299, Max: 8299},

	// Lines the bank writes itself.
	{Name: "Payroll", Descriptors: []string{"ACME CORP PAYROLL PPD ID: {d10}", "GLOBEX CORP DIR DEP {d6}", "INITECH INC PAYROLL", "GUSTO PAY {d6} DIR DEP", "ADP WAGE PAY {d9}"}, Category: "paycheck", Role: Payroll, Account: Checking, Min: 260000, Max: 360000},
	{Name: "Rent", Descriptors: []string{"ZELLE TO OAKWOOD PROPERTY MGMT", "RENT PAYMENT AVALONBAY {d6}", "ONLINE PMT GREYSTAR RES {d6}"}, Category: "rent_mortgage", Role: Rent, Account: Checking, Min: 180000, Max: 240000},
	{Name: "ATM", Descriptors: []string{"ATM WITHDRAWAL {d6} {city}", "ATM CASH WITHDRAWAL {d4}"}, Category: "cash_atm", Role: ATM, Account: Checking, Min: 2000, Max: 20000, PerMonth: 2},
	{Name: "ATM fee", Descriptors: []string{"NON-DEMO BANK ATM FEE"}, Category: "atm_fee", Role: ATMFee, Account: Checking, Min: 250, Max: 350},
	{Name: "Card autopay", Descriptors: []string{"DEMO BANK CARD AUTOPAY"}, Category: "credit_card_payment", Role: CardAutopay, Account: Checking},
	{Name: "Card payment", Descriptors: []string{"PAYMENT THANK YOU"}, Category: "credit_card_payment", Role: CardPayment, Account: CreditCard},
	{Name: "Transfer to savings", Descriptors: []string{"ONLINE TRANSFER TO SAV ...{acct}"}, Category: "account_transfer", Role: Transfer, Account: Checking},
	{Name: "Transfer from savings", Descriptors: []string{"ONLINE TRANSFER FROM SAV ...{acct}"}, Category: "account_transfer", Role: Transfer, Account: Checking},
	{Name: "Transfer from checking", Descriptors: []string{"ONLINE TRANSFER FROM CHK ...{acct}"}, Category: "account_transfer", Role: Transfer, Account: Savings},
	{Name: "Transfer to checking", Descriptors: []string{"ONLINE TRANSFER TO CHK ...{acct}"}, Category: "account_transfer", Role: Transfer, Account: Savings},
	{Name: "Transfer to brokerage", Descriptors: []string{"TRANSFER TO BROKERAGE ...{acct}"}, Category: "account_transfer", Role: Transfer, Account: Savings},
	{Name: "Transfer from brokerage", Descriptors: []string{"TRANSFER FROM BROKERAGE ...{acct}"}, Category: "account_transfer", Role: Transfer, Account: Savings},
	{Name: "Brokerage contribution", Descriptors: []string{"CONTRIBUTION FROM SAV ...{acct}"}, Category: "investment_deposit", Role: Transfer, Account: Investment},
	{Name: "Brokerage withdrawal", Descriptors: []string{"WITHDRAWAL TO SAV ...{acct}"}, Category: "investment_withdrawal", Role: Transfer, Account: Investment},
	{Name: "Sweep to money market", Descriptors: []string{"SWEEP TO FEDERAL MONEY MARKET"}, Category: "investment_buy", Role: Transfer, Account: Investment},
	{Name: "Sweep from money market", Descriptors: []string{"SWEEP FROM FEDERAL MONEY MARKET"}, Category: "investment_sell", Role: Transfer, Account: Investment},
	{Name: "Savings interest", Descriptors: []string{"INTEREST PAYMENT"}, Category: "interest_income", Role: Interest, Account: Savings},
	{Name: "Dividend", Descriptors: []string{"DIVIDEND TOTAL STOCK MKT IDX ADM", "DIVIDEND TOTAL INTL STOCK IDX"}, Category: "dividends", Role: Dividend, Account: Investment},
}

// Example expands one of the merchant's descriptor patterns with values
// drawn from seed, as the bank would for some login.
func (m Merchant) Example(seed uint64) string {
	r := rng{s: seed}
	p := m.Descriptors[r.intn(len(m.Descriptors))]
	return expand(p, &expandCtx{store: r.next(), r: &r, city: cities[r.intn(len(cities))], acct: "1234"})
}

// Examples returns n descriptors of the merchant, every pattern at least once
// when n allows.
func (m Merchant) Examples(n int) []string {
	out := make([]string, 0, n)
	for i := range n {
		r := rng{s: mix(uint64(i) + 1)}
		p := m.Descriptors[i%len(m.Descriptors)]
		out = append(out, expand(p, &expandCtx{store: r.next(), r: &r, city: cities[r.intn(len(cities))], acct: "1234"}))
	}
	return out
}

type city struct{ name, abbr string }

var cities = []city{
	{"HOUSTON TX", "HOU"}, {"SAN FRANCISCO CA", "SFO"}, {"SEATTLE WA", "SEA"},
	{"CHICAGO IL", "CHI"}, {"AUSTIN TX", "AUS"}, {"DENVER CO", "DEN"},
	{"BOSTON MA", "BOS"}, {"ATLANTA GA", "ATL"}, {"PORTLAND OR", "PDX"},
	{"NEW YORK NY", "NYC"}, {"MIAMI FL", "MIA"}, {"PHOENIX AZ", "PHX"},
}

// expandCtx holds the values placeholders take.
type expandCtx struct {
	store uint64 // seed of the {dN} digits
	r     *rng   // source of {rN} and {aN}
	city  city
	acct  string
}

const alnum = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"

// expand replaces the placeholders of pattern p.
func expand(p string, c *expandCtx) string {
	if !strings.Contains(p, "{") {
		return p
	}
	var b strings.Builder
	b.Grow(len(p) + 16)
	stable := rng{s: c.store}
	for {
		i := strings.IndexByte(p, '{')
		if i < 0 {
			b.WriteString(p)
			return b.String()
		}
		j := strings.IndexByte(p[i:], '}')
		if j < 0 {
			b.WriteString(p)
			return b.String()
		}
		b.WriteString(p[:i])
		ph := p[i+1 : i+j]
		p = p[i+j+1:]
		switch ph {
		case "city":
			b.WriteString(c.city.name)
			continue
		case "abbr":
			b.WriteString(c.city.abbr)
			continue
		case "acct":
			b.WriteString(c.acct)
			continue
		}
		n, err := strconv.Atoi(ph[1:])
		if err != nil || n <= 0 {
			b.WriteString("{" + ph + "}")
			continue
		}
		switch ph[0] {
		case 'd':
			for range n {
				b.WriteByte(byte('0' + stable.intn(10)))
			}
		case 'r':
			for range n {
				b.WriteByte(byte('0' + c.r.intn(10)))
			}
		case 'a':
			for range n {
				b.WriteByte(alnum[c.r.intn(len(alnum))])
			}
		default:
			b.WriteString("{" + ph + "}")
		}
	}
}
