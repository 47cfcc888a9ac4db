package categorize

import "strings"

// Word flags: what a word means when it appears in a descriptor.
const (
	wLead       uint32 = 1 << iota // card or channel word, skipped before the seller name (POS, DEBIT)
	wNoise                         // skipped anywhere in the name (RECURRING, PPD)
	wTLD                           // skipped after a dot (NETFLIX.COM)
	wStop                          // ends the name: what follows is ACH detail (DES:, INDN:)
	wStopColon                     // ends the name when a colon follows (ID:)
	wProc                          // payment processor prefix when a '*' follows (PP*, SP *)
	wProcLoose                     // processor prefix even without the '*' (SQ, TST)
	wState                         // US state or territory code
	wCityPrefix                    // first word of two-word city names (SAN, NEW, FORT)
	wCountry                       // US, USA
	wPay                           // a payment word (PMT, AUTOPAY, EPAYMENT)
	wFee                           // a fee word (FEE, SURCHARGE)
	fNumNext                       // rule-only: the phrase must be followed by a number or nothing
)

var flagWords = []struct {
	flag  uint32
	words string
}{
	{wLead, "POS DEBIT DBT PURCHASE PUR PURCH CHECKCARD CHKCARD CHECK CARD CRD VISA MASTERCARD " +
		"DDA ACH AUTHORIZED AUTH ON WITH PIN SIGNATURE NONPIN RECURRING RECUR PAYMENT PMT WWW " +
		"TRANSACTION TXN SALE POSDEB POSDEBIT DEBITCARD PREAUTHORIZED PREAUTH INTL ELECTRONIC " +
		"BILL PAY BILLPAY ONLINE WEB MOBILE APPLEPAY GOOGLEPAY TEMP PENDING THE"},
	{wNoise, "RECURRING RECUR PPD CCD WEB TEL IAT PENDING PREAUTH AUTHORIZATION"},
	{wTLD, "COM NET ORG IO CO US TV GOV EDU BIZ INFO APP"},
	{wStop, "DES INDN"},
	{wStopColon, "ID CO TRACE REF CONF"},
	{wProc, "SQ SQU TST PP SP DD IC IN PY BT FS CKO WPY PAYPAL PAYPALSI SQSP SMK PLT CLR LS EVT CLOVER TOAST PAR SUMUP ZETTLE"},
	{wProcLoose, "SQ SQU TST"},
	{wState, "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT " +
		"NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR VI GU"},
	{wCityPrefix, "SAN LOS LAS NEW SANTA ST SAINT FORT FT EL SALT PALM LONG BATON CORPUS COLORADO " +
		"KANSAS OKLAHOMA SIOUX GRAND WEST EAST NORTH SOUTH N S E W MOUNT MT LAKE PORT BEVERLY " +
		"CEDAR FALLS HUNTINGTON NEWPORT OVERLAND CHULA DALY DEL VIRGINIA JERSEY ANN"},
	{wCountry, "US USA"},
	{wPay, "PAYMENT PMT PYMT PYMNT PAYMT AUTOPAY AUTOPYMT AUTOPAYMENT EPAY EPAYMENT EPMT CRCARDPMT " +
		"PAY PAYMENTS ONLINEPMT WEBPMT"},
	{wFee, "FEE FEES FEEWITH SURCHARGE CHG CHARGE"},
}

// A ruleSpec is one built-in rule for lines that name no seller: payroll,
// card payments, transfers, interest, fees, cash. Phrases are alternatives
// separated by '|'; each is a run of consecutive words.
type ruleSpec struct {
	name     string
	phrases  string
	need     uint32 // word flags that must also occur somewhere (wPay, wFee, fNumNext)
	sign     int8   // +1: only money in (amount >= 0); -1: only money out (amount <= 0)
	category string
	label    string // merchant name to report; "" reports the cleaned descriptor
}

