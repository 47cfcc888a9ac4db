// Package categorize turns a bank's raw transaction descriptor into a seller
// name and a category of Tally's taxonomy, for banks in the US, Canada, the
// UK and Ireland, continental Europe, the Nordic and Baltic countries,
// Australia, New Zealand, Singapore, Brazil and Japan.
//
// An [Engine] reads the descriptor once into words, without regular
// expressions or allocations (but for a line in full-width or half-width
// forms, folded first: ＡＭＡＺＯＮ, ﾛｰｿﾝ). Reading, it folds accented Latin
// letters (LØNN is LONN), keeps dates, times and amounts out of names (16.09.,
// 11:32, 23,55), splits MT940 subfields and structured SEPA fields (/NAME/,
// NAAM:, EREF+), and skips card and channel words in the bank's language
// (POS, Kartenzahlung, BEA, PRLV, Compra, Kortkjøp), processor and wallet
// prefixes (SQ *, PAYPAL *, VIPPS *, APPLE PAY), terminal ids, IBANs and
// BICs, and trailing towns, states and country codes. It then decides in
// this order:
//
//  1. built-in rules for lines that name no seller, in the languages above:
//     payroll, pensions and benefits, card payments, transfers between own
//     accounts, peer-to-peer payments (Zelle, Bizum, Swish, PIX, Interac
//     e-Transfer, ...), interest, dividends, investments, bank, card and FX
//     fees, taxes, rent, cash withdrawals, checks;
//  2. the OFX transaction type when it settles the matter (INT, DIV, FEE,
//     SRVCHG, ATM, CASH, DIRECTDEP);
//  3. the seller [Dictionary]: the longest run of the name's words that spells
//     a seller or an alias, then a truncated prefix of one;
//  4. the merchant category code, when the institution sent one;
//  5. a registered local business whose trade its name does not say
//     ([LocalSellers]: BALANS SOHO is a restaurant);
//  6. keywords in the name (PIZZA, APOTHEKE, BOULANGERIE, KAPPER), a known
//     seller named anywhere else in the line (a SEPA remittance text),
//     keywords anywhere, compound-word stems (STADTAPOTHEKE), an open-data
//     seller that is the whole name, payment-rail words (Überweisung,
//     virement, standing order), Japanese bank and trade words (手数料,
//     利息, スイドウ) and the remaining transaction types.
//
// A descriptor the engine cannot read (empty, binary, invalid UTF-8, very
// long, neither Latin letters nor Japanese) is uncategorized with a
// Result.Reason.
// [Engine.CategorizeWith] adds the user's own history: a seller the user
// filed by hand keeps their category. Crowd votes and the user's rules come
// later, outside this package: they override what it decides, and a
// category set by hand is final.
package categorize

import (
	"strings"
	"sync"

	"github.com/tallyhq/tally"
)

// Input is one transaction as the institution described it.
type Input struct {
	Description string // the raw descriptor: OFX NAME, a CSV's description column
	Memo        string // OFX MEMO; consulted when the description decides nothing
	Amount      int64  // minor units; negative means money left the account
	Type        string // OFX TRNTYPE in upper case: DEBIT, CREDIT, INT, DIV, FEE, XFER, ...
	MCC         string // merchant category code or SIC code, if known
}

// Result is the decision for one transaction.
type Result struct {
	Merchant string // display name: "Whole Foods Market", "Joe's Pizza"
	// Key identifies the seller for crowd votes and user rules: the
	// dictionary id for a known seller, the name's words in upper case for
	// an unknown one, "" when the line names no seller (a transfer).
	Key      string
	Category string // a category id; tally.Uncategorized when nothing matched
	Source   string // tally.SourceDictionary, tally.SourceMCC, tally.SourceRule (the user's history, see CategorizeWith) or tally.SourceNone
	Matched  string // what decided, for explanations: "seller:whole_foods", "rule:payroll", "mcc:5411", "type:INT", "local:PANAHAR", "history:JOES PIZZA"
	// Reason says why the descriptor could not be read at all ("empty
	// descriptor", "invalid UTF-8", ...); the category is then
	// tally.Uncategorized. It is "" for every line the engine read.
	Reason string
}

// Merchant is a normalized seller.
type Merchant struct {
	Key  string // as Result.Key
	Name string // as Result.Merchant
}

// Engine categorizes transactions. It is immutable and safe for concurrent use.
type Engine struct {
	dict  *Dictionary
	local *LocalSellers
}

// New returns an Engine over the embedded seller dictionary and list of
// local businesses.
func New() *Engine { return NewEngine(DefaultDictionary()) }

// NewEngine returns an Engine over d and the embedded list of local
// businesses.
func NewEngine(d *Dictionary) *Engine { return &Engine{dict: d, local: DefaultLocalSellers()} }

// WithLocal returns a copy of e that consults l (nil for none) for local
// businesses instead of the embedded list.
func (e *Engine) WithLocal(l *LocalSellers) *Engine { return &Engine{dict: e.dict, local: l} }

// Dictionary returns the engine's seller dictionary.
func (e *Engine) Dictionary() *Dictionary { return e.dict }

