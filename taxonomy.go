package tally

// The taxonomy follows Mint's two levels. Deviations from Mint, on purpose:
// streaming subscriptions have their own entertainment/streaming; dividends are
// income/dividends (Mint filed them under Investments), so every subtree has a
// single kind; "Cash & ATM" and "Check" stay under uncategorized, as in Mint;
// transfer/peer_payment holds Zelle, Venmo and the like. Investment
// subcategories carry an investment_ prefix because ids are unique across the
// whole tree ("deposit" alone would be ambiguous).
//
// Ids are stable: they are stored with every transaction and budget. Add new
// ones freely; never rename or remove one.

type categoryGroup struct {
	id, name, kind string
	children       [][2]string // id, name
}

var taxonomy = []categoryGroup{
	{"auto_transport", "Auto & Transport", KindExpense, [][2]string{
		{"auto_insurance", "Auto Insurance"},
		{"auto_payment", "Auto Payment"},
		{"gas_fuel", "Gas & Fuel"},
		{"parking", "Parking"},
		{"public_transportation", "Public Transportation"},
		{"ride_share", "Ride Share"},
		{"service_parts", "Service & Parts"},
		{"tolls", "Tolls"},
	}},
	{"bills_utilities", "Bills & Utilities", KindExpense, [][2]string{
		{"home_phone", "Home Phone"},
		{"internet", "Internet"},
		{"mobile_phone", "Mobile Phone"},
		{"television", "Television"},
		{"utilities", "Utilities"},
	}},
	{"business_services", "Business Services", KindExpense, [][2]string{
		{"advertising", "Advertising"},
		{"legal", "Legal"},
		{"office_supplies", "Office Supplies"},
		{"printing", "Printing"},
		{"shipping", "Shipping"},
	}},
	{"education", "Education", KindExpense, [][2]string{
		{"books_supplies", "Books & Supplies"},
		{"student_loan", "Student Loan"},
		{"tuition", "Tuition"},
	}},
	{"entertainment", "Entertainment", KindExpense, [][2]string{
		{"amusement", "Amusement"},
		{"arts", "Arts"},
		{"movies_dvds", "Movies & DVDs"},
		{"music", "Music"},
		{"newspapers_magazines", "Newspapers & Magazines"},
		{"streaming", "Streaming Services"},
	}},
	{"fees_charges", "Fees & Charges", KindExpense, [][2]string{
		{"atm_fee", "ATM Fee"},
		{"bank_fee", "Bank Fee"},
		{"finance_charge", "Finance Charge"},
		{"late_fee", "Late Fee"},
		{"service_fee", "Service Fee"},
		{"trade_commissions", "Trade Commissions"},
	}},
	{"financial", "Financial", KindExpense, [][2]string{
		{"financial_advisor", "Financial Advisor"},
		{"life_insurance", "Life Insurance"},
	}},
	{"food_dining", "Food & Dining", KindExpense, [][2]string{
		{"alcohol_bars", "Alcohol & Bars"},
		{"coffee_shops", "Coffee Shops"},
		{"fast_food", "Fast Food"},
		{"food_delivery", "Food Delivery"},
		{"groceries", "Groceries"},
		{"restaurants", "Restaurants"},
	}},
	{"gifts_donations", "Gifts & Donations", KindExpense, [][2]string{
		{"charity", "Charity"},
		{"gift", "Gift"},
	}},
	{"health_fitness", "Health & Fitness", KindExpense, [][2]string{
		{"dentist", "Dentist"},
		{"doctor", "Doctor"},
		{"eyecare", "Eyecare"},
		{"gym", "Gym"},
		{"health_insurance", "Health Insurance"},
		{"pharmacy", "Pharmacy"},
		{"sports", "Sports"},
	}},
	{"home", "Home", KindExpense, [][2]string{
		{"furnishings", "Furnishings"},
		{"home_improvement", "Home Improvement"},
		{"home_insurance", "Home Insurance"},
		{"home_services", "Home Services"},
		{"home_supplies", "Home Supplies"},
		{"lawn_garden", "Lawn & Garden"},
		{"rent_mortgage", "Mortgage & Rent"},
	}},
	{"income", "Income", KindIncome, [][2]string{
		{"bonus", "Bonus"},
		{"dividends", "Dividends & Capital Gains"},
		{"interest_income", "Interest Income"},
		{"paycheck", "Paycheck"},
		{"reimbursement", "Reimbursement"},
		{"rental_income", "Rental Income"},
		{"returned_purchase", "Returned Purchase"},
	}},
	{"investments", "Investments", KindTransfer, [][2]string{
		{"investment_buy", "Buy"},
		{"investment_deposit", "Deposit"},
		{"investment_sell", "Sell"},
		{"investment_withdrawal", "Withdrawal"},
	}},
	{"kids", "Kids", KindExpense, [][2]string{
		{"allowance", "Allowance"},
		{"baby_supplies", "Baby Supplies"},
		{"babysitter_daycare", "Babysitter & Daycare"},
		{"child_support", "Child Support"},
		{"kids_activities", "Kids Activities"},
		{"toys", "Toys"},
	}},
	{"personal_care", "Personal Care", KindExpense, [][2]string{
		{"hair", "Hair"},
		{"laundry", "Laundry"},
		{"spa_massage", "Spa & Massage"},
	}},
	{"pets", "Pets", KindExpense, [][2]string{
		{"pet_food_supplies", "Pet Food & Supplies"},
		{"pet_grooming", "Pet Grooming"},
		{"veterinary", "Veterinary"},
	}},
	{"shopping", "Shopping", KindExpense, [][2]string{
		{"books", "Books"},
		{"clothing", "Clothing"},
		{"electronics_software", "Electronics & Software"},
		{"hobbies", "Hobbies"},
		{"sporting_goods", "Sporting Goods"},
	}},
	{"taxes", "Taxes", KindExpense, [][2]string{
		{"federal_tax", "Federal Tax"},
		{"local_tax", "Local Tax"},
		{"property_tax", "Property Tax"},
		{"sales_tax", "Sales Tax"},
		{"state_tax", "State Tax"},
	}},
	{"transfer", "Transfer", KindTransfer, [][2]string{
		{"account_transfer", "Account Transfer"},
		{"credit_card_payment", "Credit Card Payment"},
		{"peer_payment", "Person-to-Person Payment"},
	}},
	{"travel", "Travel", KindExpense, [][2]string{
		{"air_travel", "Air Travel"},
		{"hotel", "Hotel"},
		{"rental_car_taxi", "Rental Car & Taxi"},
		{"vacation", "Vacation"},
	}},
	{Uncategorized, "Uncategorized", KindExpense, [][2]string{
		{"cash_atm", "Cash & ATM"},
		{"check", "Check"},
	}},
}