// strongRules run before the seller dictionary, in priority order.
var strongRules = []ruleSpec{
	{"atm_fee", "ATM|NONCHASE ATM|NON CHASE ATM|ATM SURCHARGE", wFee, 0, "atm_fee", "ATM Fee"},
	{"foreign_fee", "FOREIGN|FOREIGN TRANSACTION|INTERNATIONAL|INTL TRANSACTION|FOREIGN EXCHANGE", wFee, 0, "bank_fee", "Foreign Transaction Fee"},
	{"overdraft_fee", "OVERDRAFT|OD|NSF|INSUFFICIENT FUNDS|RETURNED ITEM|RETURN ITEM", wFee, 0, "bank_fee", "Overdraft Fee"},
	{"nsf", "NSF|INSUFFICIENT FUNDS", 0, 0, "bank_fee", "Insufficient Funds Fee"},
	{"late_fee", "LATE|LATE PAYMENT", wFee, 0, "late_fee", "Late Fee"},
	{"finance_charge", "INTEREST CHARGE|INTEREST CHARGED|FINANCE CHARGE|PURCHASE INTEREST|ADVANCE INTEREST|INTEREST CHG", 0, 0, "finance_charge", "Interest Charge"},
	{"cash_advance_fee", "CASH ADVANCE|BALANCE TRANSFER", wFee, 0, "finance_charge", "Cash Advance Fee"},
	{"annual_fee", "ANNUAL|MEMBERSHIP", wFee, 0, "service_fee", "Annual Fee"},
	{"bank_fee", "MAINTENANCE|MONTHLY SERVICE|SERVICE CHARGE|ACCOUNT|WIRE|STATEMENT|STOP PAYMENT|PAPER STATEMENT|ACCT|MAINT", wFee, 0, "bank_fee", "Bank Fee"},
	{"trade_commission", "COMMISSION|TRADE COMMISSION", 0, -1, "trade_commissions", "Trade Commission"},
	{"payroll", "PAYROLL|PAYRLL|DIRECT DEP|DIR DEP|DIRECTDEP|DIRECT DEPOSIT|DIRDEP|SALARY|PAYCHECK|REG SAL|PR PAYMENT|GUSTO|GUSTO PAY|ADP PAYROLL|ADP WAGE|WAGE PAY|PAYCHEX|TRINET", 0, 1, "paycheck", ""},
	{"reimbursement", "REIMBURSEMENT|REIMB|EXPENSIFY|EXP REIMB", 0, 1, "reimbursement", ""},
	{"dividend", "DIVIDEND|DIVIDENDS|DIV DEPOSIT|CAP GAIN|CAPITAL GAIN|QUALIFIED DIVIDEND", 0, 1, "dividends", "Dividend"},
	{"interest", "INTEREST|INT EARNED|INTEREST PAID|INTEREST PAYMENT|INTEREST CREDIT|INT CREDIT", 0, 1, "interest_income", "Interest"},
	{"interest_charged", "INTEREST", 0, -1, "finance_charge", "Interest Charge"},
	{"federal_tax", "IRS|IRS TREAS|USATAXPYMT|US TREASURY TAX|TAX REF|TAXRFD|IRS USATAXPYMT", 0, 0, "federal_tax", "IRS"},
	{"state_tax", "FRANCHISE TAX|FTB|STATE TAX|DEPT OF REVENUE|DEPT REVENUE|DEPARTMENT OF REVENUE|TAXATION AND FINANCE|DEPT OF TAXATION|COMPTROLLER", 0, 0, "state_tax", ""},
	{"property_tax", "PROPERTY TAX|PROP TAX|TAX COLLECTOR|COUNTY TAX|TREASURER TAX", 0, 0, "property_tax", ""},
	{"social_security", "SOC SEC|SSA TREAS|SOCIAL SECURITY|SSI TREAS|VA BENEFITS|UNEMPLOYMENT|PENSION|ANNUITY PMT|RETIREMENT PMT", 0, 1, "income", ""},
	{"mortgage", "MORTGAGE|MTG|MTGE|HOME LOAN|HOME LN|MORTG", 0, -1, "rent_mortgage", ""},
	{"rent_payment", "RENT PAYMENT|RENT PMT|RENTPAYMENT|RENT PAYMT|MONTHLY RENT|RENT AUTOPAY", 0, -1, "rent_mortgage", "Rent"},
	{"card_payment_thanks", "PAYMENT THANK|PAYMENT THANKYOU|THANK YOU|PAYMENT RECEIVED|THANKYOU", 0, 0, "credit_card_payment", "Credit Card Payment"},
	{"card_payment", "CREDIT CRD|CREDIT CARD|CRCARDPMT|CARD SERVICES|CARDMEMBER|CARDMEMBER SERV|CAPITAL ONE|CAPITALONE|CITI|CITICARD|CITICARDS|CITIBANK|DISCOVER|DISCOVERCARD|DISCOVER CARD|AMEX|AMERICAN EXPRESS|BARCLAYCARD|BARCLAYS|SYNCHRONY|SYNCB|APPLECARD|APPLE CARD|GSBANK|GS BANK|CHASE|CHASE CARD|BK OF AMER|BANK OF AMERICA|BANKAMERICA|WF CREDIT|WELLS FARGO CARD|USBANK|US BANK|NORDSTROM CARD|TARGET CARD|COMENITY|CREDIT ONE", wPay, 0, "credit_card_payment", "Credit Card Payment"},
	{"card_payment_crd", "CRCARDPMT|CREDIT CRD AUTOPAY|CRD AUTOPAY|CRD EPAY|CREDITCARD|CREDIT CARD PMT|CC PAYMENT|CARD PAYMENT|CARD AUTOPAY|CARD AUTO PAY", 0, 0, "credit_card_payment", "Credit Card Payment"},
	// Rent is often paid by Zelle or ACH to a property manager: the payee
	// decides before the payment rail does.
	{"rent_property_manager", "PROPERTY MGMT|PROPERTY MANAGEMENT|PROP MGMT|PROPERTY MGT|LEASING OFFICE|APARTMENT HOMES", 0, -1, "rent_mortgage", "Rent"},
	{"zelle", "ZELLE", 0, 0, "peer_payment", "Zelle"},
	{"venmo", "VENMO", 0, 0, "peer_payment", "Venmo"},
	{"cash_app", "CASH APP|CASHAPP|SQUARE CASH|SQ CASH", 0, 0, "peer_payment", "Cash App"},
	{"apple_cash", "APPLE CASH", 0, 0, "peer_payment", "Apple Cash"},
	{"peer_other", "POPMONEY|PAYPAL INST XFER|PAYPAL TRANSFER|PAYPAL XFER", 0, 0, "account_transfer", "PayPal Transfer"},
	{"sweep_buy", "SWEEP TO|SWEEP|MONEY MARKET PURCHASE", 0, -1, "investment_buy", "Money Market Sweep"},
	{"sweep_sell", "SWEEP FROM|SWEEP|MONEY MARKET REDEMPTION", 0, 1, "investment_sell", "Money Market Sweep"},
	{"brokerage_contribution", "CONTRIBUTION|BROKERAGE DEPOSIT", 0, 1, "investment_deposit", "Contribution"},
	{"brokerage_withdrawal", "WITHDRAWAL TO SAV|WITHDRAWAL TO CHK|WITHDRAWAL TO BANK|WITHDRAWAL TO CHECKING|WITHDRAWAL TO SAVINGS", 0, -1, "investment_withdrawal", "Brokerage Withdrawal"},
	{"deposit", "MOBILE DEPOSIT|REMOTE DEPOSIT|REMOTE ONLINE DEPOSIT|BRANCH DEPOSIT|ATM DEPOSIT|ATM CHECK DEPOSIT|COUNTER DEPOSIT|EDEPOSIT|MOBILE DEP|CHECK DEPOSIT", 0, 1, "income", "Deposit"},
	{"atm_withdrawal", "ATM WITHDRAWAL|ATM WD|ATM W D|ATM CASH|ATM WITHDRWL|ATM WDRL|CASH WITHDRAWAL|ATM", 0, -1, "cash_atm", "ATM Withdrawal"},
	{"overdraft_transfer", "OVERDRAFT PROTECTION|OD PROTECTION|OVERDRAFT TRANSFER|OVERDRAFT XFER", 0, 0, "account_transfer", "Overdraft Transfer"},
	{"transfer", "TRANSFER|XFER|TFR|TRNSFR|WIRE|WIRE IN|WIRE OUT|BOOK TRANSFER|INTERNAL TRANSFER", 0, 0, "account_transfer", "Transfer"},
	{"withdrawal", "WITHDRAWAL|WITHDRWL|CASH WD|COUNTER WITHDRAWAL", 0, -1, "cash_atm", "Cash Withdrawal"},
	{"check", "CHECK|CHK|CHECK NO|CHECK NUMBER|CHECK PAID|SHARE DRAFT|DRAFT", fNumNext, -1, "check", "Check"},
}