var defaultEngine = sync.OnceValue(New)

// Normalize returns the display name of the seller in a raw descriptor, using
// the embedded dictionary: "Whole Foods Market" for "WHOLEFDS HOU 10236", and
// a cleaned, title-cased name for unknown sellers ("Joe's Pizza" for
// "TST* JOE'S PIZZA").
func Normalize(description string) string {
	return defaultEngine().Merchant(description).Name
}

// Merchant returns the normalized seller of a raw descriptor.
func (e *Engine) Merchant(description string) Merchant {
	r := e.Categorize(Input{Description: description})
	return Merchant{Key: r.Key, Name: r.Merchant}
}

// Categorize decides the merchant and category of one transaction. A
// descriptor that cannot be read (empty, binary, not UTF-8, very long, or in
// a script other than Latin and Japanese) is not tokenized: the memo, the
// transaction type and the MCC may still decide, and when they do not the
// result is uncategorized with the Reason. A line in kanji alone that
// nothing decided gets ReasonKanji: it may be Chinese.
func (e *Engine) Categorize(in Input) Result {
	var sc scan
	desc, reason := readable(in.Description)
	if reason != "" {
		desc = ""
	}
	r := e.categorize(&sc, desc, in, true)
	ja := sc.ja
	if r.Source == tally.SourceNone && in.Memo != "" {
		if memo, why := readable(in.Memo); why == "" {
			if m := e.categorize(&sc, memo, in, false); m.Source != tally.SourceNone {
				return m
			}
		}
	}
	if r.Source == tally.SourceNone {
		r.Reason = reason
		if reason == "" && ja && kanjiOnly(desc) {
			r.Reason = ReasonKanji
		}
	}
	return r
}

