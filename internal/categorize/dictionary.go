package categorize

import (
	"bufio"
	_ "embed"
	"fmt"
	"hash/maphash"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/tallyhq/tally"
)

// Seller is one entry of the seller dictionary.
type Seller struct {
	ID       string   // stable key, a lowercase slug: "whole_foods"
	Name     string   // display name: "Whole Foods Market"
	Category string   // category id: "groceries"
	Aliases  []string // other spellings banks print: "WHOLEFDS", "WFM"
	// Platform marks app stores and marketplaces that print the product
	// after a '*': "GOOGLE *YOUTUBE" is YouTube when YouTube is known.
	Platform bool
	// Generated marks sellers from open data (sellers_nsi.tsv): they match
	// only when they span the descriptor's whole name, and only when the
	// merchant category code and the keyword rules decided nothing, so a
	// brand called "Metro" does not take "METRO WATER DISTRICT".
	Generated bool
}

// Dictionary finds sellers by the words of a descriptor. Names and aliases
// are compared with everything but letters and digits removed, so
// "TRADER JOE S", "TRADER JOE'S" and "TRADERJOES" are one key. A Dictionary
// is immutable and safe for concurrent use.
//
// It is laid out for memory: a seller is 8 bytes plus its id and name in one
// shared string, and a key is its bytes in another plus 12 bytes of index
// and about 6 of hash table (about 170 bytes a seller with three spellings,
// against 520 for maps of strings). Results are substrings of the shared
// strings, so categorizing allocates nothing.
type Dictionary struct {
	text    string  // per seller: "seller:" + ID + Name
	entries []entry // sellers in the order given
	byID    []int32 // entries sorted by ID
	cats    []string

	keyText string   // the sorted keys, concatenated
	keyOff  []uint32 // key i is keyText[keyOff[i]:keyOff[i+1]]
	keyOf   []int32  // seller of key i
	first   []uint32 // first[b] is the first key whose two leading bytes are >= b (big-endian)
	table   []uint32 // open addressing: tagBits of the key's hash, then key index + 1; 0 for empty
	// shapes[shape(k)] has bit min(len(k), 63) set for every key k: most
	// words and runs of words that are no key are told by it without
	// hashing them.
	shapes *[numShapes]uint64
	mask   uint64
	seed   maphash.Seed
}

type entry struct {
	off     uint32 // of "seller:" + ID + Name in text
	idLen   uint8
	nameLen uint8
	cat     uint8 // index into cats
	flags   uint8
}

const (
	flagPlatform = 1 << iota
	flagGenerated
)

const matchedPrefix = "seller:"

func (d *Dictionary) matched(i int32) string {
	e := &d.entries[i]
	return d.text[e.off : e.off+uint32(len(matchedPrefix))+uint32(e.idLen)]
}

func (d *Dictionary) id(i int32) string { return d.matched(i)[len(matchedPrefix):] }

func (d *Dictionary) name(i int32) string {
	e := &d.entries[i]
	at := e.off + uint32(len(matchedPrefix)) + uint32(e.idLen)
	return d.text[at : at+uint32(e.nameLen)]
}

func (d *Dictionary) category(i int32) string { return d.cats[d.entries[i].cat] }

func (d *Dictionary) platform(i int32) bool { return d.entries[i].flags&flagPlatform != 0 }

func (d *Dictionary) generated(i int32) bool { return d.entries[i].flags&flagGenerated != 0 }

func (d *Dictionary) key(i int) string { return d.keyText[d.keyOff[i]:d.keyOff[i+1]] }

func (d *Dictionary) seller(i int32) Seller {
	return Seller{ID: d.id(i), Name: d.name(i), Category: d.category(i), Platform: d.platform(i), Generated: d.generated(i)}
}

// Prefix matching of truncated names: the descriptor's words must be at
// least minPrefix bytes and cover at least two thirds of the seller's key.
const minPrefix = 6

