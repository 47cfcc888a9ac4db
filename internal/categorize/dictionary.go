package categorize

import (
	"bufio"
	_ "embed"
	"fmt"
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
}

// Dictionary finds sellers by the words of a descriptor. Names and aliases
// are compared with everything but letters and digits removed, so
// "TRADER JOE S", "TRADER JOE'S" and "TRADERJOES" are one key. A Dictionary
// is immutable and safe for concurrent use.
type Dictionary struct {
	sellers []Seller
	matched []string // "seller:" + ID, built once so results allocate nothing
	byID    map[string]int32
	byKey   map[string]int32
	keys    []string // sorted, for names that banks truncated
	keyOf   []int32  // seller of keys[i]
}

// Prefix matching of truncated names: the descriptor's words must be at
// least minPrefix bytes and cover at least two thirds of the seller's key.
const minPrefix = 6

// NewDictionary indexes sellers. It fails on an empty or duplicate id, an
// unknown category, or an alias that two sellers share.
func NewDictionary(sellers []Seller) (*Dictionary, error) {
	d := &Dictionary{
		sellers: make([]Seller, len(sellers)),
		matched: make([]string, len(sellers)),
		byID:    make(map[string]int32, len(sellers)),
		byKey:   make(map[string]int32, 4*len(sellers)),
	}
	copy(d.sellers, sellers)
	for i, s := range d.sellers {
		if s.ID == "" || s.Name == "" {
			return nil, fmt.Errorf("categorize: seller %d: empty id or name", i)
		}
		if _, dup := d.byID[s.ID]; dup {
			return nil, fmt.Errorf("categorize: seller %q: duplicate id", s.ID)
		}
		if _, ok := tally.LookupCategory(s.Category); !ok {
			return nil, fmt.Errorf("categorize: seller %q: unknown category %q", s.ID, s.Category)
		}
		d.byID[s.ID] = int32(i)
		d.matched[i] = "seller:" + s.ID
		for _, a := range append([]string{s.Name}, s.Aliases...) {
			k := squash(a)
			if len(k) < 2 {
				return nil, fmt.Errorf("categorize: seller %q: alias %q is too short", s.ID, a)
			}
			if j, dup := d.byKey[k]; dup && j != int32(i) {
				return nil, fmt.Errorf("categorize: alias %q of %q is already %q's", a, s.ID, d.sellers[j].ID)
			}
			d.byKey[k] = int32(i)
		}
	}
	d.keys = make([]string, 0, len(d.byKey))
	for k := range d.byKey {
		d.keys = append(d.keys, k)
	}
	sort.Strings(d.keys)
	d.keyOf = make([]int32, len(d.keys))
	for i, k := range d.keys {
		d.keyOf[i] = d.byKey[k]
	}
	return d, nil
}

// Len returns the number of sellers.
func (d *Dictionary) Len() int { return len(d.sellers) }

// Seller returns the seller with the given id.
func (d *Dictionary) Seller(id string) (Seller, bool) {
	i, ok := d.byID[id]
	if !ok {
		return Seller{}, false
	}
	return d.sellers[i], true
}

// Lookup returns the seller a name or alias spells, compared as the
// dictionary compares descriptor words.
func (d *Dictionary) Lookup(name string) (Seller, bool) {
	i, ok := d.byKey[squash(name)]
	if !ok {
		return Seller{}, false
	}
	return d.sellers[i], true
}

// squash keeps the letters and digits of s, upper-cased.
func squash(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if isAlnum(s[i]) {
			b = append(b, upper(s[i]))
		}
	}
	return string(b)
}

// exact returns the seller whose key is k, or -1.
func (d *Dictionary) exact(k []byte) int32 {
	if i, ok := d.byKey[string(k)]; ok {
		return i
	}
	return -1
}

// prefix returns the one seller with a key that k is a long enough prefix
// of, or -1 when there is none or more than one.
func (d *Dictionary) prefix(k []byte) int32 {
	if len(k) < minPrefix {
		return -1
	}
	lo, hi := 0, len(d.keys)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if d.keys[m] < string(k) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	found := int32(-1)
	for i := lo; i < len(d.keys) && i < lo+32; i++ {
		key := d.keys[i]
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
		if i := d.exact(k); i >= 0 {
			return i, e
		}
		if e < prefixFrom {
			continue
		}
		if i := d.prefix(k); i >= 0 {
			return i, e
		}
	}
	return -1, from
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

var defaultDictionary = sync.OnceValue(func() *Dictionary {
	sellers, err := ReadSellers(strings.NewReader(sellersTSV))
	if err == nil {
		var d *Dictionary
		if d, err = NewDictionary(sellers); err == nil {
			return d
		}
	}
	panic(err) // the embedded list is checked by the tests
})

// DefaultDictionary returns the embedded seller dictionary, parsed once.
func DefaultDictionary() *Dictionary { return defaultDictionary() }
