package categorize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	maxDesc   = 256 // bytes of a descriptor looked at; banks send 32 to 100
	maxTokens = 48
	maxSpan   = 8 // words of a seller name looked at
	maxKey    = 96
)

// Separator flags: what came between a token and the previous one.
const (
	sepStar uint8 = 1 << iota
	sepHash
	sepDot
	sepColon
)

// Token kinds.
const (
	tokWord uint8 = iota // letters, perhaps one digit (7-ELEVEN)
	tokNum               // digits only: a store number, date, phone or amount
	tokRef               // letters and digits mixed: a reference or masked card number
	tokDate              // digits with punctuation: a date, time or amount (16.09., 11:32, 23,55)
)

type token struct {
	raw0, raw1 int16 // span in the descriptor
	key0, key1 int16 // span in scan.key: uppercase letters and digits only
	sep        uint8
	kind       uint8
	split      bool  // CHEVRON0301234: the letters were kept, a store number followed
	trunc      bool  // the last word of a descriptor cut at 18, 22, 25 or 32 characters
	word       int32 // index into lex.words, -1 for none
}

// scan is the tokenized descriptor. It lives on the caller's stack: scanning
// allocates nothing.
type scan struct {
	s     string
	key   [maxDesc]byte
	tok   [maxTokens]token
	n     int
	flags uint32 // union of the flags of all words
	web   bool   // a word was a web address written without its dots
	ja    bool   // a word holds kana or kanji

	span   [maxSpan]int8 // indexes into tok of the seller name's words
	ns     int
	starAt int // index into span of the first word after a '*', -1 for none
}

func (sc *scan) keyOf(t *token) []byte { return sc.key[t.key0:t.key1] }

// wordIs reports whether token i, a later word of a phrase, spells w, or
// begins it when the token is a truncated last word of two letters or more
// (MINI GOL is MINI GOLF, SERVICE ST is SERVICE STATION): the words before
// it have matched the phrase already.
func (sc *scan) wordIs(i int, w string) bool {
	k := sc.keyOf(&sc.tok[i])
	if string(k) == w {
		return true
	}
	return sc.tok[i].trunc && len(k) >= 2 && len(k) < len(w) && w[:len(k)] == string(k)
}