// NewDictionary indexes sellers. It fails on an empty, duplicate or overlong
// id, a name longer than 255 bytes, an unknown category, or an alias that
// two sellers share.
func NewDictionary(sellers []Seller) (*Dictionary, error) {
	d := &Dictionary{entries: make([]entry, len(sellers)), byID: make([]int32, len(sellers)), seed: maphash.MakeSeed()}
	ids := make(map[string]int32, len(sellers))
	keys := make(map[string]int32, 3*len(sellers))
	cats := map[string]uint8{}
	var text strings.Builder
	for i, s := range sellers {
		if s.ID == "" || s.Name == "" {
			return nil, fmt.Errorf("categorize: seller %d: empty id or name", i)
		}
		if len(s.ID) > 255 || len(s.Name) > 255 {
			return nil, fmt.Errorf("categorize: seller %q: id or name longer than 255 bytes", s.ID)
		}
		if _, dup := ids[s.ID]; dup {
			return nil, fmt.Errorf("categorize: seller %q: duplicate id", s.ID)
		}
		if _, ok := tally.LookupCategory(s.Category); !ok {
			return nil, fmt.Errorf("categorize: seller %q: unknown category %q", s.ID, s.Category)
		}
		ids[s.ID] = int32(i)
		c, ok := cats[s.Category]
		if !ok {
			c = uint8(len(d.cats))
			cats[s.Category] = c
			d.cats = append(d.cats, s.Category)
		}
		e := entry{off: uint32(text.Len()), idLen: uint8(len(s.ID)), nameLen: uint8(len(s.Name)), cat: c}
		if s.Platform {
			e.flags |= flagPlatform
		}
		if s.Generated {
			e.flags |= flagGenerated
		}
		d.entries[i] = e
		text.WriteString(matchedPrefix)
		text.WriteString(s.ID)
		text.WriteString(s.Name)
		k := squash(s.Name)
		if len(k) < 2 {
			return nil, fmt.Errorf("categorize: seller %q: name %q is too short", s.ID, s.Name)
		}
		if j, dup := keys[k]; dup && j != int32(i) {
			return nil, fmt.Errorf("categorize: name %q of %q is already %q's", s.Name, s.ID, sellers[j].ID)
		}
		keys[k] = int32(i)
		for _, a := range s.Aliases {
			k := squash(a)
			if len(k) < 2 {
				return nil, fmt.Errorf("categorize: seller %q: alias %q is too short", s.ID, a)
			}
			if j, dup := keys[k]; dup && j != int32(i) {
				return nil, fmt.Errorf("categorize: alias %q of %q is already %q's", a, s.ID, sellers[j].ID)
			}
			keys[k] = int32(i)
		}
	}
	d.text = text.String()
	for i := range d.byID {
		d.byID[i] = int32(i)
	}
	sort.Slice(d.byID, func(a, b int) bool { return d.id(d.byID[a]) < d.id(d.byID[b]) })

	sorted := make([]string, 0, len(keys))
	size := 0
	for k := range keys {
		sorted = append(sorted, k)
		size += len(k)
	}
	sort.Strings(sorted)
	var kt strings.Builder
	kt.Grow(size)
	d.keyOff = make([]uint32, len(sorted)+1)
	d.keyOf = make([]int32, len(sorted))
	for i, k := range sorted {
		d.keyOff[i] = uint32(kt.Len())
		kt.WriteString(k)
		d.keyOf[i] = keys[k]
	}
	d.keyOff[len(sorted)] = uint32(kt.Len())
	d.keyText = kt.String()
	d.first = make([]uint32, 1<<16+1)
	j := 0
	for b := range 1 << 16 {
		for j < len(sorted) && lead2(sorted[j]) < b {
			j++
		}
		d.first[b] = uint32(j)
	}
	d.first[1<<16] = uint32(len(sorted))

	n := 16
	for n < len(sorted)+len(sorted)/2 {
		n <<= 1
	}
	if len(sorted) >= 1<<(32-tagBits) {
		return nil, fmt.Errorf("categorize: %d seller spellings, want fewer than %d", len(sorted), 1<<(32-tagBits))
	}
	d.table = make([]uint32, n)
	d.mask = uint64(n - 1)
	d.shapes = new([numShapes]uint64)
	for _, k := range sorted {
		d.shapes[shape(k)] |= lenBit(len(k))
	}
	for i := range sorted {
		h := maphash.String(d.seed, d.key(i))
		p := h & d.mask
		for d.table[p] != 0 {
			p = (p + 1) & d.mask
		}
		d.table[p] = tag(h) | uint32(i+1)
	}
	return d, nil
}

