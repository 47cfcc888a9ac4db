//go:build ignore

// Command local writes local_sellers.tsv, the list of named local
// businesses with their trade, from the Food Standards Agency's food
// hygiene rating data (Open Government Licence v3.0): the name and the
// business type of every food business the local authorities inspect.
//
// Its input is one or more CSV files with a business-name and a
// business-type column (BusinessName/BusinessType as the FSA's exports and
// API name them, or BUSINESS_NAME/BUSINESS_TYPE), or with a Name column
// only, whose rows are of -category: HM Revenue & Customs' register of the
// restaurants, cafés and pubs that took part in Eat Out to Help Out in
// 2020 (github.com/hmrc/eat-out-to-help-out-establishments, Apache-2.0,
// data/participating-establishments/restaurants.csv at commit 6d7228d,
// the last version under 4 MiB). The inputs are never committed:
//
//	cd internal/categorize && go run gen/local/main.go -out local_sellers.tsv restaurants.csv fhrs.csv
//
// A business is kept when its type maps cleanly onto a category (a
// restaurant, café or canteen; a pub, bar or nightclub; a takeaway; a hotel
// or B&B; a supermarket), when the engine without the list does not file
// its name already (brands, names with a trade word: they need no entry),
// when its name is not made of common English words only (THE ROSE, BREAK
// POINT; read from -words, a word list such as /usr/share/dict/words) and
// when at least two thirds of the businesses registered under the same
// name have the same trade. The Food Standards Agency's per-authority
// extracts (github.com/RobinL/fsa_fhrs_map, data/fhrs/*.csv at commit
// f9c7196: 405 files with lower-case column names) are read as they are,
// and so is the Mapping Museums database's export of the UK's museums
// (Birkbeck, University of London, CC BY; a name_of_museum and a
// still_open column, as in github.com/Birkbeck/museum-object-flows,
// data/mapping-museums-2024-10-15.csv at commit 0290439): every open
// museum is an arts seller, and the venue words that leave out a museum's
// café in the food registers do not leave out the museum.
//
// A register of one trade without a business-type column is given as
// CATEGORY=PATH: the DVSA's list of active MOT testing stations (a Trading
// Name column; service_parts=mot.csv, Open Government Licence v3.0) files
// the UK's independent garages, and NHS Digital's list of general dental
// practices (egdpprac.csv of the Organisation Data Service, a Name column;
// dentist=egdpprac.csv, Open Government Licence v3.0) its dental
// practices. Their names are kept unless they are a street address or
// name a council, a public service, a fleet, a health board or a trust.
package main