func (sc *scan) wordFlags(i int) uint32 {
	if w := sc.tok[i].word; w >= 0 {
		return lex.words[w].flags
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// truncatedAt reports whether a word ending at s[i] ends a descriptor that
// is exactly as long as the merchant-name fields card networks cut names to
// (18, 22, 25 or 32 characters, trailing spaces aside; UK card
// statements cut many names at 18).
func truncatedAt(s string, i int) bool {
	n := len(s)
	for n > 0 && s[n-1] == ' ' {
		n--
	}
	return i == n && (n == 18 || n == 21 || n == 22 || n == 25 || n == 32)
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80 }

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= 0x80
}

// keyByte maps an ASCII letter or digit to its key byte (upper case) and
// every other byte to 0.
var keyByte = func() (t [256]byte) {
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c)
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c], t[c+'a'-'A'] = byte(c), byte(c)
	}
	return t
}()

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// tokenize splits s into tokens. Apostrophes, ampersands and hyphens inside a
// word join it (JOE'S, AT&T, WAL-MART, 7-ELEVEN); a slash, dot, comma or
// colon between digits joins a date, time or amount (04/23, 16.09., 23,55,
// 11:32), which is then never part of a name. Latin letters with accents are
// compared without them (MÜLLER is MULLER, LØNN is LONN). MT940 subfield
// markers (?20, >21) separate words, except where a bank cut a word at the
// end of a full 27-character field and went on in the next (?21 to ?29).
func (sc *scan) tokenize(s string) {
	if len(s) > maxDesc {
		cut := maxDesc
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut-- // not inside a character
		}
		s = s[:cut]
	}
	sc.s, sc.n, sc.flags, sc.web, sc.ja = s, 0, 0, false, false
	nkey := 0
	var sep uint8
	i := 0
	for i < len(s) && sc.n < maxTokens {
		c := s[i]
		w := 0
		if c >= 0x80 || c == '?' || c == '>' {
			w = sepWidth(s, i)
		}
		if w > 0 || !isAlnum(c) {
			switch c {
			case '*':
				sep |= sepStar
			case '#':
				sep |= sepHash
			case '.':
				sep |= sepDot
			case ':':
				sep |= sepColon
			}
			if w == 0 {
				w = 1
			}
			i += w
			continue
		}
		start, k0 := i, nkey
		hyphen := -1                     // where in key the part after the last hyphen starts
		letters, digits, lead := 0, 0, 0 // lead: letters before the first digit
		punct := false
		h := uint32(fnvOffset) // FNV-1a of sc.key[k0:nkey], for the lexicon
		for i < len(s) {
			c = s[i]
			if keyByte[c] != 0 {
				i, nkey, h, letters, digits, lead = keyRun(s, i, &sc.key, nkey, h, letters, digits, lead)
				continue
			}
			if c >= 0xC3 && c <= 0xC5 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0xBF {
				f := foldLatin[int(c-0xC3)<<6|int(s[i+1]-0x80)]
				n := copy(sc.key[nkey:], f)
				for _, b := range sc.key[nkey : nkey+n] {
					h = (h ^ uint32(b)) * fnvPrime
				}
				nkey += n
				letters++
				if digits == 0 {
					lead++
				}
				i += 2
				continue
			}
			if c >= 0x80 && sepWidth(s, i) == 0 {
				// Another byte of a letter outside Latin-1: kept as it is.
				if c >= 0xE3 && c <= 0xE9 {
					sc.ja = true // the first byte of kana or of a kanji
				}
				sc.key[nkey] = c
				nkey++
				h = (h ^ uint32(c)) * fnvPrime
				letters++
				if digits == 0 {
					lead++
				}
				i++
				continue
			}
			if (c == '?' || c == '>') && i > start && i+3 < len(s) && glued(s[i+1], s[i+2]) && isAlnum(s[i+3]) && fieldFull(s, i) {
				i += 3 // a continuation field: the word goes on
				continue
			}
			if i+1 < len(s) && isAlnum(s[i+1]) {
				if c == '-' && digits == 0 && letters >= 3 && isLetter(s[i+1]) && lex.lookupHash(sc.key[k0:nkey], h) >= 0 {
					break // a known word before a hyphen ends: PAYMENT-THANK YOU, DANKORT-NOTA
				}
				if c == '\'' || c == '&' || c == '-' {
					if c == '-' {
						hyphen = nkey
					}
					i++
					continue
				}
				if (c == '/' || c == '.' || c == ',' || c == ':') && isDigit(s[i-1]) && isDigit(s[i+1]) {
					punct = true
					i++
					continue
				}
			}
			if c == 0xE2 && i+3 < len(s) && s[i+1] == 0x80 && s[i+2] == 0x99 && isAlnum(s[i+3]) {
				i += 3 // a typographic apostrophe: JOE’S
				continue
			}
			break
		}
		t := token{raw0: int16(start), raw1: int16(i), key0: int16(k0), key1: int16(nkey), sep: sep, word: -1}
		sep = 0
		switch {
		case letters == 0:
			t.kind = tokNum
			if punct {
				t.kind = tokDate
			}
		case digits >= 2 && lead >= 3 && lead == letters && !allX(sc.key[k0:k0+lead]):
			// Letters then a number: a store number glued to the name.
			t.kind, t.split, t.key1 = tokWord, true, int16(k0+lead)
		case digits >= 2 && digits <= 4 && lead == 0 && letters >= 4 && isDigitsThenLetters(sc.key[k0:nkey]):
			t.kind = tokWord // 1-800-FLOWERS, 24HOUR
		case digits >= 2:
			t.kind = tokRef
		case digits == 1 && letters == 1 && lead == 1:
			t.kind = tokRef // K1: a till or card number
		case letters >= 4 && allX(sc.key[k0:nkey]):
			t.kind = tokRef // XXXXXXXX: a masked account number
		default:
			t.kind = tokWord
		}
		if t.kind == tokWord && t.key1-t.key0 >= 7 && string(sc.key[t.key0:t.key0+3]) == "WWW" {
			// WWWPODPOINTCOM: a web address whose dots the card scheme
			// dropped is its label.
			t.key0 += 3
			if strings.EqualFold(s[start:start+3], "WWW") {
				t.raw0 += 3
			}
			for _, tld := range [...]string{"COUK", "COM"} {
				if k := sc.key[t.key0:t.key1]; len(k) >= len(tld)+4 && string(k[len(k)-len(tld):]) == tld {
					t.key1 -= int16(len(tld))
					if i-len(tld) >= int(t.raw0) && strings.EqualFold(s[i-len(tld):i], tld) {
						t.raw1 -= int16(len(tld))
					}
					break
				}
			}
			sc.web = true
		}
		if t.kind == tokWord {
			var w int32
			if int(t.key0) == k0 && int(t.key1) == nkey {
				w = lex.lookupHash(sc.key[t.key0:t.key1], h)
			} else {
				w = lex.lookup(sc.key[t.key0:t.key1])
			}
			if w < 0 && hyphen > k0 && int(t.key1)-hyphen >= 4 {
				// BUY-STATIONERY: a trade word after the last hyphen
				// names the trade; only a keyword, never a card or
				// channel word.
				if p := lex.lookup(sc.key[hyphen:t.key1]); p >= 0 && lex.words[p].flags == 0 && lex.words[p].alone && len(lex.words[p].weak) > 0 {
					w = p
				}
			}
			if truncatedAt(s, i) {
				// ROYAL HOT, MINI GOL: a card network cut the name; the
				// word is the one rule word it begins, if only one. HOT
				// opens the phrase HOT DOG, but a last word cannot. A
				// word that means something alone (ST) stays itself, and
				// may still end a phrase cut short (SERVICE ST).
				t.trunc = true
				// A cut word that closes a phrase the word before it
				// opens stays itself: WILDLIFE PARK, not PARKING.
				// A cut word that begins the word closing such a phrase
				// completes to it, even a word of its own: GARDEN CENTR
				// is a GARDEN CENTRE, not a CENTR(AAL) station.
				if sc.n > 0 {
					if c := lex.completes(sc.tok[sc.n-1].word, sc.key[t.key0:t.key1]); c != "" && int(t.key0)+len(c) <= len(sc.key) {
						// The cut word is the last: its key may grow.
						t.key1 = t.key0 + int16(copy(sc.key[t.key0:], c))
						nkey = int(t.key1)
						w = lex.lookup(sc.key[t.key0:t.key1])
						t.trunc = false
					}
				}
				if (w < 0 || !lex.words[w].alone) && (sc.n == 0 || !lex.closes(sc.tok[sc.n-1].word, sc.key[t.key0:t.key1])) {
					if p := lex.lookupPrefix(sc.key[t.key0:t.key1]); p >= 0 || w < 0 {
						w = p
					}
				}
			}
			if w >= 0 {
				t.word = w
				sc.flags |= lex.words[w].flags
			}
		}
		sc.tok[sc.n] = t
		sc.n++
	}
}