// A slot of the key table keeps the top tagBits of its key's hash above
// the key's index, so that a lookup compares keys only when those agree.
const (
	tagBits = 10
	idxMask = 1<<(32-tagBits) - 1
)

func tag(h uint64) uint32 { return uint32(h>>(64-tagBits)) << (32 - tagBits) }

// numShapes is the number of buckets of key shapes: a key's first and last
// bytes, hashed.
const numShapes = 2048

func shape[K string | []byte](k K) int {
	if len(k) == 0 {
		return 0
	}
	return int(uint(k[0])*131+uint(k[len(k)-1])) & (numShapes - 1)
}

func lenBit(n int) uint64 { return 1 << min(n, 63) }

// Len returns the number of sellers.
func (d *Dictionary) Len() int { return len(d.entries) }

// Seller returns the seller with the given id. The dictionary does not keep
// aliases: the result's Aliases is nil.
func (d *Dictionary) Seller(id string) (Seller, bool) {
	lo, hi := 0, len(d.byID)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.id(d.byID[m]) < id {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < len(d.byID) && d.id(d.byID[lo]) == id {
		return d.seller(d.byID[lo]), true
	}
	return Seller{}, false
}

// Lookup returns the seller a name or alias spells, compared as the
// dictionary compares descriptor words.
func (d *Dictionary) Lookup(name string) (Seller, bool) {
	i := d.exact([]byte(squash(name)))
	if i < 0 {
		return Seller{}, false
	}
	return d.seller(i), true
}

// ComparisonKey returns the key the dictionary compares names and
// descriptor words on: letters and digits only, upper case, accented Latin
// letters without their accents ("Elkjøp" and "ELKJOP" are "ELKJOP").
func ComparisonKey(s string) string { return squash(s) }

// squash keeps the letters and digits of s, upper-cased, with accented
// Latin letters spelled as the tokenizer spells them (Elkjøp is ELKJOP).
func squash(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0xC3 && c <= 0xC5 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0xBF {
			b = append(b, foldLatin[int(c-0xC3)<<6|int(s[i+1]-0x80)]...)
			i++
			continue
		}
		if isAlnum(c) && sepWidth(s, i) == 0 {
			b = append(b, upper(c))
		}
	}
	return string(b)
}

// lead2 is a key's first two bytes as a number, for the first index.
func lead2(k string) int {
	if len(k) < 2 {
		return int(k[0]) << 8
	}
	return int(k[0])<<8 | int(k[1])
}

// exact returns the seller whose key is k, or -1.
func (d *Dictionary) exact(k []byte) int32 {
	if d.shapes[shape(k)]&lenBit(len(k)) == 0 {
		return -1
	}
	h := maphash.Bytes(d.seed, k)
	t := tag(h)
	p := h & d.mask
	for {
		e := d.table[p]
		if e == 0 {
			return -1
		}
		if i := int(e & idxMask); e&^idxMask == t && d.key(i-1) == string(k) {
			return d.keyOf[i-1]
		}
		p = (p + 1) & d.mask
	}
}

// prefix returns the one seller with a key that k is a long enough prefix
// of, or -1 when there is none or more than one.
func (d *Dictionary) prefix(k []byte) int32 {
	if len(k) < minPrefix {
		return -1
	}
	nk := len(d.keyOf)
	b := int(k[0])<<8 | int(k[1])
	lo, hi := int(d.first[b]), int(d.first[b+1])
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.key(m) < string(k) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	found := int32(-1)
	for i := lo; i < nk && i < lo+32; i++ {
		key := d.key(i)
		if len(key) < len(k) || key[:len(k)] != string(k) {
			break
		}
		if 3*len(k) < 2*len(key) {
			continue // too little of the name to be sure
		}
		if found >= 0 && found != d.keyOf[i] {
			return -1
		}
		found = d.keyOf[i]
	}
	return found
}