// weakRules run after the dictionary and the MCC: keywords that suggest a
// category for sellers the dictionary does not know.
var weakRules = []ruleSpec{
	{"rental_car", "CAR RENTAL|RENT A CAR|RENTACAR|RENTAL CAR|CAR RENT", 0, 0, "rental_car_taxi", ""},
	{"rent", "RENT|RENTS|APARTMENTS|APARTMENT|APTS|PROPERTY MANAGEMENT|PROPERTY MGMT|PROP MGMT|PROPERTY MGT|PROPERTIES|LEASING|LANDLORD|HOA|HOMEOWNERS ASSOC|HOMEOWNERS ASSN|HOMEOWNERS ASSOCIATION|CONDOMINIUM|CONDO ASSN|RESIDENTIAL", 0, -1, "rent_mortgage", ""},
	{"coffee", "COFFEE|CAFE|ESPRESSO|ROASTERS|ROASTERY|ROASTING|COFFEEHOUSE|TEA HOUSE|TEAHOUSE|BOBA|CAFFE", 0, 0, "coffee_shops", ""},
	{"bakery", "BAKERY|BAKESHOP|BAKE SHOP|PATISSERIE|DONUT|DONUTS|DOUGHNUT|DOUGHNUTS|BAGEL|BAGELS|CUPCAKE|CUPCAKES", 0, 0, "food_dining", ""},
	{"fast_food", "BURGER|BURGERS|TACO|TACOS|TAQUERIA|CHICKEN|WINGS|HOT DOG|HOTDOG|FRIES|DRIVE IN|DRIVE THRU|FAST FOOD|SUBS|GYRO|FALAFEL|BURRITO", 0, 0, "fast_food", ""},
	{"restaurants", "RESTAURANT|RESTAURANTS|RESTAURAN|RESTAURA|REST|GRILL|GRILLE|KITCHEN|DINER|BISTRO|CANTINA|TRATTORIA|RISTORANTE|OSTERIA|SUSHI|RAMEN|PHO|THAI|BBQ|BARBECUE|STEAKHOUSE|STEAK|SEAFOOD|OYSTER|OYSTERS|CRAB|CRABS|LOBSTER|SHRIMP|CHOWDER|FISH HOUSE|FISHERY|CRAWFISH|NOODLE|NOODLES|DELI|DELICATESSEN|EATERY|CUISINE|PIZZERIA|PIZZA|CREPERIE|BRASSERIE|TAPAS|DUMPLING|CURRY|INDIAN|MEXICAN|CHINESE|ITALIAN|JAPANESE|KOREAN|VIETNAMESE|MEDITERRANEAN|GREEK|HIBACHI|CATERING|BRUNCH|BREAKFAST|SMOKEHOUSE|CHOPHOUSE|FOOD TRUCK", 0, 0, "restaurants", ""},
	{"alcohol_bars", "BAR|PUB|TAVERN|BREWERY|BREWING|BREWPUB|TAPROOM|TAP ROOM|SALOON|LOUNGE|WINE|WINES|WINERY|LIQUOR|LIQUORS|SPIRITS|BEER|BEERS|DISTILLERY|CELLARS|BEVERAGES|COCKTAIL|COCKTAILS|NIGHTCLUB", 0, 0, "alcohol_bars", ""},
	{"groceries", "GROCERY|GROCERIES|GROCER|SUPERMARKET|SUPERMERCADO|MERCADO|FOOD MARKET|MARKET|MARKETS|BUTCHER|PRODUCE|FARMERS MARKET|FOOD STORE|FOODS|FOODMART|FOOD MART|CARNICERIA|HALAL|ORIENTAL FOOD|ASIAN MARKET", 0, 0, "groceries", ""},
	{"utilities", "ELECTRIC|ELECTRICITY|ENERGY|NATURAL GAS|GAS COMPANY|GAS CO|GAS SERVICE|WATER DEPT|WATER DISTRICT|WATER UTILITY|WATER SERVICE|WATER AUTHORITY|WATER|UTILITIES|UTILITY|UTIL|UTILS|SEWER|TRASH|WASTE|SANITATION|RECYCLING|PUBLIC SERVICE|LIGHT CO|POWER CO|POWER AND LIGHT|CITY OF|TOWN OF|VILLAGE OF|MUNICIPAL", 0, -1, "utilities", ""},
	{"gas_fuel", "FUEL|FUELS|GAS|GASOLINE|PETRO|PETROLEUM|TRUCK STOP|TRAVEL CENTER|TRAVEL CENTERS|TRAVEL PLAZA|FOOD MART GAS|SERVICE STATION|GAS STATION", 0, 0, "gas_fuel", ""},
	{"mobile_phone", "WIRELESS|CELLULAR|WRLS", 0, 0, "mobile_phone", ""},
	{"internet", "INTERNET|BROADBAND|FIBER|ISP", 0, 0, "internet", ""},
	{"tv", "CABLE|SATELLITE", 0, 0, "television", ""},
	{"parking", "PARKING|PARK METER|PARKING METER|GARAGE PARKING|VALET|PARKMOBILE|PARK N FLY", 0, 0, "parking", ""},
	{"tolls", "TOLL|TOLLS|TOLLWAY|TURNPIKE|EZPASS|TOLLROAD|EXPRESSWAY|THRUWAY|BRIDGE TOLL", 0, 0, "tolls", ""},
	{"transit", "TRANSIT|METRO|RAIL|RAILWAY|RAILROAD|TRANSPORTATION AUTHORITY|TRANSIT AUTHORITY|BUS|FERRY|COMMUTER|MTA|LIGHT RAIL|METROCARD|CLIPPER", 0, 0, "public_transportation", ""},
	{"taxi", "TAXI|CAB|CABS|LIMO|LIMOUSINE|TAXICAB|YELLOW CAB|CAR SERVICE", 0, 0, "rental_car_taxi", ""},
	{"auto_insurance", "AUTO INS|AUTO INSURANCE|CAR INSURANCE|AUTO INSUR|AUTO POLICY", 0, 0, "auto_insurance", ""},
	{"auto_payment", "AUTO LOAN|CAR LOAN|AUTO FINANCE|AUTO FIN|MOTOR CREDIT|AUTO PMT|AUTO PAYMENT|VEHICLE LOAN|CAR PAYMENT|AUTO LN", 0, -1, "auto_payment", ""},
	{"service_parts", "AUTO|AUTO PARTS|AUTO REPAIR|AUTOMOTIVE|TIRE|TIRES|CAR WASH|CARWASH|LUBE|MUFFLER|COLLISION|BODY SHOP|SMOG|OIL CHANGE|AUTO SERVICE|MOTORS|AUTOBODY|TRANSMISSION|BRAKES|GARAGE|MECHANIC|DETAILING|TOWING", 0, 0, "service_parts", ""},
	{"dmv", "DMV|MOTOR VEHICLES|MOTOR VEHICLE|VEHICLE REGISTRATION|DEPT OF MOTOR|SECRETARY OF STATE", 0, 0, "auto_transport", ""},
	{"life_insurance", "LIFE INS|LIFE INSURANCE|TERM LIFE", 0, 0, "life_insurance", ""},
	{"health_insurance", "HEALTH INS|HEALTH INSURANCE|HEALTH PLAN|MEDICAL INSURANCE|DENTAL INS|VISION INS", 0, 0, "health_insurance", ""},
	{"home_insurance", "HOME INS|HOMEOWNERS INS|HOME INSURANCE|RENTERS INS|RENTERS INSURANCE|HOMEOWNERS INSURANCE|FLOOD INS", 0, 0, "home_insurance", ""},
	{"insurance", "INSURANCE|INS PREM|INS PREMIUM|INSUR|ASSURANCE|UNDERWRITERS", 0, 0, "financial", ""},
	{"veterinary", "VET|VETS|VETERINARY|VETERINARIAN|ANIMAL HOSPITAL|ANIMAL CLINIC|PET HOSPITAL|ANIMAL MEDICAL|EMERGENCY VET", 0, 0, "veterinary", ""},
	{"pet_grooming", "GROOMING|PET GROOMING|DOG GROOMING|GROOMER|DOG WASH|PET SPA|DOGGY DAYCARE|DOG DAYCARE|KENNEL|KENNELS|BOARDING", 0, 0, "pet_grooming", ""},
	{"pets", "PET|PETS|PET SUPPLY|PET SUPPLIES|PET FOOD|FEED STORE|AQUARIUM SUPPLY", 0, 0, "pet_food_supplies", ""},
	{"pharmacy", "PHARMACY|PHARMACIES|PHARM|DRUG|DRUGS|DRUGSTORE|RX|APOTHECARY|CHEMIST", 0, 0, "pharmacy", ""},
	{"dentist", "DENTAL|DENTIST|DENTISTRY|DENTISTS|ORTHODONTICS|ORTHODONTIST|ORTHODONTIC|DDS|DMD|ENDODONTICS|PERIODONTICS", 0, 0, "dentist", ""},
	{"eyecare", "OPTICAL|OPTOMETRY|OPTOMETRIST|OPTOMETRIC|EYECARE|EYE CARE|VISION|EYEWEAR|OPTICIANS|OPHTHALMOLOGY|EYE CENTER|EYE ASSOCIATES|CONTACTS", 0, 0, "eyecare", ""},
	{"doctor", "MEDICAL|CLINIC|CLINICS|HOSPITAL|PHYSICIANS|PHYSICIAN|PEDIATRICS|PEDIATRIC|URGENT CARE|URGENT|LAB|LABS|LABORATORY|RADIOLOGY|DERMATOLOGY|ORTHOPEDIC|ORTHOPEDICS|ORTHOPAEDIC|CHIROPRACTIC|CHIROPRACTOR|PHYSICAL THERAPY|THERAPY|COUNSELING|PSYCHOLOGY|PSYCHIATRY|OBGYN|HEALTHCARE|HEALTH CARE|HEALTH SYSTEM|MEDICINE|MED CTR|MEDICAL CENTER|MEDICAL GROUP|FAMILY PRACTICE|IMAGING|CARDIOLOGY|ONCOLOGY|SURGERY|SURGICAL|ANESTHESIA|PODIATRY|AUDIOLOGY|ACUPUNCTURE|MENTAL HEALTH", 0, 0, "doctor", ""},
	{"gym", "FITNESS|GYM|YOGA|PILATES|CROSSFIT|ATHLETIC CLUB|BARRE|BOXING|MARTIAL|KARATE|TAEKWONDO|JIU JITSU|JIUJITSU|SPIN|HEALTH CLUB|FITNESS CENTER|WELLNESS CENTER|YMCA|YWCA", 0, 0, "gym", ""},
	{"sports", "GOLF|TENNIS|SKI|SKIING|CLIMBING|BOULDERING|SWIM|SWIMMING|AQUATIC|AQUATICS|SPORTS CLUB|COUNTRY CLUB|ICE RINK|SKATE|SKATING|RACQUET|PICKLEBALL|MARATHON|RACE", 0, 0, "sports", ""},
	{"hair", "SALON|SALONS|BARBER|BARBERS|BARBERSHOP|HAIR|HAIRCUT|HAIRCUTS|CUTS|STYLIST|BLOWOUT|BLOW DRY", 0, 0, "hair", ""},
	{"spa", "SPA|MASSAGE|NAILS|NAIL|WAXING|WAX|ESTHETICS|AESTHETICS|LASHES|LASH|FACIAL|SKINCARE|SKIN CARE|BROW|BROWS|MED SPA|MEDSPA|TANNING", 0, 0, "spa_massage", ""},
	{"personal_care", "BEAUTY|COSMETICS|BEAUTY SUPPLY|TATTOO|PIERCING", 0, 0, "personal_care", ""},
	{"laundry", "LAUNDRY|LAUNDROMAT|LAUNDROMATS|CLEANERS|DRY CLEAN|DRY CLEANING|DRY CLEANERS|DRYCLEAN|DRYCLEANERS|TAILOR|TAILORS|ALTERATIONS|WASH AND FOLD|COIN LAUNDRY", 0, 0, "laundry", ""},
	{"lawn_garden", "LANDSCAPING|LANDSCAPE|LAWN|GARDEN|GARDENS|NURSERY|NURSERIES|GREENHOUSE|TREE SERVICE|IRRIGATION|SOD|MULCH", 0, 0, "lawn_garden", ""},
	{"home_improvement", "HARDWARE|LUMBER|BUILDING SUPPLY|BUILDING SUPPLIES|HOME CENTER|PAINT|PAINTS|FLOORING|TILE|CABINETS|HOME IMPROVEMENT|SUPPLY CO|PLUMBING SUPPLY|ELECTRICAL SUPPLY", 0, 0, "home_improvement", ""},
	{"home_services", "PLUMBING|PLUMBER|PLUMBERS|ELECTRIC CO|ELECTRICIAN|HVAC|HEATING|COOLING|AIR CONDITIONING|ROOFING|PEST CONTROL|PEST|EXTERMINATOR|EXTERMINATING|TERMITE|CLEANING|CLEANING SERVICE|MAID|MAIDS|HOUSEKEEPING|JANITORIAL|HANDYMAN|MOVERS|MOVING|LOCKSMITH|CONTRACTING|CONTRACTOR|CONTRACTORS|CONSTRUCTION|REMODELING|RENOVATION|APPLIANCE REPAIR|SECURITY SYSTEMS|ALARM|STORAGE|SELF STORAGE|CARPET CLEANING|WINDOW CLEANING|POOL SERVICE|GUTTER|CHIMNEY|SEPTIC|JUNK", 0, 0, "home_services", ""},
	{"furnishings", "FURNITURE|FURNISHINGS|MATTRESS|MATTRESSES|RUGS|RUG|HOME DECOR|DECOR|LIGHTING|APPLIANCE|APPLIANCES|BEDDING|INTERIORS|SOFA|UPHOLSTERY", 0, 0, "furnishings", ""},
	{"air_travel", "AIRLINES|AIRLINE|AIRWAYS|AIR LINES|AIRLNS|AVIATION|AIRFARE|FLIGHT|FLIGHTS", 0, 0, "air_travel", ""},
	{"hotel", "HOTEL|HOTELS|INN|INNS|RESORT|RESORTS|SUITES|MOTEL|MOTELS|LODGE|LODGING|HOSTEL|BED AND BREAKFAST|B AND B|CASITA|VACATION RENTAL", 0, 0, "hotel", ""},
	{"vacation", "CRUISE|CRUISES|CRUISE LINE|TOURS|TOUR|EXCURSIONS|EXCURSION|TRAVEL AGENCY|SAFARI|CAMPGROUND|CAMPING|RV PARK|NATIONAL PARK|STATE PARK", 0, 0, "vacation", ""},
	{"travel", "TRAVEL|AIRPORT|DUTY FREE|TRAVELS|PASSPORT", 0, 0, "travel", ""},
	{"movies", "CINEMA|CINEMAS|MOVIES|MOVIE|THEATER|THEATERS|THEATRES|CINEPLEX|MULTIPLEX|DRIVE IN THEATER|FILM", 0, 0, "movies_dvds", ""},
	{"arts", "MUSEUM|GALLERY|GALLERIES|SYMPHONY|ORCHESTRA|OPERA|BALLET|PLAYHOUSE|THEATRE|PERFORMING ARTS|ARTS CENTER|ART CENTER|PHILHARMONIC|DANCE COMPANY|ARTS", 0, 0, "arts", ""},
	{"music", "CONCERT|CONCERTS|MUSIC|RECORDS|VINYL|GUITAR|GUITARS|PIANO|INSTRUMENTS|AMPHITHEATER|AMPHITHEATRE|LIVE NATION", 0, 0, "music", ""},
	{"amusement", "ZOO|AQUARIUM|BOWLING|LANES|ARCADE|AMUSEMENT|THEME PARK|WATER PARK|WATERPARK|FUN CENTER|TRAMPOLINE|LASER TAG|MINI GOLF|GO KART|KARTING|ESCAPE ROOM|CASINO|RACETRACK|CARNIVAL|FAIR|FAIRGROUNDS|STADIUM|ARENA|BALLPARK|SPEEDWAY|BILLIARDS|POOL HALL|PAINTBALL|HAUNTED", 0, 0, "amusement", ""},
	{"newspapers", "NEWSPAPER|NEWSPAPERS|MAGAZINE|MAGAZINES|GAZETTE|TRIBUNE|HERALD|JOURNAL|CHRONICLE|POST GAZETTE|NEWS", 0, 0, "newspapers_magazines", ""},
	{"books", "BOOKS|BOOK|BOOKSTORE|BOOKSTORES|BOOKSELLERS|BOOKSHOP|BOOK STORE|COMICS|COMIC", 0, 0, "books", ""},
	{"toys", "TOYS|TOY|TOYLAND|TOY STORE", 0, 0, "toys", ""},
	{"baby", "BABY|BABIES|INFANT|MATERNITY|NURSERY FURNITURE|DIAPER|DIAPERS", 0, 0, "baby_supplies", ""},
	{"daycare", "DAYCARE|DAY CARE|CHILDCARE|CHILD CARE|PRESCHOOL|PRE SCHOOL|MONTESSORI|LEARNING CENTER|NANNY|BABYSITTER|BABYSITTING|KINDERCARE|AFTERSCHOOL|AFTER SCHOOL", 0, 0, "babysitter_daycare", ""},
	{"kids_activities", "KIDS|KIDZ|CHILDRENS|CHILDREN|CAMP|SUMMER CAMP|GYMNASTICS|DANCE STUDIO|SWIM SCHOOL|SCOUTS|LITTLE LEAGUE", 0, 0, "kids_activities", ""},
	{"student_loan", "STUDENT LOAN|STUDENT LN|STUDENTLOAN|STUDNT LOAN|STUDENT LOANS|DEPT EDUCATION|DEPT OF EDUCATION|DEPT OF ED|FEDLOAN|LOAN SERVICING", 0, -1, "student_loan", ""},
	{"tuition", "UNIVERSITY|UNIV|COLLEGE|SCHOOL|SCHOOLS|ACADEMY|TUITION|TUTORING|TUTOR|INSTITUTE|SCHOOL DISTRICT|ISD|EDUCATION|LEARNING|BURSAR|STUDENT ACCOUNTS", 0, 0, "tuition", ""},
	{"charity", "CHURCH|MINISTRIES|MINISTRY|FOUNDATION|CHARITY|CHARITIES|CHARITABLE|DONATION|DONATIONS|DONATE|PARISH|TEMPLE|SYNAGOGUE|MOSQUE|CONGREGATION|RELIEF|FOOD BANK|FOODBANK|HUMANE SOCIETY|SPCA|NONPROFIT|TITHE|TITHES|OFFERING|DIOCESE|CATHOLIC|BAPTIST|METHODIST|LUTHERAN|PRESBYTERIAN|EPISCOPAL|GOFUNDME|FUNDRAISER|FUNDRAISING|CAMPAIGN|ALUMNI", 0, 0, "charity", ""},
	{"gift", "FLORIST|FLORISTS|FLOWERS|FLOWER|FLORAL|GIFT SHOP|GIFTS|GIFT|GIFT CARD|GIFTCARD|GREETING CARDS|PARTY SUPPLY|PARTY SUPPLIES|BALLOONS", 0, 0, "gift", ""},
	{"clothing", "CLOTHING|CLOTHES|APPAREL|BOUTIQUE|SHOES|SHOE|FASHION|FASHIONS|FOOTWEAR|DENIM|JEANS|MENSWEAR|WOMENSWEAR|LINGERIE|UNIFORMS|OUTFITTERS|THREADS|TAILORED|SUITS|HATS|SOCKS|SNEAKERS|BOOTS", 0, 0, "clothing", ""},
	{"electronics", "ELECTRONICS|ELECTRONIC|COMPUTER|COMPUTERS|SOFTWARE|CELL PHONE|CELLPHONE|PHONE REPAIR|GADGETS|CAMERA|CAMERAS|TECH|TECHNOLOGY|DIGITAL|APPS|APP STORE|SAAS|CLOUD|HOSTING|DOMAINS|VPN", 0, 0, "electronics_software", ""},
	{"hobbies", "HOBBY|HOBBIES|CRAFT|CRAFTS|YARN|FABRIC|FABRICS|QUILT|QUILTING|SEWING|BEAD|BEADS|ART SUPPLY|ART SUPPLIES|MODEL|MODELS|TRAINS|HOBBY SHOP|SCRAPBOOK|POTTERY|CERAMICS|COIN|COINS|STAMPS|CARDS AND GAMES|BOARD GAMES|TABLETOP", 0, 0, "hobbies", ""},
	{"sporting_goods", "SPORTING GOODS|SPORTING|SPORTS|OUTDOOR|OUTDOORS|BIKE|BIKES|BICYCLE|BICYCLES|CYCLE|CYCLES|CYCLERY|GUN|GUNS|FIREARMS|ARMORY|TACKLE|FISHING|HUNTING|ARCHERY|SURF|SKATEBOARD|SKI SHOP|RUNNING|RUNNERS|ATHLETIC|ATHLETICS|GOLF SHOP|PRO SHOP|MARINE|BOATS|SCUBA|DIVE", 0, 0, "sporting_goods", ""},
	{"entertainment", "TICKETS|TICKET|ENTERTAINMENT|GAMES|GAMING|KARAOKE|COMEDY|EVENTS|EVENT|FESTIVAL", 0, 0, "entertainment", ""},
	{"shopping", "STORE|STORES|SHOP|SHOPS|MALL|OUTLET|OUTLETS|JEWELRY|JEWELERS|JEWELER|JEWELLERY|WATCHES|ANTIQUES|ANTIQUE|THRIFT|CONSIGNMENT|VINTAGE|EMPORIUM|MERCANTILE|GENERAL STORE|DEPARTMENT STORE|DISCOUNT|DOLLAR|VARIETY|WAREHOUSE|WHOLESALE|SUPPLY|SUPPLIES|GOODS|PAWN|TOBACCO|SMOKE SHOP|VAPE|CIGAR|CIGARS|MARKETPLACE|ETSY|EBAY|BOUTIQUES|CANDLES|LEATHER|LUGGAGE|OPTICS|PERFUME|FRAGRANCE", 0, 0, "shopping", ""},
	{"shipping", "SHIPPING|SHIP|POST OFFICE|POSTAL|COURIER|FREIGHT|DELIVERY SERVICE|MAILBOX|MAILBOXES|PACK AND SHIP|POSTAGE", 0, 0, "shipping", ""},
	{"printing", "PRINTING|PRINT|PRINTS|PRINTERS|PRINT SHOP|COPY CENTER|COPIES|SIGNS|SIGN SHOP|BLUEPRINT|PHOTO PRINT", 0, 0, "printing", ""},
	{"legal", "LAW|LAW OFFICE|LAW OFFICES|LAW FIRM|LAW GROUP|ATTORNEY|ATTORNEYS|LAWYER|LAWYERS|LEGAL|ESQ|NOTARY|PARALEGAL|COURT|COURTS", 0, 0, "legal", ""},
	{"advertising", "ADVERTISING|ADS|MARKETING|PROMOTIONS", 0, 0, "advertising", ""},
	{"office_supplies", "OFFICE SUPPLY|OFFICE SUPPLIES|OFFICE PRODUCTS|STATIONERY|STATIONERS", 0, 0, "office_supplies", ""},
	{"financial_advisor", "FINANCIAL ADVISOR|FINANCIAL PLANNING|WEALTH MANAGEMENT|WEALTH MGMT|ADVISORS|ADVISORY|CPA|ACCOUNTING|ACCOUNTANT|TAX SERVICE|TAX PREP|TAX SERVICES|BOOKKEEPING", 0, 0, "financial_advisor", ""},
	{"bonus", "BONUS", 0, 1, "bonus", ""},
	{"rental_income", "RENTAL INCOME|TENANT PAYMENT|RENT RECEIVED|RENT DEPOSIT", 0, 1, "rental_income", ""},
	{"refund", "REFUND|RETURN|RETURNS|CREDIT VOUCHER|MERCHANDISE RETURN", 0, 1, "returned_purchase", ""},
	{"deposit", "DEPOSIT|DEP", 0, 1, "income", ""},
	{"fee", "FEE|FEES|SERVICE CHARGE|SURCHARGE|PENALTY", 0, -1, "service_fee", ""},
}