// keyRun reads the run of ASCII letters and digits at s[i:], the most
// common bytes, into key[n:] in upper case, and adds them to the word's
// hash and counts (lead: letters before the first digit). It returns where
// the run ends in s and in key, and the new hash and counts. A loop of
// its own, with nothing else to keep, runs in registers.
func keyRun(s string, i int, key *[maxDesc]byte, n int, h uint32, letters, digits, lead int) (int, int, uint32, int, int, int) {
	for ; i < len(s); i++ {
		u := keyByte[s[i]]
		if u == 0 {
			break
		}
		key[n] = u
		n++
		h = (h ^ uint32(u)) * fnvPrime
		if u <= '9' {
			digits++
		} else {
			letters++
			if digits == 0 {
				lead++
			}
		}
	}
	return i, n, h, letters, digits, lead
}

// sepWidth is the width of a separator at s[i] that is made of bytes isAlnum
// takes for letters: a MT940 subfield marker (?20, >31) that does not
// continue a word, a Latin-1 sign or space (£, °, no-break space), typographic
// punctuation (’ “ – …) and the euro sign. It is 0 for anything else.
func sepWidth(s string, i int) int {
	switch c := s[i]; {
	case c == 0xC2:
		return 2
	case c == 0xE2 && i+2 < len(s) && (s[i+1] == 0x80 || s[i+1] == 0x82):
		return 3
	case c == 0xE3 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0x81 || s[i+2] == 0x82 || s[i+2] >= 0x88 && s[i+2] <= 0x9B):
		return 3 // Japanese commas, full stops and brackets (、。「」【】)
	case (c == '?' || c == '>') && i+2 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]):
		return 3
	}
	return 0
}