// match finds the longest run of span words from index from (up to to) whose
// joined keys name a seller, exactly or, for runs ending at prefixFrom or
// later, as a truncated prefix (banks cut names at a fixed width, so only
// the name's last word can be cut: "DIRECT DEP" must not become DIRECTV).
// It returns the seller and the end of the run, or -1.
func (d *Dictionary) match(sc *scan, from, to, prefixFrom int) (int32, int) {
	var buf [maxKey]byte
	var ends [maxSpan + 1]int
	n, last := 0, from
	for j := from; j < to; j++ {
		k := sc.keyOf(&sc.tok[sc.span[j]])
		if n+len(k) > maxKey {
			break
		}
		n += copy(buf[n:], k)
		last = j + 1
		ends[last-from] = n
	}
	for e := last; e > from; e-- {
		k := buf[:ends[e-from]]
		if i := d.exact(k); i >= 0 && (e >= prefixFrom || !d.generated(i) || sc.formsOnly(e, prefixFrom)) {
			return i, e
		}
		if e != prefixFrom {
			continue
		}
		if i := d.prefix(k); i >= 0 {
			return i, e
		}
	}
	return -1, from
}

// japanesePrefix returns the seller whose Japanese name opens one of the
// name's words in kana or kanji, the longest first, or -1: Japanese
// statements write a shop's branch right after the chain's name, without a
// space (マクドナルド津田沼駅前店 is a McDonald's). Two characters at least.
func (d *Dictionary) japanesePrefix(sc *scan) int32 {
	if !sc.ja {
		return -1
	}
	for j := 0; j < sc.nameEnd(); j++ {
		k := sc.keyOf(&sc.tok[sc.span[j]])
		if len(k) < 6 || k[0] < 0xE3 || k[0] > 0xE9 {
			continue // not kana or kanji
		}
		for n := len(k); n >= 6; n-- {
			if n < len(k) && k[n]&0xC0 == 0x80 {
				continue // inside a character
			}
			if i := d.exact(k[:n]); i >= 0 {
				return i
			}
		}
	}
	return -1
}

// marketplacePrefix opens the names Amazon's marketplace prints.
const marketplacePrefix = "AMZ"

// Shortest seller key found at the start of a longer word, and the fewest
// letters that must follow it (SPECSAVERS in SPECSAVERSEVOUGB).
const (
	minGlued     = 6
	minGluedRest = 3
)

// glued returns the hand-listed seller whose key opens one of the name's
// words, glued to a town or a reference the card scheme printed without a
// space ("SPECSAVERSEVOUGB", "WAITROSEHEADINGTON"), the longest key first,
// or -1. Open-data brands are left out: too many are words that open longer
// words (OFFICE in OFFICESTATIONERY, INFORMA in INFORMATION).
func (d *Dictionary) glued(sc *scan) int32 {
	if sc.nameEnd() > 0 {
		// AMZCRAZYKANGAROO: Amazon's marketplace prints its prefix glued
		// to the name of the shop that sold through it.
		if k := sc.keyOf(&sc.tok[sc.span[0]]); len(k) >= len(marketplacePrefix)+minGluedRest && string(k[:len(marketplacePrefix)]) == marketplacePrefix {
			if i := d.exact(k[:len(marketplacePrefix)]); i >= 0 {
				return i
			}
		}
	}
	for j := 0; j < sc.nameEnd(); j++ {
		t := &sc.tok[sc.span[j]]
		k := sc.keyOf(t)
		if n := hyphenAt(sc.s[t.raw0:t.raw1]); n >= 3 && n < len(k) {
			// SPAR-PR-TIDWORTH: a hand-listed seller before a hyphen.
			if i := d.exact(k[:n]); i >= 0 && !d.platform(i) && !d.generated(i) {
				return i
			}
		}
		if n := hyphenAt(sc.s[t.raw0:t.raw1]); n > 0 && len(k)-n >= 3 {
			// WELCOME BREAK-KFC: a hand-listed seller after a hyphen, the
			// shop inside a service area or a store.
			if i := d.exact(k[n:]); i >= 0 && !d.platform(i) && !d.generated(i) {
				return i
			}
		}
		for n := len(k) - minGluedRest; n >= minGlued; n-- {
			if i := d.exact(k[:n]); i >= 0 && !d.platform(i) && !d.generated(i) {
				return i
			}
		}
		for n := len(k) - minGluedRest; n >= 3; n-- {
			// BOOTSBIRMINGHAM: any known seller, of any length, glued to
			// a British or Irish town that ends the word.
			if isTown(k[n:]) {
				if i := d.exact(k[:n]); i >= 0 && !d.platform(i) {
					return i
				}
			}
		}
	}
	return -1
}