// typeCategory maps an OFX TRNTYPE that settles the category on its own.
var typeCategory = map[string]struct{ in, out string }{
	"INT":       {"interest_income", "finance_charge"},
	"DIV":       {"dividends", "dividends"},
	"FEE":       {"bank_fee", "bank_fee"},
	"SRVCHG":    {"service_fee", "service_fee"},
	"ATM":       {"cash_atm", "cash_atm"},
	"CASH":      {"cash_atm", "cash_atm"},
	"DIRECTDEP": {"paycheck", ""},
}

// typeFallback maps an OFX TRNTYPE that suggests a category when nothing
// else matched.
var typeFallback = map[string]struct{ in, out string }{
	"XFER":  {"account_transfer", "account_transfer"},
	"CHECK": {"check", "check"},
	"DEP":   {"income", ""},
}

// mccCategory maps the common ISO 18245 merchant category codes (and the SIC
// codes OFX carries, which share most of them) to a category.
var mccCategory = map[string]string{
	"0742": "veterinary", "0763": "lawn_garden", "0780": "lawn_garden",
	"1520": "home_services", "1711": "home_services", "1731": "home_services", "1740": "home_services",
	"1750": "home_services", "1761": "home_services", "1771": "home_services", "1799": "home_services",
	"2741": "printing", "2791": "printing", "2842": "home_supplies",
	"4011": "public_transportation", "4111": "public_transportation", "4112": "public_transportation",
	"4119": "doctor", "4121": "ride_share", "4131": "public_transportation", "4214": "home_services",
	"4215": "shipping", "4225": "home_services", "4411": "vacation", "4457": "vacation", "4468": "vacation",
	"4511": "air_travel", "4582": "air_travel", "4722": "vacation", "4784": "tolls", "4789": "public_transportation",
	"4812": "mobile_phone", "4814": "mobile_phone", "4816": "internet", "4821": "shipping", "4829": "account_transfer",
	"4899": "television", "4900": "utilities",
	"5013": "service_parts", "5021": "furnishings", "5039": "home_improvement", "5044": "office_supplies",
	"5045": "electronics_software", "5047": "doctor", "5051": "home_improvement", "5065": "electronics_software",
	"5072": "home_improvement", "5074": "home_improvement", "5094": "shopping", "5111": "office_supplies",
	"5122": "pharmacy", "5131": "hobbies", "5137": "clothing", "5139": "clothing", "5169": "home_supplies",
	"5192": "books", "5193": "lawn_garden", "5198": "home_improvement",
	"5200": "home_improvement", "5211": "home_improvement", "5231": "home_improvement", "5251": "home_improvement",
	"5261": "lawn_garden", "5271": "home", "5300": "shopping", "5309": "shopping", "5310": "shopping",
	"5311": "shopping", "5331": "shopping", "5399": "shopping",
	"5411": "groceries", "5422": "groceries", "5441": "groceries", "5451": "groceries", "5462": "food_dining",
	"5499": "groceries", "5511": "auto_payment", "5521": "auto_payment", "5531": "service_parts",
	"5532": "service_parts", "5533": "service_parts", "5541": "gas_fuel", "5542": "gas_fuel",
	"5551": "sporting_goods", "5561": "auto_transport", "5571": "auto_transport", "5592": "auto_transport",
	"5598": "sporting_goods", "5599": "auto_transport",
	"5611": "clothing", "5621": "clothing", "5631": "clothing", "5641": "clothing", "5651": "clothing",
	"5655": "clothing", "5661": "clothing", "5681": "clothing", "5691": "clothing", "5697": "clothing",
	"5698": "hair", "5699": "clothing",
	"5712": "furnishings", "5713": "furnishings", "5714": "furnishings", "5718": "furnishings",
	"5719": "furnishings", "5722": "furnishings", "5732": "electronics_software", "5733": "music",
	"5734": "electronics_software", "5735": "music",
	"5811": "restaurants", "5812": "restaurants", "5813": "alcohol_bars", "5814": "fast_food",
	"5815": "entertainment", "5816": "entertainment", "5817": "electronics_software", "5818": "electronics_software",
	"5912": "pharmacy", "5921": "alcohol_bars", "5931": "shopping", "5932": "shopping", "5933": "shopping",
	"5935": "auto_transport", "5937": "shopping", "5940": "sporting_goods", "5941": "sporting_goods",
	"5942": "books", "5943": "office_supplies", "5944": "shopping", "5945": "toys", "5946": "electronics_software",
	"5947": "gift", "5948": "shopping", "5949": "hobbies", "5950": "furnishings", "5960": "shopping",
	"5961": "shopping", "5962": "vacation", "5963": "shopping", "5964": "shopping", "5965": "shopping",
	"5966": "shopping", "5967": "entertainment", "5968": "shopping", "5969": "shopping", "5970": "hobbies",
	"5971": "arts", "5972": "hobbies", "5973": "gift", "5975": "doctor", "5976": "doctor", "5977": "personal_care",
	"5978": "office_supplies", "5983": "utilities", "5992": "gift", "5993": "shopping", "5994": "newspapers_magazines",
	"5995": "pet_food_supplies", "5996": "home_improvement", "5997": "personal_care", "5998": "vacation", "5999": "shopping",
	"6010": "cash_atm", "6011": "cash_atm", "6300": "financial", "6381": "financial", "6399": "financial",
	"6513": "rent_mortgage",
	"7011": "hotel", "7012": "hotel", "7032": "kids_activities", "7033": "vacation",
	"7210": "laundry", "7211": "laundry", "7216": "laundry", "7217": "home_services", "7221": "personal_care",
	"7230": "hair", "7251": "clothing", "7261": "personal_care", "7273": "entertainment", "7276": "financial_advisor",
	"7277": "doctor", "7278": "shopping", "7296": "clothing", "7297": "spa_massage", "7298": "spa_massage",
	"7299": "personal_care", "7311": "advertising", "7321": "financial", "7333": "printing", "7338": "printing",
	"7339": "business_services", "7342": "home_services", "7349": "home_services", "7361": "business_services",
	"7372": "electronics_software", "7375": "internet", "7379": "electronics_software", "7392": "business_services",
	"7393": "business_services", "7394": "business_services", "7395": "printing", "7399": "business_services",
	"7512": "rental_car_taxi", "7513": "rental_car_taxi", "7519": "rental_car_taxi", "7523": "parking",
	"7531": "service_parts", "7534": "service_parts", "7535": "service_parts", "7538": "service_parts",
	"7542": "service_parts", "7549": "service_parts",
	"7622": "electronics_software", "7623": "home_services", "7629": "home_services", "7631": "shopping",
	"7641": "furnishings", "7692": "home_services", "7699": "home_services",
	"7829": "movies_dvds", "7832": "movies_dvds", "7841": "movies_dvds", "7911": "kids_activities",
	"7922": "arts", "7929": "music", "7932": "amusement", "7933": "amusement", "7941": "sports",
	"7991": "amusement", "7992": "sports", "7993": "amusement", "7994": "amusement", "7995": "amusement",
	"7996": "amusement", "7997": "gym", "7998": "amusement", "7999": "amusement",
	"8011": "doctor", "8021": "dentist", "8031": "doctor", "8041": "doctor", "8042": "eyecare", "8043": "eyecare",
	"8049": "doctor", "8050": "doctor", "8062": "doctor", "8071": "doctor", "8099": "doctor",
	"8111": "legal", "8211": "tuition", "8220": "tuition", "8241": "tuition", "8244": "tuition",
	"8249": "tuition", "8299": "tuition", "8351": "babysitter_daycare", "8398": "charity", "8641": "charity",
	"8651": "charity", "8661": "charity", "8675": "auto_transport", "8699": "charity", "8734": "doctor",
	"8911": "business_services", "8931": "financial_advisor", "8999": "business_services",
	"9211": "legal", "9222": "fees_charges", "9223": "legal", "9311": "taxes", "9399": "taxes", "9402": "shipping",
}