// fieldFull reports whether the MT940 subfield that ends at s[i] was filled
// to its 27 characters, so the bank may have cut a word at its end.
func fieldFull(s string, i int) bool {
	for p := i - 1; p >= 2 && p >= i-40; p-- {
		if isDigit(s[p]) && isDigit(s[p-1]) && (s[p-2] == '?' || s[p-2] == '>') {
			return i-(p+1) >= 27
		}
	}
	return false
}

// glued reports whether MT940 subfield dd continues the text of the one
// before it: ?21 to ?29 (purpose), ?33 (name), ?61 to ?63 (more purpose).
func glued(d1, d2 byte) bool {
	return d1 == '2' && d2 >= '1' && d2 <= '9' || d1 == '3' && d2 == '3' || d1 == '6' && d2 >= '1' && d2 <= '3'
}

// foldLatin spells the Latin letters U+00C0 to U+017F (UTF-8 C3 80 to C5 BF)
// in upper-case ASCII, as banks without accents print them.
var foldLatin = [192]string{"A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "SS", "A", "A", "A", "A", "A", "A", "AE", "C", "E", "E", "E", "E", "I", "I", "I", "I", "D", "N", "O", "O", "O", "O", "O", "", "O", "U", "U", "U", "U", "Y", "TH", "Y", "A", "A", "A", "A", "A", "A", "C", "C", "C", "C", "C", "C", "C", "C", "D", "D", "D", "D", "E", "E", "E", "E", "E", "E", "E", "E", "E", "E", "G", "G", "G", "G", "G", "G", "G", "G", "H", "H", "H", "H", "I", "I", "I", "I", "I", "I", "I", "I", "I", "I", "IJ", "IJ", "J", "J", "K", "K", "K", "L", "L", "L", "L", "L", "L", "L", "L", "L", "L", "N", "N", "N", "N", "N", "N", "N", "", "", "O", "O", "O", "O", "O", "O", "OE", "OE", "R", "R", "R", "R", "R", "R", "S", "S", "S", "S", "S", "S", "S", "S", "T", "T", "T", "T", "T", "T", "U", "U", "U", "U", "U", "U", "U", "U", "U", "U", "U", "U", "W", "W", "Y", "Y", "Y", "Z", "Z", "Z", "Z", "Z", "Z", "S"}

func isDigitsThenLetters(b []byte) bool {
	i := 0
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	for ; i < len(b); i++ {
		if isDigit(b[i]) {
			return false
		}
	}
	return true
}

func allX(b []byte) bool {
	for _, c := range b {
		if c != 'X' {
			return false
		}
	}
	return true
}

// findSpan picks the words that name the seller: it skips leading card and
// channel words and processor prefixes (SQ *, TST*), and stops at the first
// store number, reference or ACH detail after the name.
func (sc *scan) findSpan() {
	sc.ns, sc.starAt = 0, -1
	for i := 0; i < sc.n && sc.ns < maxSpan; i++ {
		t := &sc.tok[i]
		switch t.kind {
		case tokNum:
			if sc.ns == 0 && t.key1-t.key0 <= 2 && t.sep&sepHash == 0 {
				break // "76", "99 RANCH MARKET": a short number can open a name
			}
			if sc.ns > 0 {
				return
			}
			continue
		case tokRef, tokDate:
			if sc.ns > 0 {
				return
			}
			if t.kind == tokRef && t.key1-t.key0 == 2 && i+1 < sc.n && sc.tok[i+1].kind == tokWord && !isDigit(sc.key[t.key0]) {
				break // A1 TELEKOM, O2 UK: a brand, where K1 before a date is a till
			}
			continue
		}
		f := sc.wordFlags(i)
		if sc.ns > 0 && (f&wStop != 0 || f&wStopColon != 0 && i+1 < sc.n && sc.tok[i+1].sep&sepColon != 0) {
			return
		}
		if f&wNoise != 0 && !sc.webInName(i) || f&wTLD != 0 && t.sep&sepDot != 0 || f&wLead != 0 && sc.ns == 0 {
			continue
		}
		if sc.ns == 0 && t.sep&sepDot == 0 && isBIC(sc.keyOf(t), i > 0 && isIBAN(sc.keyOf(&sc.tok[i-1]))) {
			// ABNANL2A after an IBAN: the bank's code, not the payee. A
			// label after a dot is a web address's (WWW.GARDEN4LESS).
			continue
		}
		if sc.ns == 0 && i+1 < sc.n {
			next := &sc.tok[i+1]
			if f&wWallet != 0 && string(sc.keyOf(next)) == "PAY" {
				i++ // APPLE PAY, GOOGLE PAY: the wallet, not the seller
				continue
			}
			if f&wPairLead != 0 && string(sc.keyOf(next)) == lex.pair[t.word] {
				i++ // DIRECT DEBIT, POINT OF (SALE): the channel, not the seller
				continue
			}
			if f&wCountry != 0 && next.kind != tokWord {
				continue // POS 23,55 AT K1: the card's country before the till
			}
		}
		if sc.ns == 1 {
			pf := sc.wordFlags(int(sc.span[0]))
			if pf&wProcLoose != 0 || pf&wProc != 0 && t.sep&sepStar != 0 {
				sc.ns = 0 // drop the processor prefix
			}
		}
		if t.sep&sepStar != 0 && sc.ns > 0 && sc.starAt < 0 {
			sc.starAt = sc.ns
		}
		sc.span[sc.ns] = int8(i)
		sc.ns++
		if t.split {
			return
		}
	}
}

// webInName reports whether token i is WEB between two words of a name
// (AMAZON WEB SERVICES), where it is part of the name and not the ACH
// code for a payment made on the web.
func (sc *scan) webInName(i int) bool {
	return sc.ns > 0 && i+1 < sc.n && sc.tok[i+1].kind == tokWord && sc.tok[i+1].sep == 0 &&
		sc.wordFlags(i+1)&(wNoise|wStop|wStopColon|wPay|wLead) == 0 && string(sc.keyOf(&sc.tok[i])) == "WEB"
}

// gluedKey appends to buf the key of a split token with the digits the
// tokenizer cut from it (FOREVER21), and returns nil when its raw text
// holds other signs.
func (sc *scan) gluedKey(t *token, buf []byte) []byte {
	raw := sc.s[t.raw0:t.raw1]
	for i := 0; i < len(raw); i++ {
		if !isAlnum(raw[i]) || raw[i] >= 0x80 {
			return nil
		}
		buf = append(buf, upper(raw[i]))
	}
	return buf
}

// nameEnd is the end of the seller's name within the span: before a '*' and
// without a trailing city and state or country.
func (sc *scan) nameEnd() int {
	end := sc.ns
	if sc.starAt > 0 {
		end = sc.starAt
	}
	if end > 1 && sc.wordFlags(int(sc.span[end-1]))&wCountry != 0 {
		end--
	}
	if end > 1 && sc.wordFlags(int(sc.span[end-1]))&wTown != 0 {
		end-- // WILDWOOD BIRMINGHAM: the branch's town
	}
	if end > 1 && sc.wordFlags(int(sc.span[end-1]))&wState != 0 {
		end--
		if end > 2 {
			end-- // the city
			if end > 2 && sc.wordFlags(int(sc.span[end-1]))&wCityPrefix != 0 {
				end--
			}
		}
	}
	return end
}

// webName reports whether the descriptor names a web shop: WWW before the
// name, a top-level domain after a dot (.COM, .CO.UK), or Shopify's "SP *"
// before it. The domains of organisations, governments and universities
// (.ORG, .GOV.UK, .AC.UK) are not shops.
func (sc *scan) webName() bool {
	if sc.web {
		return true
	}
	for i := 1; i < sc.n; i++ {
		if sc.tok[i].sep&sepDot != 0 {
			switch string(sc.keyOf(&sc.tok[i])) {
			case "ORG", "GOV", "EDU", "AC", "NHS", "SCH", "MOD", "POLICE", "MIL", "INT":
				return false
			}
		}
	}
	for i := 0; i < sc.n; i++ {
		t := &sc.tok[i]
		if t.kind != tokWord {
			continue
		}
		if i+1 < sc.n && sc.tok[i+1].kind == tokWord {
			if k := string(sc.keyOf(t)); k == "WWW" || k == "SP" && sc.tok[i+1].sep&sepStar != 0 {
				return true
			}
		}
		if i > 0 && t.sep&sepDot != 0 && sc.wordFlags(i)&wTLD != 0 && sc.tok[i-1].kind == tokWord {
			return true
		}
	}
	return false
}

// academicDomain reports whether the descriptor is a web address of a
// British university or college (.AC.UK) or of an American one (.EDU).
func (sc *scan) academicDomain() bool {
	for i := 1; i < sc.n; i++ {
		if sc.tok[i].sep&sepDot == 0 || sc.tok[i-1].kind != tokWord {
			continue
		}
		switch string(sc.keyOf(&sc.tok[i])) {
		case "EDU":
			return true
		case "AC":
			return i+1 < sc.n && sc.tok[i+1].sep&sepDot != 0 && string(sc.keyOf(&sc.tok[i+1])) == "UK"
		}
	}
	return false
}

// formsOnly reports whether the span's words from..to-1 are all company
// forms (CINEWORLD LTD, ACME HOLDINGS PLC): a name without them is the whole
// name.
func (sc *scan) formsOnly(from, to int) bool {
	if from >= to {
		return false
	}
	for j := from; j < to; j++ {
		if sc.wordFlags(int(sc.span[j]))&wForm == 0 {
			return false
		}
	}
	return true
}

// nameAndKey returns the display name and the key of an unknown seller
// named by the words of span[start:end], in one allocation. The display name
// title-cases the words: "JOE'S PIZZA" becomes "Joe's Pizza"; short words
// without vowels (CVS, BBQ) and words with an ampersand (AT&T) stay upper
// case. The key is the words in upper case, letters and digits only, one
// space apart.
func (sc *scan) nameAndKey(start, end int) (string, string) {
	var b strings.Builder
	n := 0
	for j := start; j < end; j++ {
		t := &sc.tok[sc.span[j]]
		n += int(t.raw1-t.raw0) + int(t.key1-t.key0) + 2
	}
	b.Grow(n)
	for j := start; j < end; j++ {
		t := &sc.tok[sc.span[j]]
		raw := sc.s[t.raw0:t.raw1]
		if t.split {
			raw = raw[:leadingLetters(raw)]
		}
		if j > start {
			b.WriteByte(' ')
		}
		keepUpper := strings.IndexByte(raw, '&') >= 0 || len(raw) <= 3 && !hasVowel(raw)
		prev := byte(' ')
		for k := 0; k < len(raw); k++ {
			if (raw[k] == '?' || raw[k] == '>') && k+2 < len(raw) && isDigit(raw[k+1]) && isDigit(raw[k+2]) {
				k += 2 // an MT940 field marker inside a word the bank cut
				continue
			}
			if raw[k] >= 0xC3 && raw[k] <= 0xC5 {
				r, size := utf8.DecodeRuneInString(raw[k:])
				if keepUpper || !isAlnum(prev) {
					r = unicode.ToUpper(r)
				} else {
					r = unicode.ToLower(r)
				}
				b.WriteRune(r)
				k += size - 1
				prev = 'a'
				continue
			}
			c := upper(raw[k])
			switch {
			case keepUpper:
			case prev == '\'':
				if len(raw)-k <= 2 {
					c = lower(c) // JOE'S, WE'LL; but O'REILLY
				}
			case isAlnum(prev):
				c = lower(c)
			}
			b.WriteByte(c)
			prev = raw[k]
		}
	}
	split := b.Len()
	for j := start; j < end; j++ {
		if j > start {
			b.WriteByte(' ')
		}
		b.Write(sc.keyOf(&sc.tok[sc.span[j]]))
	}
	s := b.String()
	return s[:split], s[split:]
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c - 'A' + 'a'
	}
	return c
}

func hasVowel(s string) bool {
	for i := 0; i < len(s); i++ {
		switch upper(s[i]) {
		case 'A', 'E', 'I', 'O', 'U', 'Y':
			return true
		}
	}
	return false
}

func leadingLetters(s string) int {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return i
		}
	}
	return len(s)
}

// isIBAN reports whether k looks like an IBAN: two letters, two check
// digits, then at least ten letters and digits.
func isIBAN(k []byte) bool {
	return len(k) >= 14 && len(k) <= 34 && k[0] >= 'A' && k[0] <= 'Z' && k[1] >= 'A' && k[1] <= 'Z' && isDigit(k[2]) && isDigit(k[3])
}

// isBIC reports whether k looks like a bank's BIC: eight or eleven
// characters, six letters first, then a location code with a digit (or any
// location code right after an IBAN).
func isBIC(k []byte, afterIBAN bool) bool {
	if len(k) != 8 && len(k) != 11 {
		return false
	}
	for _, c := range k[:6] {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return afterIBAN || isDigit(k[6]) || isDigit(k[7])
}