func (e *Engine) categorize(sc *scan, desc string, in Input, useType bool) Result {
	sc.tokenize(desc)
	sc.findSpan()
	if r, at := sc.strongRule(in.Amount); r != nil {
		if r.matched == "rule:topup" && sc.ns > 0 {
			// EE TOP UP, LEBARA TOPUP, OYSTER TOP UP: credit for a phone
			// or for fares, not money moved between one's accounts.
			if i := e.findSeller(sc); i >= 0 && (e.dict.category(i) == "mobile_phone" || e.dict.category(i) == "public_transportation") {
				return e.sellerResult(i)
			}
		}
		res := Result{Category: r.category, Source: tally.SourceDictionary, Matched: r.matched}
		if r.label != "" {
			res.Merchant = r.label
		} else {
			res.Merchant, res.Key = sc.nameWithout(at, at+len(r.words))
		}
		return res
	}

	seller, generated := int32(-1), int32(-1)
	if sc.ns > 0 {
		seller = e.findSeller(sc)
	} else if sc.n == 1 && sc.tok[0].kind == tokRef {
		// O2: a name of a letter and a digit alone is the name, not a
		// till number.
		seller = e.dict.exact(sc.keyOf(&sc.tok[0]))
	}
	if seller >= 0 && sc.n >= 4 {
		// HILTON PARK N/E COSTA: a motorway service area named like a
		// known seller; the shop after the side of the road is the seller.
		if k := sc.serviceAreaShop(); k != "" {
			if i := e.dict.exact([]byte(k)); i >= 0 && !e.dict.generated(i) {
				seller = i
			}
		}
	}
	if seller >= 0 && e.dict.generated(seller) {
		seller, generated = -1, seller // decides only when nothing else does
	}
	if seller >= 0 && !e.dict.platform(seller) && sc.ns > 1 && e.twoLetterName(sc, seller) {
		// MS AUTO CENTRE is not M&S: a seller known by two letters yields
		// to a trade word right after them that files it elsewhere (BP
		// SOLIHULL CONVENIENCE still sells fuel).
		if r := sc.weakRule(in.Amount, false); r != nil && string(sc.keyOf(&sc.tok[sc.span[1]])) == r.words[0] &&
			tally.TopLevel(r.category) != tally.TopLevel(e.dict.category(seller)) {
			seller = -1
		}
	}
	var shopWord *rule // a keyword naming the trade of the shop behind a platform
	if seller >= 0 && e.dict.platform(seller) {
		// PayPal (Europe) ... Ihr Einkauf bei Spotify: the shop named later
		// in the line, when there is one, is the seller; else a trade word
		// after the platform (PAYPAL *SMITHS FLORIST) says what was bought.
		if i := e.findSellerAnywhere(sc); i >= 0 {
			seller = i
		} else if sc.wordFlags(int(sc.span[0]))&wProc != 0 {
			// Only a payment processor (PAYPAL, KLARNA): Apple's and
			// Google's own words (APPLE STORE, GOOGLE STORAGE) are theirs.
			if shopWord = sc.weakRule(in.Amount, true); shopWord == nil {
				shopWord = sc.compound(in.Amount) // PAYPAL *SIGNSDIRECT
			}
			if shopWord == nil {
				// PAYPAL *KJSIGNS, PAYPAL *SIGNWORLD: the shop's name is
				// most often its web address's, read as one.
				shopWord = sc.webCompound(in.Amount)
			}
		} else if e.dict.category(seller) == "entertainment" {
			if r := sc.weakRule(in.Amount, true); r != nil && tally.TopLevel(r.category) == "education" {
				// EB PRIMARY CONFERENCE: a course, a training day or a
				// conference booked through a ticket platform is
				// education.
				shopWord = r
			}
		}
	}
	var res Result
	if seller >= 0 {
		res = e.sellerResult(seller)
		if shopWord != nil {
			res.Category, res.Matched = shopWord.category, shopWord.matched
		}
	} else {
		res.Merchant, res.Key = sc.name()
	}

	if useType && in.Type != "" {
		if t, ok := typeRules[in.Type]; ok {
			if c := t.pick(in.Amount); c != "" {
				res.Category, res.Source, res.Matched = c, tally.SourceDictionary, t.matched
				return res
			}
		}
	}
	if seller >= 0 {
		if res.Category == "financial" {
			// An insurer that sells every kind: the line may say which.
			if r := sc.weakRule(in.Amount, true); r != nil && strings.HasSuffix(r.category, "_insurance") {
				res.Category, res.Matched = r.category, r.matched
			} else if st := sc.stem(); st != nil && strings.HasSuffix(st.category, "_insurance") {
				res.Category, res.Matched = st.category, st.matched
			}
		}
		return res
	}
	if in.MCC != "" {
		if m, ok := mccRules[in.MCC]; ok {
			res.Category, res.Source, res.Matched = m.category, tally.SourceMCC, m.matched
			return res
		}
	}
	if k := sc.serviceAreaShop(); k != "" {
		if i := e.dict.exact([]byte(k)); i >= 0 && !e.dict.generated(i) {
			return e.sellerResult(i)
		}
	}
	if sc.postOfficeBranch() {
		if i := e.dict.exact([]byte("POSTOFFICE")); i >= 0 {
			return e.sellerResult(i)
		}
	}
	// A registered local business: its whole name decides before trade
	// words, its first words only after them.
	local, whole := e.local.match(sc)
	if local >= 0 && whole {
		return e.local.result(res, local)
	}
	if r := sc.weakRule(in.Amount, false); r != nil {
		res.Category, res.Source, res.Matched = r.category, tally.SourceDictionary, r.matched
		return res
	}
	if sc.ns >= 2 && sc.wordFlags(int(sc.span[0]))&wTitle != 0 {
		res.Category, res.Source, res.Matched = "doctor", tally.SourceDictionary, "rule:doctor_title"
		return res
	}
	// The name the span found is not known: a known seller elsewhere in the
	// line (after SEPA codes, in a remittance text), then keywords anywhere.
	if i := e.findSellerAnywhere(sc); i >= 0 {
		return e.sellerResult(i)
	}
	if r := sc.weakRule(in.Amount, true); r != nil {
		res.Category, res.Source, res.Matched = r.category, tally.SourceDictionary, r.matched
		return res
	}
	if st := sc.stem(); st != nil {
		res.Category, res.Source, res.Matched = st.category, tally.SourceDictionary, st.matched
		return res
	}
	if generated >= 0 {
		return e.sellerResult(generated)
	}
	if local >= 0 {
		return e.local.result(res, local)
	}
	if sc.ns > 0 {
		// A known seller glued to the word after it, or an open-data brand
		// followed by words the engine does not know (a branch, a town).
		if i := e.dict.glued(sc); i >= 0 {
			return e.sellerResult(i)
		}
		if i := e.dict.leading(sc); i >= 0 {
			return e.sellerResult(i)
		}
	}
	if r := sc.compound(in.Amount); r != nil {
		res.Category, res.Source, res.Matched = r.category, tally.SourceDictionary, r.matched
		return res
	}
	if r, _ := sc.findRule(lex.transfer, func(w *wordInfo) []int32 { return w.transfer }, in.Amount); r != nil {
		res.Category, res.Source, res.Matched = r.category, tally.SourceDictionary, r.matched
		if in.Amount > 0 && sc.fromCompany() {
			// PRZELEW KRAJOWY ... OD: WHIRLPOOL POLSKA SPOLKA AKCYJNA:
			// money sent in from a company is earnings, not one's own
			// money moved. (A card refund from a shop names no rail.)
			res.Category, res.Matched = "income", companyCredit
		}
		return res
	}
	if in.Amount <= 0 && sc.academicDomain() {
		// WWW.LEEDSTRINITY.AC.UK: a payment on a university's or a
		// college's site is a fee, a course or a conference.
		res.Category, res.Source, res.Matched = "tuition", tally.SourceDictionary, "rule:academic_domain"
		return res
	}
	if in.Amount <= 0 && sc.webName() {
		if r := sc.webCompound(in.Amount); r != nil {
			res.Category, res.Source, res.Matched = r.category, tally.SourceDictionary, r.matched
			return res
		}
		if c, w := sc.webTerm(); c != "" {
			res.Category, res.Source, res.Matched = c, tally.SourceDictionary, termMatched+w
			return res
		}
		// WWW.BALLICOM.CO.UK, TIESPLANET.COM: a web address that names no
		// known seller and no trade is, most often, a web shop.
		res.Category, res.Source, res.Matched = "shopping", tally.SourceDictionary, "rule:web_shop"
		return res
	}
	if c, w := sc.japaneseTerm(in.Amount); c != "" {
		res.Category, res.Source, res.Matched = c, tally.SourceDictionary, japaneseMatched+w
		return res
	}
	if c, w := sc.tradeTerm(); c != "" {
		res.Category, res.Source, res.Matched = c, tally.SourceDictionary, termMatched+w
		return res
	}
	if useType && in.Type != "" {
		if t, ok := typeFallbacks[in.Type]; ok {
			if c := t.pick(in.Amount); c != "" {
				res.Category, res.Source, res.Matched = c, tally.SourceDictionary, t.matched
				return res
			}
		}
	}
	res.Category, res.Source = tally.Uncategorized, tally.SourceNone
	return res
}