// A rule is one phrase of a ruleSpec.
type rule struct {
	prio     int // index of the spec: lower wins
	words    []string
	need     uint32
	sign     int8
	category string
	label    string
	matched  string // "rule:" + spec name
}

// lexicon is the static word knowledge: flags per word and the rules indexed
// by their first word, so one map lookup per token finds everything.
type lexicon struct {
	index  map[string]int32
	words  []wordInfo
	strong []rule
	weak   []rule
}

type wordInfo struct {
	flags  uint32
	strong []int32 // indexes into lexicon.strong of rules starting with this word
	weak   []int32
}

var lex = buildLexicon()

func buildLexicon() *lexicon {
	l := &lexicon{index: make(map[string]int32)}
	word := func(w string) *wordInfo {
		i, ok := l.index[w]
		if !ok {
			i = int32(len(l.words))
			l.index[w] = i
			l.words = append(l.words, wordInfo{})
		}
		return &l.words[i]
	}
	for _, fw := range flagWords {
		for _, w := range strings.Fields(fw.words) {
			word(w).flags |= fw.flag
		}
	}
	add := func(specs []ruleSpec, list *[]rule, weak bool) {
		for prio, s := range specs {
			for _, p := range strings.Split(s.phrases, "|") {
				r := rule{prio: prio, words: strings.Fields(p), need: s.need, sign: s.sign,
					category: s.category, label: s.label, matched: "rule:" + s.name}
				*list = append(*list, r)
				w := word(r.words[0])
				if weak {
					w.weak = append(w.weak, int32(len(*list)-1))
				} else {
					w.strong = append(w.strong, int32(len(*list)-1))
				}
			}
		}
	}
	add(strongRules, &l.strong, false)
	add(weakRules, &l.weak, true)
	return l
}