// isTown reports whether k is a British or Irish town that may end a name.
func isTown(k []byte) bool {
	w := lex.lookup(k)
	return w >= 0 && lex.words[w].flags&wTown != 0
}

// hyphenAt returns how many letters and digits of the ASCII word raw come
// before its first hyphen, or 0 when it has none or a letter with an accent
// comes first.
func hyphenAt(raw string) int {
	n := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '-':
			return n
		case c >= 0x80:
			return 0
		case isAlnum(c):
			n++
		}
	}
	return 0
}

// leading returns the open-data seller that the name's first words spell
// when more words follow them ("CINEWORLD BRO AT"), the longest first, or
// -1. Only a key of minGlued letters or more that spells at least half the
// name counts: a short brand (METRO, NEXT, SUNRISE) opens too many other
// names.
func (d *Dictionary) leading(sc *scan) int32 {
	var buf [maxKey]byte
	var ends [maxSpan + 1]int
	last := sc.glue(&buf, &ends, nil)
	for e := last - 1; e > 0; e-- {
		if k := buf[:ends[e]]; len(k) >= minGlued && 2*len(k) >= ends[last] {
			if i := d.exact(k); i >= 0 && !d.platform(i) {
				return i
			}
		}
	}
	return -1
}

// matchWithThe matches the span's name with the word the span skipped
// before it when that is THE, a short channel word or a short number
// ("THE BODY SHOP", "AN POST", "200 DEGREES": brands whose name opens with
// one), the longest run of words first, or -1.
func (d *Dictionary) matchWithThe(sc *scan) int32 {
	at := int(sc.span[0]) - 1
	if sc.ns == 0 || at < 0 {
		return -1
	}
	t := &sc.tok[at]
	k := sc.keyOf(t)
	switch {
	case t.kind == tokWord && len(k) >= 2 && len(k) <= 3:
	case t.kind == tokNum && len(k) <= 4 && at == 0:
	default:
		return -1
	}
	var buf [maxKey]byte
	var ends [maxSpan + 1]int
	last := sc.glue(&buf, &ends, k)
	for e := last; e > 0; e-- {
		if i := d.exact(buf[:ends[e]]); i >= 0 && (e == last || !d.generated(i) || sc.formsOnly(e, last)) {
			return i
		}
	}
	return -1
}

// matchWithNumber matches the span's name with the short number that ends it
// ("UNION 76", "MITRE 10"), which a store number would otherwise be.
func (d *Dictionary) matchWithNumber(sc *scan) int32 {
	end := sc.nameEnd()
	if end == 0 || end != sc.ns {
		return -1
	}
	next := int(sc.span[end-1]) + 1
	if next >= sc.n || sc.tok[next].kind != tokNum || sc.tok[next].key1-sc.tok[next].key0 > 4 {
		return -1
	}
	var buf [maxKey]byte
	n := 0
	for j := 0; j < end; j++ {
		k := sc.keyOf(&sc.tok[sc.span[j]])
		if n+len(k) > maxKey {
			return -1
		}
		n += copy(buf[n:], k)
	}
	k := sc.keyOf(&sc.tok[next])
	if n+len(k) > maxKey {
		return -1
	}
	n += copy(buf[n:], k)
	if i := d.exact(buf[:n]); i >= 0 && !d.generated(i) {
		return i
	}
	return -1
}