// serviceAreaAbbrev are the short names motorway service areas print for
// the shops inside them (LEIGH DELAMERE S/W COS).
var serviceAreaAbbrev = map[string]string{"COS": "COSTA", "BK": "BK", "WHS": "WHSMITH"}

// serviceAreaShop returns the seller key of the shop a UK motorway service
// area's line names last, after the side of the road it is on (N/E, S/W,
// N/B), by its short name or its own: CHERWELL V. N/E BK is the Burger
// King there. It returns "" for any other line.
func (sc *scan) serviceAreaShop() string {
	if sc.n < 3 || !roadSide(sc.s) {
		return ""
	}
	side := false
	for i := 0; i+1 < sc.n-1; i++ {
		a, b := sc.keyOf(&sc.tok[i]), sc.keyOf(&sc.tok[i+1])
		if len(a) == 1 && len(b) == 1 && strings.IndexByte("NSEW", a[0]) >= 0 && strings.IndexByte("NSEWB", b[0]) >= 0 &&
			sc.s[sc.tok[i].raw1] == '/' && sc.tok[i+1].raw0 == sc.tok[i].raw1+1 {
			side = true
			break
		}
	}
	if !side {
		return ""
	}
	last := sc.keyOf(&sc.tok[sc.n-1])
	if a, ok := serviceAreaAbbrev[string(last)]; ok {
		return a
	}
	return string(last) // HILTON PARK N/E COSTA
}