var (
	categoryList  []Category
	categoryIndex map[string]int
)

func init() {
	for _, g := range taxonomy {
		categoryList = append(categoryList, Category{ID: g.id, Name: g.name, Kind: g.kind})
		for _, c := range g.children {
			categoryList = append(categoryList, Category{ID: c[0], Name: c[1], Parent: g.id, Kind: g.kind})
		}
	}
	categoryIndex = make(map[string]int, len(categoryList))
	for i, c := range categoryList {
		categoryIndex[c.ID] = i
	}
}

// Categories returns the whole taxonomy in a stable order: each top-level
// category followed by its subcategories. The caller owns the returned slice.
func Categories() []Category {
	out := make([]Category, len(categoryList))
	copy(out, categoryList)
	return out
}

// LookupCategory returns the category with the given id.
func LookupCategory(id string) (Category, bool) {
	i, ok := categoryIndex[id]
	if !ok {
		return Category{}, false
	}
	return categoryList[i], true
}

// TopLevel returns the top-level category of id: its parent, or id itself
// when id is top-level or unknown.
func TopLevel(id string) string {
	if i, ok := categoryIndex[id]; ok && categoryList[i].Parent != "" {
		return categoryList[i].Parent
	}
	return id
}

// IsSpending reports whether amounts in category id count as spending: the
// category exists and is of kind expense. Income and transfers never do.
func IsSpending(id string) bool {
	i, ok := categoryIndex[id]
	return ok && categoryList[i].Kind == KindExpense
}