// ReadSellers reads the tab-separated seller list: one seller a line as
// id, name, category, aliases separated by '|', and optional flags
// ("platform"). Blank lines and lines starting with '#' are skipped.
func ReadSellers(r io.Reader) ([]Seller, error) {
	var out []Seller
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, "\t")
		if len(f) < 3 || len(f) > 5 {
			return nil, fmt.Errorf("categorize: sellers line %d: got %d fields, want 3 to 5", line, len(f))
		}
		s := Seller{ID: f[0], Name: f[1], Category: f[2]}
		if len(f) > 3 && f[3] != "" {
			for _, a := range strings.Split(f[3], "|") {
				if a = strings.TrimSpace(a); a != "" {
					s.Aliases = append(s.Aliases, a)
				}
			}
		}
		if len(f) > 4 {
			switch f[4] {
			case "":
			case "platform":
				s.Platform = true
			default:
				return nil, fmt.Errorf("categorize: sellers line %d: unknown flag %q", line, f[4])
			}
		}
		out = append(out, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("categorize: read sellers: %w", err)
	}
	return out, nil
}

//go:embed sellers.tsv
var sellersTSV string

// sellers_nsi.tsv is generated from the name-suggestion-index (BSD-3-Clause)
// by gen/main.go; see LICENSE-data.md.
//
//go:generate go run gen/main.go -nsi ${TALLY_NSI_DIR} -mcc ${TALLY_MCC_DIR}
//go:embed sellers_nsi.tsv
var nsiTSV string

// sellers_ja.tsv holds the index's brands of Japan by their Japanese
// names, generated by gen/main.go -ja.
//
//go:embed sellers_ja.tsv
var japaneseTSV string

var defaultDictionary = sync.OnceValue(func() *Dictionary {
	hand, err := ReadSellers(strings.NewReader(sellersTSV))
	if err != nil {
		panic(err) // the embedded lists are checked by the tests
	}
	generated, err := ReadSellers(strings.NewReader(nsiTSV))
	if err != nil {
		panic(err)
	}
	japanese, err := ReadSellers(strings.NewReader(japaneseTSV))
	if err != nil {
		panic(err)
	}
	generated = append(generated, japanese...)
	for i := range generated {
		generated[i].Generated = true
	}
	d, err := NewDictionary(MergeSellers(hand, generated))
	if err != nil {
		panic(err)
	}
	return d
})

// DefaultDictionary returns the embedded seller dictionary, parsed once: the
// hand-written sellers.tsv merged with the generated sellers_nsi.tsv and
// sellers_ja.tsv.
func DefaultDictionary() *Dictionary { return defaultDictionary() }

// MergeSellers returns primary followed by the sellers of secondary that do
// not clash with it: primary wins. A secondary seller whose id or name is
// already taken is left out; an alias that is taken is dropped from it.
func MergeSellers(primary, secondary []Seller) []Seller {
	out := make([]Seller, 0, len(primary)+len(secondary))
	out = append(out, primary...)
	ids := make(map[string]bool, len(out)+len(secondary))
	keys := make(map[string]bool, 4*(len(out)+len(secondary)))
	for _, s := range primary {
		ids[s.ID] = true
		keys[squash(s.Name)] = true
		for _, a := range s.Aliases {
			keys[squash(a)] = true
		}
	}
	for _, s := range secondary {
		if ids[s.ID] || keys[squash(s.Name)] {
			continue
		}
		var aliases []string
		for _, a := range s.Aliases {
			if k := squash(a); !keys[k] {
				keys[k] = true
				aliases = append(aliases, a)
			}
		}
		ids[s.ID], keys[squash(s.Name)] = true, true
		s.Aliases = aliases
		out = append(out, s)
	}
	return out
}

// glue writes prefix and then the name's words with no spaces between them
// into buf, as many words as fit, and sets ends[j] to where the first j
// words end. It returns how many words went in.
func (sc *scan) glue(buf *[maxKey]byte, ends *[maxSpan + 1]int, prefix []byte) int {
	n, last := copy(buf[:], prefix), 0
	for j := 0; j < sc.nameEnd(); j++ {
		k := sc.keyOf(&sc.tok[sc.span[j]])
		if n+len(k) > maxKey {
			break
		}
		n += copy(buf[n:], k)
		last = j + 1
		ends[last] = n
	}
	return last
}