// roadSide reports whether s holds a letter of the compass, a slash and
// another (N/E, S/W, N/B) with no other letter on either side: the cheap
// test before serviceAreaShop reads the tokens.
func roadSide(s string) bool {
	for i := strings.IndexByte(s, '/'); i >= 0; {
		if i > 0 && i+1 < len(s) && strings.IndexByte("NSEWnsew", s[i-1]) >= 0 && strings.IndexByte("NSEWBnsewb", s[i+1]) >= 0 &&
			(i == 1 || !isLetter(s[i-2])) && (i+2 == len(s) || !isLetter(s[i+2])) {
			return true
		}
		j := strings.IndexByte(s[i+1:], '/')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// postOfficeBranch reports whether the line is a Post Office branch as
// UK card schemes print it: PO, the branch's place, its branch number
// (PO ROOKERY RD 1271). PO alone opens other names (PO FUNG).
func (sc *scan) postOfficeBranch() bool {
	if sc.n < 3 || string(sc.keyOf(&sc.tok[0])) != "PO" {
		return false
	}
	last := &sc.tok[sc.n-1]
	return last.kind == tokNum && last.key1-last.key0 >= 3 && last.key1-last.key0 <= 5 && sc.tok[1].kind == tokWord
}

// twoLetterName reports whether seller i was found by the name's first
// word alone and that word has two letters or fewer (M&S, EE, BP).
func (e *Engine) twoLetterName(sc *scan, i int32) bool {
	k := sc.keyOf(&sc.tok[sc.span[0]])
	return len(k) <= 2 && e.dict.exact(k) == i
}

func (e *Engine) sellerResult(i int32) Result {
	d := e.dict
	return Result{Merchant: d.name(i), Key: d.id(i), Category: d.category(i),
		Source: tally.SourceDictionary, Matched: d.matched(i)}
}

// findSellerAnywhere looks for a hand-listed seller named by one to three
// consecutive words anywhere in the descriptor, first match wins. It runs
// only when the span named nothing known, so its cost is paid by unknown
// lines alone.
func (e *Engine) findSellerAnywhere(sc *scan) int32 {
	d := e.dict
	var buf [maxKey]byte
	for i := 0; i < sc.n; i++ {
		if sc.tok[i].kind != tokWord || sc.tok[i].key1-sc.tok[i].key0 < 2 {
			continue
		}
		short := sc.tok[i].key1-sc.tok[i].key0 < 3 // NS GROEP: a two-letter name needs a second word
		if f := sc.wordFlags(i); f&(wLead|wNoise|wTLD|wState|wCountry|wProc|wProcLoose) != 0 {
			continue
		}
		n, best := 0, int32(-1)
		for j := i; j < sc.n && j < i+3 && sc.tok[j].kind == tokWord; j++ {
			k := sc.keyOf(&sc.tok[j])
			if n+len(k) > maxKey {
				break
			}
			n += copy(buf[n:], k)
			if s := d.exact(buf[:n]); s >= 0 && !d.generated(s) && !d.platform(s) && (!short || j > i) {
				best = s
			}
			if sc.tok[j].split {
				break
			}
		}
		if best >= 0 {
			return best
		}
	}
	return -1
}

// findSeller matches the span against the dictionary: from its start, then
// after a '*' (an unknown processor's prefix), then without a short first
// word. A platform seller yields to a known seller named after it
// ("GOOGLE *YOUTUBE", "PAYPAL NETFLIX").
func (e *Engine) findSeller(sc *scan) int32 {
	d := e.dict
	nameEnd := sc.nameEnd()
	i, end := d.match(sc, 0, sc.ns, nameEnd)
	if i >= 0 {
		if d.platform(i) && end < sc.ns {
			from := end
			if sc.starAt > end {
				from = sc.starAt
			}
			if j, _ := d.match(sc, from, sc.ns, sc.ns); j >= 0 {
				return j
			}
		}
		return i
	}
	if sc.starAt > 0 {
		if i, _ = d.match(sc, sc.starAt, sc.ns, sc.ns); i >= 0 {
			return i
		}
	}
	if i < 0 {
		i = d.matchWithNumber(sc)
	}
	if i < 0 {
		i = d.matchWithThe(sc)
	}
	if i < 0 && sc.ns > 1 && sc.wordFlags(int(sc.span[0]))&wTitle == 0 {
		if t := &sc.tok[sc.span[0]]; t.key1-t.key0 <= 3 {
			i, _ = d.match(sc, 1, sc.ns, nameEnd)
		}
	}
	if i < 0 && sc.ns > 0 {
		i = d.japanesePrefix(sc)
	}
	if t := &sc.tok[sc.span[0]]; i < 0 && sc.ns > 0 && t.split && t.raw1-t.raw0 <= maxKey {
		// FOREVER21, HUK24: the number the tokenizer took for a store
		// number glued to the name is part of the name.
		var buf [maxKey]byte
		if k := sc.gluedKey(t, buf[:0]); k != nil {
			i = d.exact(k)
		}
	}
	return i
}

// name returns the display name and key of an unknown seller.
func (sc *scan) name() (string, string) { return sc.nameWithout(-1, -1) }

// nameWithout is name without the words tok[from:to] (a rule's phrase) when
// they open or close the name and other words remain: "ACME CORP PAYROLL"
// is "Acme Corp".
func (sc *scan) nameWithout(from, to int) (string, string) {
	start, end := 0, sc.nameEnd()
	if end > 1 && from >= 0 {
		n := to - from
		switch {
		case int(sc.span[0]) == from && n < end && int(sc.span[n-1]) == to-1:
			start = n
		case int(sc.span[end-1]) == to-1 && n < end && int(sc.span[end-n]) == from:
			end -= n
		}
	}
	if end == 0 {
		// Nothing but card words and numbers: show the words there are.
		sc.ns, sc.starAt = 0, -1
		for i := 0; i < sc.n && sc.ns < maxSpan; i++ {
			if sc.tok[i].kind == tokWord {
				sc.span[sc.ns] = int8(i)
				sc.ns++
			}
		}
		end = sc.ns
	}
	return sc.nameAndKey(start, end)
}

func signOK(sign int8, amount int64) bool {
	return sign == 0 || sign > 0 && amount >= 0 || sign < 0 && amount <= 0
}

// strongRule returns the highest-priority built-in rule whose phrase occurs
// anywhere in the descriptor, or nil. A channel phrase (a rule without a
// category) that outranks the others means no rule.
func (sc *scan) strongRule(amount int64) (*rule, int) {
	r, at := sc.findRule(lex.strong, func(w *wordInfo) []int32 { return w.strong }, amount)
	if r != nil && r.category == "" {
		return nil, -1
	}
	return r, at
}

// findRule returns the highest-priority rule of list whose phrase occurs
// anywhere in the descriptor, and where it starts.
func (sc *scan) findRule(list []rule, of func(*wordInfo) []int32, amount int64) (*rule, int) {
	var best *rule
	at := -1
	for i := 0; i < sc.n; i++ {
		w := sc.tok[i].word
		if w < 0 {
			continue
		}
	next:
		for _, ri := range of(&lex.words[w]) {
			r := &list[ri]
			if best != nil && r.prio >= best.prio || !signOK(r.sign, amount) {
				continue
			}
			if need := r.need &^ (fNumNext | fNoStar); need != 0 && sc.flags&need == 0 {
				continue
			}
			end := i + len(r.words)
			if end > sc.n {
				continue
			}
			for k := 1; k < len(r.words); k++ {
				if !sc.wordIs(i+k, r.words[k]) {
					continue next
				}
			}
			if r.need&fNumNext != 0 && end < sc.n && sc.tok[end].kind != tokNum && sc.tok[end].kind != tokDate {
				continue
			}
			if r.need&fNoStar != 0 && end < sc.n && sc.tok[end].sep&sepStar != 0 {
				continue
			}
			best, at = r, i
		}
	}
	return best, at
}

// weakRule returns the highest-priority keyword rule whose phrase occurs
// in the seller's name, or anywhere in the descriptor's words when anywhere
// is set, or nil.
func (sc *scan) weakRule(amount int64, anywhere bool) *rule {
	var idx [maxTokens]int8
	words := idx[:0]
	if anywhere {
		for i := 0; i < sc.n; i++ {
			if sc.tok[i].kind == tokWord {
				words = append(words, int8(i))
			}
		}
	} else {
		words = append(words, sc.span[:sc.nameEnd()]...)
	}
	var best *rule
	for j := range words {
		w := sc.tok[words[j]].word
		if w < 0 {
			continue
		}
	next:
		for _, ri := range lex.words[w].weak {
			r := &lex.weak[ri]
			if best != nil && r.prio >= best.prio || !signOK(r.sign, amount) {
				continue
			}
			if j+len(r.words) > len(words) {
				continue
			}
			if len(r.words) == 1 && j+2 < len(words) && sc.wordFlags(int(words[j+1]))&wStreet != 0 {
				// MARKET STREET INN: the street the inn is on, where a
				// name goes on after it (PIZZA STREET is a pizzeria).
				continue
			}
			for k := 1; k < len(r.words); k++ {
				if !sc.wordIs(int(words[j+k]), r.words[k]) {
					continue next
				}
			}
			best = r
		}
	}
	return best
}

// stem returns the compound-word stem that one of the descriptor's unknown
// words starts or ends with, or nil.
func (sc *scan) stem() *stemRule {
	for i := 0; i < sc.n; i++ {
		t := &sc.tok[i]
		if t.kind != tokWord || t.word >= 0 || t.key1-t.key0 < 6 {
			continue
		}
		k := sc.keyOf(t)
		// Only the stems that begin with the word's first letter or end
		// with its last can match; they are tried in stemRules' order.
		a, b := stemsByFirst[k[0]], stemsByLast[k[len(k)-1]]
		for len(a) > 0 || len(b) > 0 {
			var j int16
			if len(b) == 0 || len(a) > 0 && a[0] < b[0] {
				j, a = a[0], a[1:]
			} else {
				j, b = b[0], b[1:]
			}
			st := &stemRules[j]
			if len(k) <= len(st.stem) {
				continue
			}
			if st.prefix && string(k[:len(st.stem)]) == st.stem || !st.prefix && string(k[len(k)-len(st.stem):]) == st.stem {
				return st
			}
		}
	}
	return nil
}

// compound returns the one-word keyword rule that an unknown word of the
// name is the plural of (DINERS, SKATES), or that it ends or, failing
// that, begins with, when at least three letters are left beside it:
// TONERGIANT, TICKETPRINTERS, SPRINGSIGNAGECOM. Card schemes and web
// addresses print names without their spaces. The longest keyword wins; a
// trailing UK, COM or LTD is not part of the word. It runs after the
// open-data brands: PUNCH TAVERNS is the brand.
func (sc *scan) compound(amount int64) *rule {
	for j := 0; j < sc.nameEnd(); j++ {
		t := &sc.tok[sc.span[j]]
		if t.word >= 0 {
			continue
		}
		if r := compoundWord(sc.keyOf(t), amount); r != nil {
			return r
		}
		if t.trunc {
			// SPECIALISTLIGHTIN: a card network cut the keyword that
			// ends the glued word; it completes as a cut last word does
			// when six letters of it are left (not WAREH, CENTR).
			k := sc.keyOf(t)
			for n := len(k) - 3; n >= minCompound+1; n-- {
				if r := oneWordRule(lex.lookupPrefix(k[len(k)-n:]), amount); r != nil {
					return r
				}
			}
		}
		if r := sc.compoundParts(t, amount); r != nil {
			return r
		}
	}
	return nil
}

// compoundWord is compound's test of one unknown word k.
func compoundWord(k []byte, amount int64) *rule {
	if len(k) >= 5 && k[len(k)-1] == 'S' {
		if r := keyword(k[:len(k)-1], amount); r != nil {
			return r
		}
	}
	if len(k) < minCompound+3 {
		return nil
	}
	for _, tail := range [...]string{"LIMITED", "LTD", "COUK", "COM", "UK"} {
		if len(k) >= len(tail)+minCompound+3 && string(k[len(k)-len(tail):]) == tail {
			k = k[:len(k)-len(tail)]
			break
		}
	}
	for n := len(k) - 3; n >= minCompound; n-- {
		if r := keyword(k[len(k)-n:], amount); r != nil {
			return r
		}
	}
	for n := len(k) - 3; n >= minCompound; n-- {
		if r := keyword(k[:n], amount); r != nil {
			return r
		}
	}
	// A keyword of four letters after one of the small words domains
	// join words with: ANYLAMP is "any lamp", MYGIFT "my gift".
	if j := k[:len(k)-4]; isDomainJoin(j) {
		return keyword(k[len(j):], amount)
	}
	return nil
}

// isDomainJoin reports whether k is one of domainJoins.
func isDomainJoin(k []byte) bool {
	for _, j := range domainJoins {
		if string(k) == j {
			return true
		}
	}
	return false
}

// compoundParts tries the parts of a word that web addresses join with
// hyphens or with a 2 or 4 standing for "to" and "for": MY-TOOL-SHED,
// BEST4HEDGING, WATERFEATURES2GO. A part of four letters or more that is
// a keyword, or a compound of one, names the trade; the last part is
// tried first, as the head of an English compound comes last.
func (sc *scan) compoundParts(t *token, amount int64) *rule {
	raw := sc.s[t.raw0:t.raw1]
	var parts [8][2]int // letter runs of raw, ASCII only
	np, start := 0, -1
	for i := 0; i <= len(raw); i++ {
		letter := i < len(raw) && isLetter(raw[i]) && raw[i] < 0x80
		if letter && start < 0 {
			start = i
		}
		if !letter && start >= 0 {
			if np < len(parts) {
				parts[np] = [2]int{start, i}
				np++
			}
			start = -1
		}
		if i < len(raw) && !letter && raw[i] != '-' && raw[i] != '2' && raw[i] != '4' {
			return nil // another digit or sign: a reference, not words
		}
	}
	if np < 2 {
		return nil
	}
	var buf [maxKey]byte
	for p := np - 1; p >= 0; p-- {
		a, b := parts[p][0], parts[p][1]
		if b-a < 4 || b-a > len(buf) {
			continue
		}
		k := buf[:b-a]
		for i := range k {
			k[i] = upper(raw[a+i])
		}
		if r := keyword(k, amount); r != nil {
			return r
		}
		if r := compoundWord(k, amount); r != nil {
			return r
		}
	}
	return nil
}

// webCompound returns the keyword that a web shop's address holds
// anywhere in its unknown label, for a web address only: WORLDOFBATHS,
// GOWALLPAPER, THEGIFTCARDCENTRE. A domain is a name written without
// spaces, so its words may stand anywhere in it. The keyword that ends
// last wins, as the head of an English compound comes last, then the
// longest; a keyword's plural counts (BATHS).
func (sc *scan) webCompound(amount int64) *rule {
	for j := 0; j < sc.nameEnd(); j++ {
		t := &sc.tok[sc.span[j]]
		if t.word >= 0 {
			continue
		}
		k := labelOf(sc.keyOf(t), minCompound)
		for end := len(k); end >= minCompound; end-- {
			for start := 0; start <= end-minCompound; start++ {
				w := k[start:end]
				if r := keyword(w, amount); r != nil {
					return r
				}
				if w[len(w)-1] == 'S' && len(w) > minCompound {
					if r := keyword(w[:len(w)-1], amount); r != nil {
						return r
					}
					if r := oneWordRule(singularIES(w), amount); r != nil {
						return r // DAIRIES
					}
				}
			}
		}
		// A keyword of four letters only at the label's end or between
		// its ends and the small words that join a domain's words:
		// TOBABYANDBEYOND, ANYLAMPUK, LAMBEGGOLFSHOP.
		for end := len(k); end >= 4; end-- {
			start := end - 4
			// The keyword that ends a label of more words is its head
			// (GENERALLAMP, EASYGIFT); elsewhere the words around it
			// must be the small ones.
			head := end == len(k) && start >= 4
			if !head && (!joinedBefore(k[:start]) || !joinedAfter(k[end:], amount)) {
				continue
			}
			if r := keyword(k[start:end], amount); r != nil {
				return r
			}
		}
	}
	return nil
}

// labelOf is a web label k without the domain or company form glued to
// its end (THEPIHUTCOUK, FLASHBAYLTD), when more than min letters are left.
func labelOf(k []byte, min int) []byte {
	for _, tail := range [...]string{"COUK", "COM", "UK", "LTD"} {
		if len(k) > len(tail)+min && string(k[len(k)-len(tail):]) == tail {
			return k[:len(k)-len(tail)]
		}
	}
	return k
}

// singularIES looks up the singular of a plural in -IES (DAIRIES, DAIRY).
func singularIES(w []byte) int32 {
	n := len(w)
	if n < 6 || string(w[n-3:]) != "IES" {
		return -1
	}
	var buf [maxKey]byte
	if n-2 > len(buf) {
		return -1
	}
	k := append(buf[:0], w[:n-3]...)
	k = append(k, 'Y')
	return lex.lookup(k)
}

// domainJoins are the small words domains put between their words.
var domainJoins = [...]string{"THE", "AND", "OF", "FOR", "MY", "ANY", "GO", "TO", "4", "2", "UK", "DIRECT", "ONLINE", "SHOP", "STORE", "WORLD"}

// joinedBefore reports whether k, what comes before a word of a web label,
// is nothing or ends with a joining word.
func joinedBefore(k []byte) bool {
	if len(k) == 0 {
		return true
	}
	for _, j := range domainJoins {
		if len(k) >= len(j) && string(k[len(k)-len(j):]) == j {
			return true
		}
	}
	return false
}

// joinedAfter reports whether k, what follows a word of a web label, is
// nothing, opens with a joining word or is a keyword itself (GOLFSHOP).
func joinedAfter(k []byte, amount int64) bool {
	if len(k) == 0 {
		return true
	}
	for _, j := range domainJoins {
		if len(k) >= len(j) && string(k[:len(j)]) == j {
			return true
		}
	}
	return len(k) >= 4 && keyword(k, amount) != nil
}

// minCompound is the shortest keyword compound finds inside a word.
const minCompound = 5

// keyword is oneWordRule of the word spelled k. Most of the pieces of
// words compound and webCompound try are no keyword, and most of those are
// told by their shape without a lookup.
func keyword(k []byte, amount int64) *rule {
	if lex.keywordShapes[shape(k)]&lenBit(len(k)) == 0 {
		return nil
	}
	return oneWordRule(lex.lookup(k), amount)
}

// oneWordRule returns the highest-priority keyword rule that word w is the
// whole phrase of, or nil; card, channel and company words have none.
func oneWordRule(w int32, amount int64) *rule {
	if w < 0 || lex.words[w].flags != 0 {
		return nil
	}
	var best *rule
	for _, ri := range lex.words[w].weak {
		r := &lex.weak[ri]
		if len(r.words) == 1 && signOK(r.sign, amount) && (best == nil || r.prio < best.prio) {
			best = r
		}
	}
	return best
}

type stemRule struct {
	prefix   bool
	stem     string
	category string
	matched  string
}

var stemRules = func() []stemRule {
	out := make([]stemRule, len(stems))
	for i, s := range stems {
		out[i] = stemRule{s.prefix, s.stem, s.category, "stem:" + s.stem}
	}
	return out
}()

// stemsByFirst[c] lists, in order, the indexes into stemRules of the
// prefix stems that begin with byte c; stemsByLast[c] those of the suffix
// stems that end with it.
var stemsByFirst, stemsByLast = func() (first, last [256][]int16) {
	for j, st := range stemRules {
		if st.prefix {
			first[st.stem[0]] = append(first[st.stem[0]], int16(j))
		} else {
			last[st.stem[len(st.stem)-1]] = append(last[st.stem[len(st.stem)-1]], int16(j))
		}
	}
	return first, last
}()

type typeRule struct{ in, out, matched string }

func (t typeRule) pick(amount int64) string {
	if amount < 0 {
		return t.out
	}
	return t.in
}

type mccRule struct{ category, matched string }

var (
	typeRules     = make(map[string]typeRule, len(typeCategory))
	typeFallbacks = make(map[string]typeRule, len(typeFallback))
	mccRules      = make(map[string]mccRule, len(mccCategory))
)

func init() {
	for k, v := range typeCategory {
		typeRules[k] = typeRule{v.in, v.out, "type:" + k}
	}
	for k, v := range typeFallback {
		typeFallbacks[k] = typeRule{v.in, v.out, "type:" + k}
	}
	for k, v := range mccCategory {
		mccRules[k] = mccRule{v, "mcc:" + k}
	}
}

// companyCredit is Result.Matched when money in from a company decided.
const companyCredit = "rule:company_credit"

// companyForms are the legal forms that mark a company among a line's
// words, in the languages of Europe and English: a payer named with one is
// a business, not a person or one's own account.
var companyForms = map[string]bool{
	"LTD": true, "LIMITED": true, "PLC": true, "LLP": true, "INC": true, "LLC": true, "CORP": true,
	"GMBH": true, "MBH": true, "KG": true, "OHG": true, "SARL": true, "SAS": true, "SRL": true, "SPA": true,
	"BV": true, "NV": true, "SL": true, "SLU": true, "LTDA": true, "OY": true, "OYJ": true, "ASA": true,
	"APS": true, "KFT": true, "SPOLKA": true, "AKCYJNA": true, "SPZOO": true,
}

// dottedForms are the company forms written as letters with dots.
var dottedForms = map[string]bool{"BV": true, "NV": true, "SA": true, "SL": true, "SPA": true, "SRL": true, "SAS": true, "AG": true, "AB": true, "AS": true}

// fromCompany reports whether a word of the line is a company's legal
// form (GMBH, B.V., LTD, SPÓŁKA), or the letters of one written with
// dots: SP. Z O.O., S.A.
func (sc *scan) fromCompany() bool {
	for i := 0; i < sc.n; i++ {
		t := &sc.tok[i]
		if t.kind != tokWord {
			continue
		}
		k := sc.keyOf(t)
		if companyForms[string(k)] {
			return true
		}
		if string(k) == "SP" && i+3 < sc.n && sc.wordIs(i+1, "Z") && sc.wordIs(i+2, "O") && sc.wordIs(i+3, "O") {
			return true
		}
		if len(k) == 1 {
			// B.V., S.A., S.P.A.: single letters joined by dots.
			var form [4]byte
			n := copy(form[:], k)
			for j := i + 1; j < sc.n && n < len(form) && sc.tok[j].sep&sepDot != 0 && sc.tok[j].key1-sc.tok[j].key0 == 1; j++ {
				form[n] = sc.key[sc.tok[j].key0]
				n++
			}
			if n > 1 && dottedForms[string(form[:n])] {
				return true
			}
		}
	}
	return false
}
