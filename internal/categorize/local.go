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

// LocalSeller is a named local business with its trade, from a public
// register: a café called "Balans Soho" is a restaurant although its name
// says no trade.
type LocalSeller struct {
	Name     string // as registered; compared as ComparisonKey, without a leading THE
	Category string // a category id
}

// LocalSellers looks up local businesses by name. The engine consults it
// after the seller dictionary, the merchant category code and the built-in
// rules, and before trade words: a whole-name match decides before keywords
// (BALANS SOHO is a restaurant), a match of the name's first words only
// after them (BARTONS SOLICITORS stays with the solicitors). Results it
// decides have Matched "local:KEY".
//
// It is a sorted block of keys with offsets, one category byte and the
// key's first eight bytes as a number each: about the length of the key
// plus 19 bytes a business.
type LocalSellers struct {
	blob string   // "local:KEY" for each key, sorted by key
	off  []uint32 // start of each "local:KEY" in blob; off[len(cat)] is len(blob)
	cat  []uint8
	cats []string
	// lead8[i] is key i's first eight bytes, big-endian, padded with
	// zeros (keys hold no zero byte): the binary search compares these
	// numbers and reads a key only past its first eight bytes.
	lead8 []uint64
	// first[b] is the first key whose leading two characters are at or
	// past b (see lead36): the binary search starts from that range.
	first [36*36 + 1]uint32
}

func isKeyChar(c byte) bool { return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' }

// alnum36 numbers a key character: 0-9 then A-Z.
func alnum36(c byte) int {
	if c <= '9' {
		return int(c - '0')
	}
	return int(c-'A') + 10
}

// lead36 is the bucket of a key by its first two characters; a key of
// one character is in the bucket of that character and '0'.
func lead36(k string) int {
	b := alnum36(k[0]) * 36
	if len(k) > 1 {
		b += alnum36(k[1])
	}
	return b
}

const localPrefix = "local:"

// minLocalWord is the length of the shortest single-word name that
// matches the first word of a longer name.
const minLocalWord = 5

// NewLocalSellers builds a look-up over sellers. Names that leave fewer than
// three letters or digits are skipped; a name listed twice with different
// categories is an error.
func NewLocalSellers(sellers []LocalSeller) (*LocalSellers, error) {
	type kc struct{ key, cat string }
	list := make([]kc, 0, len(sellers))
	for _, s := range sellers {
		if _, ok := tally.LookupCategory(s.Category); !ok {
			return nil, fmt.Errorf("categorize: local seller %q: unknown category %q", s.Name, s.Category)
		}
		k := localKey(s.Name)
		if len(k) < 3 || strings.IndexFunc(k, func(r rune) bool { return r > 0x7f || !isKeyChar(byte(r)) }) >= 0 {
			continue
		}
		list = append(list, kc{k, s.Category})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].key < list[j].key })
	t := &LocalSellers{}
	catIndex := map[string]uint8{}
	var b strings.Builder
	for i, e := range list {
		if i > 0 && list[i-1].key == e.key {
			if list[i-1].cat != e.cat {
				return nil, fmt.Errorf("categorize: local seller %s listed as %s and %s", e.key, list[i-1].cat, e.cat)
			}
			continue
		}
		c, ok := catIndex[e.cat]
		if !ok {
			if len(t.cats) == 255 {
				return nil, fmt.Errorf("categorize: local sellers: too many categories")
			}
			c = uint8(len(t.cats))
			catIndex[e.cat] = c
			t.cats = append(t.cats, e.cat)
		}
		t.off = append(t.off, uint32(b.Len()))
		b.WriteString(localPrefix)
		b.WriteString(e.key)
		t.cat = append(t.cat, c)
	}
	t.blob = b.String()
	t.off = append(t.off, uint32(len(t.blob)))
	t.lead8 = make([]uint64, len(t.cat))
	for i := range t.lead8 {
		t.lead8[i] = lead8(t.key(i))
	}
	n := len(t.cat)
	for i, bk := n-1, len(t.first)-1; bk >= 0; bk-- {
		for i >= 0 && lead36(t.key(i)) >= bk {
			i--
		}
		t.first[bk] = uint32(i + 1)
	}
	t.first[len(t.first)-1] = uint32(n)
	return t, nil
}

// localKey is the comparison key of a registered name without a leading THE
// (THE ALBERT ARMS is printed ALBERT ARMS as often).
func localKey(name string) string {
	f := strings.Fields(name)
	if len(f) > 1 && strings.EqualFold(f[0], "the") {
		name = strings.Join(f[1:], " ")
	}
	return squash(name)
}

// ReadLocalSellers reads a local-seller list: one business a line, its
// name and its category id separated by a tab; '#' starts a comment line.
func ReadLocalSellers(r io.Reader) ([]LocalSeller, error) {
	var out []LocalSeller
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if s == "" || s[0] == '#' {
			continue
		}
		name, cat, ok := strings.Cut(s, "\t")
		if !ok || name == "" || cat == "" {
			return nil, fmt.Errorf("categorize: local sellers line %d: want name<TAB>category", line)
		}
		out = append(out, LocalSeller{Name: name, Category: cat})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("categorize: read local sellers: %w", err)
	}
	return out, nil
}