import (
	"bufio"
	"encoding/csv"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// typeCategory maps the FSA's business types onto categories. Types not
// listed (other retailers, caring premises, schools, manufacturers, ...)
// do not say what a purchase there was; a mobile caterer (a food van, a
// street-food stall) sells food to eat.
var typeCategory = map[string]string{
	"restaurant/cafe/canteen":               "restaurants",
	"pub/bar/nightclub":                     "alcohol_bars",
	"takeaway/sandwich shop":                "fast_food",
	"hotel/bed & breakfast/guest house":     "hotel",
	"retailers - supermarkets/hypermarkets": "groceries",
	"mobile caterer":                        "fast_food",
	museumType:                              "arts",
}

// foodTrades are the trades of the food registers, whose venue words
// (below) leave out a café named after the place it is in.
var foodTrades = map[string]bool{"restaurants": true, "fast_food": true, "alcohol_bars": true, "hotel": true, "groceries": true}

// museumType is the trade of every open museum of the Mapping Museums
// database, whose export has no business-type column.
const museumType = "museum"

// venueWords name places whose café or restaurant is not what a payment
// there most likely bought: the register lists the café of a trampoline
// park, a golf club, a museum or a hotel under the place's name, and some
// businesses under a company name (GOSFORTH TRADERS) that may trade in
// anything.
var venueWords = map[string]bool{
	"XTREME": true, "EXTREME": true, "JUMP": true, "TRAMPOLINE": true, "PLAY": true, "PLAYCENTRE": true, "SOFTPLAY": true,
	"ADVENTURE": true, "ADVENTURES": true, "PARK": true, "FARM": true, "GARDEN": true, "GARDENS": true, "CENTRE": true, "CENTER": true,
	"CLUB": true, "GOLF": true, "BINGO": true, "BOWL": true, "BOWLING": true, "LEISURE": true, "MUSEUM": true, "ZOO": true,
	"CINEMA": true, "THEATRE": true, "GYM": true, "SPORT": true, "SPORTS": true, "HOTEL": true, "HOTELS": true, "LODGE": true,
	"SERVICES": true, "STATION": true, "GARAGE": true, "SHOP": true, "STORE": true, "STORES": true, "MARKET": true,
	"NURSERY": true, "NURSERIES": true, "CHURCH": true, "HALL": true, "SCHOOL": true, "UNIVERSITY": true, "COLLEGE": true,
	"HOSPITAL": true, "ARENA": true, "STADIUM": true, "ACADEMY": true, "TRUST": true, "SOCIETY": true, "ASSOCIATION": true,
	"CASINO": true, "SLOTS": true, "STUDIO": true, "STUDIOS": true, "SPA": true, "MARINA": true, "CASTLE": true, "ABBEY": true,
	"TRADING": true, "TRADERS": true, "ENTERPRISES": true, "HOLDINGS": true, "GROUP": true, "MANAGEMENT": true,
	"VENTURES": true, "INVESTMENTS": true, "PROPERTIES": true, "PARTNERSHIP": true,
	"GALLERY": true, "CATHEDRAL": true, "LIBRARY": true, "POOL": true, "RINK": true, "WORLD": true, "KINGDOM": true, "ESTATE": true,
	// A court, a courthouse or a housing scheme's canteen (BRUNTON COURT
	// SHELTERED HOUSING): the register lists it as a restaurant.
	"COURT": true, "COURTHOUSE": true, "HOUSING": true, "SHELTERED": true,
}

// notLocal are national companies the register lists for their staff
// canteens, not businesses a customer pays as such.
var notLocal = map[string]bool{"BARCLAYS": true}

// companyForms are cut from the end of a name before it is keyed.
var companyForms = map[string]bool{"LTD": true, "LIMITED": true, "PLC": true, "LLP": true}

func main() {
	out := flag.String("out", "local_sellers.tsv", "file to write")
	words := flag.String("words", "/usr/share/dict/words", "word list; a name of these words only is left out")
	typeless := flag.String("category", "restaurants", "category of the rows of a file without a business-type column")
	flag.Parse()
	if flag.NArg() == 0 {
		log.Fatal("usage: go run gen/local/main.go [-out FILE] [-words FILE] fhrs.csv ...")
	}
	common, err := readWords(*words)
	if err != nil {
		log.Fatal(err)
	}
	type entry struct {
		name string
		cats map[string]int // registrations of the name by trade; "other" for an unmapped type
	}
	byKey := map[string]*entry{}
	rows := 0
	for _, arg := range flag.Args() {
		// CATEGORY=PATH: the trade of every row of a register of one
		// trade (dentist=egdpprac.csv, service_parts=mot.csv).
		path, fileCat := arg, *typeless
		if c, p, ok := strings.Cut(arg, "="); ok {
			if _, known := tally.LookupCategory(c); !known {
				log.Fatalf("%s: unknown category %q", arg, c)
			}
			path, fileCat = p, c
		}
		err := readCSV(path, func(name, typ, town string) {
			rows++
			cat, ok := typeCategory[strings.ToLower(strings.TrimSpace(typ))]
			if typ == "" {
				cat, ok = fileCat, true
			}
			name = withoutTown(clean(name), town)
			k := categorize.ComparisonKey(strings.TrimPrefix(strings.TrimPrefix(name, "The "), "THE "))
			if k == "" {
				return
			}
			e := byKey[k]
			if e == nil {
				e = &entry{name: name, cats: map[string]int{}}
				byKey[k] = e
			}
			if !ok {
				cat = "other" // a trade the list does not map: it counts against the others
			}
			e.cats[cat]++
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	engine := categorize.New().WithLocal(nil)
	var kept []categorize.LocalSeller
	drop := map[string]int{}
	for k, e := range byKey {
		cat, ok := mainTrade(e.cats)
		switch {
		case !ok:
			drop["ambiguous or unmapped"]++
			continue
		case foodTrades[cat] && hasVenueWord(e.name): // a museum or a garage is the venue itself
			drop["a venue"]++
			continue
		case !foodTrades[cat] && cat != "arts" && isAddress(e.name): // restaurants and museums named by their address keep it
			drop["an address"]++ // 7 PARK ROAD, a practice registered under its street
			continue
		case !foodTrades[cat] && cat != "arts" && hasOwnerWord(e.name): // a museum of transport stays
			drop["a public body or a fleet"]++
			continue
		case notLocal[k]:
			drop["a national company"]++
			continue
		case len(k) < 5:
			drop["short"]++
			continue
		case commonOnly(e.name, common):
			drop["common words"]++
			continue
		}
		if _, ok := engine.Dictionary().Lookup(e.name); ok {
			drop["a known seller's name"]++ // BARCLAYS: a bank's staff canteen
			continue
		}
		// A trade word of the tagging schema is the engine's last guess,
		// after every entry of the list: it does not make one needless.
		if r := engine.Categorize(categorize.Input{Description: strings.ToUpper(e.name), Amount: -1000}); r.Source != tally.SourceNone && !strings.HasPrefix(r.Matched, "term:") {
			drop["filed without the list"]++
			continue
		}
		kept = append(kept, categorize.LocalSeller{Name: e.name, Category: cat})
	}
	// Keep only the names the engine reaches the list with, each by its
	// own entry: a name that opens with a number or a card word is read
	// otherwise, and EST EST EST is not reached (its last word is read as
	// a state's code) although EST EST would be.
	l, err := categorize.NewLocalSellers(kept)
	if err != nil {
		log.Fatal(err)
	}
	withList := engine.WithLocal(l)
	reached := kept[:0]
	for _, s := range kept {
		own := "local:" + categorize.ComparisonKey(strings.TrimPrefix(strings.TrimPrefix(s.Name, "The "), "THE "))
		if r := withList.Categorize(categorize.Input{Description: s.Name, Amount: -1000}); r.Matched == own && r.Category == s.Category {
			reached = append(reached, s)
		} else {
			drop["not reached"]++
		}
	}
	kept = reached
	sort.Slice(kept, func(i, j int) bool { return kept[i].Name < kept[j].Name })
	f, err := os.Create(*out)
	if err != nil {
		log.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# Generated by gen/local/main.go from public registers: the Food Standards Agency's\n")
	fmt.Fprintf(w, "# food hygiene rating data (Open Government Licence v3.0), HMRC's Eat Out to Help Out\n")
	fmt.Fprintf(w, "# register (Apache-2.0), the Mapping Museums database (CC BY), the DVSA's MOT testing\n")
	fmt.Fprintf(w, "# stations and the NHS's dental practices (Open Government Licence v3.0); see LICENSE-data.md.\n")
	fmt.Fprintf(w, "# Do not edit. name<TAB>category: %d businesses of %d rows read.\n", len(kept), rows)
	for _, s := range kept {
		fmt.Fprintf(w, "%s\t%s\n", s.Name, s.Category)
	}
	if err := w.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	log.Printf("%d rows, %d names, %d kept, left out: %v", rows, len(byKey), len(kept), drop)
}

// mainTrade returns the trade of a name when at least two thirds of its
// registrations have it: a restaurant registered four times and once as
// "Retailers - other" (its deli counter) is a restaurant; a name shared
// half and half by a pub and a takeaway is nobody's.
func mainTrade(cats map[string]int) (string, bool) {
	best, top, total := "", 0, 0
	for c, n := range cats {
		total += n
		if c != "other" && (n > top || n == top && c < best) {
			best, top = c, n
		}
	}
	return best, top > 0 && 3*top >= 2*total
}

// clean cuts a branch or operator after " - ", " @ ", "/" or "(", and
// company forms at the end, and upper-cases the name as card statements
// print it.
func clean(name string) string {
	for _, ta := range []string{" T/A ", " t/a ", " T/a ", " TA ", " t/as "} {
		if i := strings.Index(name, ta); i >= 0 {
			name = name[i+len(ta):] // the trading name after "Ltd T/A"
		}
	}
	for _, sep := range []string{" - ", "@", "/", "(", ","} {
		if i := strings.Index(name, sep); i > 0 {
			name = name[:i]
		}
	}
	f := strings.Fields(strings.ToUpper(name))
	for len(f) > 1 && companyForms[strings.Trim(f[len(f)-1], ".")] {
		f = f[:len(f)-1]
	}
	return strings.Join(f, " ")
}

// commonOnly reports whether every word of name is a word of the list,
// proper names included (THE BEDFORD, PRINCE GEORGE, GLOUCESTER RD: a town
// or a street alone does not tell a restaurant), a road word or a number
// (23 BATH ST, 21 GRAMS).
func commonOnly(name string, common map[string]bool) bool {
	for _, w := range strings.Fields(strings.ToLower(name)) {
		w = strings.Trim(w, "'’.!&+")
		if w == "" || roadWords[w] || strings.Trim(w, "0123456789") == "" {
			continue
		}
		if !common[w] && !common[strings.TrimSuffix(w, "'s")] && !common[strings.TrimSuffix(w, "s")] {
			return false
		}
	}
	return true
}

var roadWords = map[string]bool{"rd": true, "st": true, "ln": true, "ave": true, "sq": true, "the": true, "and": true, "of": true, "at": true, "on": true, "in": true}

// roadNames end a street address: a dental practice registered under
// its address (2 LYTTELTON ROAD) has no name a card statement prints.
var roadNames = map[string]bool{
	"ROAD": true, "RD": true, "STREET": true, "ST": true, "LANE": true, "AVENUE": true, "TERRACE": true, "PLACE": true,
	"DRIVE": true, "CLOSE": true, "WAY": true, "SQUARE": true, "CRESCENT": true, "GROVE": true, "PARADE": true, "ROW": true,
	"HILL": true, "GREEN": true, "WALK": true, "BROADWAY": true,
}

// houseNumber is a house number or a range of them (5, 1A, 1-3), not an
// ordinal or a number in a name (1ST CHOICE MOTS, 4U CARS).
var houseNumber = regexp.MustCompile(`^[0-9]+[A-Z]?(-[0-9]+[A-Z]?)?$`)

// isAddress reports whether name is a street address: it opens with a
// house number (5 KINGSWAY, 1-3 WHICKHAM VIEW), a unit or a floor (UNIT
// 2A, 2ND FLOOR), or names a street (ROKE LANE).
func isAddress(name string) bool {
	f := strings.Fields(name)
	if len(f) == 0 {
		return false
	}
	if houseNumber.MatchString(f[0]) || f[0] == "UNIT" || f[0] == "SUITE" || strings.Contains(name, " FLOOR") {
		return true
	}
	return len(f) >= 2 && roadNames[strings.Trim(f[len(f)-1], ".,")]
}

// ownerWords name a council, a public service or a company's own fleet
// testing its vehicles (ABERDEENSHIRE COUNCIL, ROYAL MAIL SERVICE
// CENTRE), or a health board or trust running dental clinics (ANEURIN
// BEVAN HEALTH BOARD, SELBY AND YORK PRIMARY CARE TRUS): not a garage or
// a practice a customer pays.
var ownerWords = map[string]bool{
	"COUNCIL": true, "BOROUGH": true, "COUNTY": true, "POLICE": true, "FIRE": true, "AMBULANCE": true, "FLEET": true,
	"NHS": true, "TRUST": true, "MINISTRY": true, "ARMY": true, "RAF": true, "GOVERNMENT": true, "UNIVERSITY": true,
	"MAIL": true, "TRANSPORT": true, "BUS": true, "BUSES": true, "COACHES": true, "TRAVEL": true,
	"BOARD": true, "TRUS": true, "PCT": true, "COMMUNITY": true, "PRIORITY": true, "PRIMARY": true,
}

func hasOwnerWord(name string) bool {
	for _, w := range strings.Fields(name) {
		if ownerWords[strings.Trim(w, "'’.!&+,()")] {
			return true
		}
	}
	return false
}

func hasVenueWord(name string) bool {
	for _, w := range strings.Fields(name) {
		if venueWords[strings.Trim(w, "'’.!&+,")] {
			return true
		}
	}
	return false
}

func readWords(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w := sc.Text()
		if w != "" && !strings.HasSuffix(w, "'s") {
			m[strings.ToLower(w)] = true
		}
	}
	return m, sc.Err()
}

// withoutTown drops the town the business is in from the end of its name
// (KNOOPS RYE in Rye is KNOOPS): card statements print the brand, or the
// brand and a branch of their own.
func withoutTown(name, town string) string {
	t := strings.ToUpper(strings.TrimSpace(town))
	if t == "" || !strings.HasSuffix(name, " "+t) {
		return name
	}
	return strings.TrimSpace(strings.TrimSuffix(name, t))
}

// readCSV calls fn with the name, type and town of every row of a CSV file.
func readCSV(path string, fn func(name, typ, town string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	ni, ti, wi, oi := -1, -1, -1, -1
	museums := false
	for i, h := range head {
		switch strings.ToLower(strings.NewReplacer("_", "", " ", "").Replace(strings.TrimSpace(h))) {
		case "town", "localauthorityname", "villagetownorcity", "vtsaddressline14":
			wi = i
		case "businessname", "name", "tradingname":
			ni = i
		case "nameofmuseum":
			ni, museums = i, true
		case "stillopen":
			oi = i
		case "businesstype":
			ti = i
		}
	}
	if ni < 0 {
		return fmt.Errorf("%s: no business name column in %q", path, head)
	}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		town := ""
		if wi >= 0 && wi < len(rec) {
			town = rec[wi]
		}
		switch {
		case museums && ni < len(rec):
			if oi < 0 || oi < len(rec) && rec[oi] == "TRUE" { // closed museums sell nothing
				fn(rec[ni], museumType, town)
			}
		case ti < 0 && ni < len(rec):
			fn(rec[ni], "", town)
		case ni < len(rec) && ti < len(rec):
			if t := strings.TrimSpace(rec[ti]); t != "" {
				fn(rec[ni], t, town)
			}
		}
	}
}