// local_sellers.tsv is generated by gen/local/main.go from the Food
// Standards Agency's food hygiene rating data (Open Government Licence
// v3.0), HMRC's Eat Out to Help Out register (Apache-2.0), the Mapping
// Museums database (CC BY), the DVSA's MOT testing stations and NHS
// Digital's dental practices (Open Government Licence v3.0); see
// LICENSE-data.md.
//
//go:embed local_sellers.tsv
var localTSV string

var defaultLocal = sync.OnceValue(func() *LocalSellers {
	list, err := ReadLocalSellers(strings.NewReader(localTSV))
	if err != nil {
		panic(err) // the embedded list is checked by the tests
	}
	t, err := NewLocalSellers(list)
	if err != nil {
		panic(err)
	}
	return t
})

// DefaultLocalSellers returns the embedded list of local businesses.
func DefaultLocalSellers() *LocalSellers { return defaultLocal() }

// Len returns the number of businesses.
func (t *LocalSellers) Len() int {
	if t == nil {
		return 0
	}
	return len(t.cat)
}

// Lookup returns the category of the business registered under name.
func (t *LocalSellers) Lookup(name string) (string, bool) {
	if i := t.find([]byte(localKey(name))); i >= 0 {
		return t.cats[t.cat[i]], true
	}
	return "", false
}

// lead8 is k's first eight bytes as a big-endian number, zeros after a
// shorter k: for keys without a zero byte, numbers compare as keys do, up
// to the eighth byte.
func lead8[K string | []byte](k K) uint64 {
	if len(k) >= 8 {
		return uint64(k[0])<<56 | uint64(k[1])<<48 | uint64(k[2])<<40 | uint64(k[3])<<32 |
			uint64(k[4])<<24 | uint64(k[5])<<16 | uint64(k[6])<<8 | uint64(k[7])
	}
	var v uint64
	for j := range 8 {
		v <<= 8
		if j < len(k) {
			v |= uint64(k[j])
		}
	}
	return v
}

func (t *LocalSellers) key(i int) string {
	return t.blob[t.off[i]+uint32(len(localPrefix)) : t.off[i+1]]
}

func (t *LocalSellers) find(k []byte) int {
	i, _ := t.seek(k)
	return i
}

// seek returns the business keyed k (-1 for none) and whether some longer
// key begins with k: when none does, no more words can match.
func (t *LocalSellers) seek(k []byte) (int, bool) {
	if t == nil {
		return -1, false
	}
	if len(k) == 0 || len(t.cat) == 0 || !isKeyChar(k[0]) || len(k) > 1 && !isKeyChar(k[1]) {
		return -1, false
	}
	c := alnum36(k[0]) * 36
	lo, hi := int(t.first[c]), int(t.first[c+36]) // every key opening with k[0]
	if len(k) > 1 {
		lo, hi = int(t.first[c+alnum36(k[1])]), int(t.first[c+alnum36(k[1])+1])
	}
	q := lead8(k)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if p := t.lead8[m]; p < q || p == q && len(k) > 8 && t.key(m)[min(8, len(t.key(m))):] < string(k[8:]) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	i := -1
	if lo < len(t.cat) && t.key(lo) == string(k) {
		i = lo
		lo++
	}
	return i, lo < len(t.cat) && t.opens(lo, k, q)
}

// opens reports whether key i begins with k, whose lead8 is q.
func (t *LocalSellers) opens(i int, k []byte, q uint64) bool {
	if len(k) <= 8 {
		keep := ^uint64(0) << (8 * (8 - len(k))) // k's bytes of the eight
		return t.lead8[i]&keep == q
	}
	return t.lead8[i] == q && strings.HasPrefix(t.key(i)[8:], string(k[8:]))
}

// match returns the business spelled by the name's first words, and
// whether those words are the whole name; -1 for none. A match of part of
// the name needs two words, or one of minLocalWord letters (BALANS SOHO is
// a branch of BALANS; the list holds no word of the English dictionary
// alone). A leading THE is skipped, as localKey drops it.
func (t *LocalSellers) match(sc *scan) (int, bool) {
	if t.Len() == 0 || sc.ns == 0 {
		return -1, false
	}
	end := sc.nameEnd()
	from := 0
	if end > 1 && string(sc.keyOf(&sc.tok[sc.span[0]])) == "THE" {
		from = 1
	}
	var buf [maxKey]byte
	n, best, whole := 0, -1, false
	for j := from; j < end; j++ {
		tk := &sc.tok[sc.span[j]]
		if tk.kind != tokWord && tk.kind != tokNum {
			break
		}
		k := sc.keyOf(tk)
		if n+len(k) > maxKey {
			break
		}
		n += copy(buf[n:], k)
		i, more := t.seek(buf[:n])
		if i >= 0 && (j > from || j == end-1 || n >= minLocalWord) {
			best, whole = i, j == end-1
		}
		if !more || tk.split {
			break
		}
	}
	return best, whole
}

// result files res under business i.
func (t *LocalSellers) result(res Result, i int) Result {
	res.Category, res.Source = t.cats[t.cat[i]], tally.SourceDictionary
	res.Matched = t.blob[t.off[i]:t.off[i+1]]
	return res
}
