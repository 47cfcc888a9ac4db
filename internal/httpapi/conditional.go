package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/tallyhq/tally/internal/cache"
	"github.com/tallyhq/tally/internal/httpx"
)

// Cached answers carry a validator and, for clients that accept it, a
// compressed body made once per entry:
//
//   - ETag names the user, the entry and the user's cache generation (a
//     hash of the three), so it changes with every write of the user's and
//     never matches another user's answer. A GET whose If-None-Match names
//     the current tag is answered 304 without a body, after the same
//     authentication and cache read as a 200.
//   - With Accept-Encoding: gzip the body is the entry's gzip copy, kept in
//     the process beside the tag and made again only when the generation
//     moves. Its tag ends in "-gzip", as its bytes differ.
//
// Cache-Control is "private, no-cache": a client (never a shared cache) may
// keep the answer but must ask again, with its tag, before using it.

// gzipMinBytes is the smallest answer sent compressed: below a packet
// or so compression saves nothing worth its CPU.
const gzipMinBytes = 1024

// variantsSize bounds the entries whose tag and gzip copy a process
// keeps, and variantsBytes the gzip bytes among them.
const (
	variantsSize  = 10_000
	variantsBytes = 32 << 20
)

// variant is what the process keeps of one user's entry: its tag and gzip
// copy under one generation, and the header values of both answers, made
// once so that serving the entry again formats nothing.
type variant struct {
	generation string
	etag       string // quoted, for the identity body
	gz         []byte // nil until a client asks for gzip, or when not worth it
	gzTried    bool

	etagH, lenH     []string // ETag and Content-Length of the identity body
	gzEtagH, gzLenH []string // the same for gz, once made
	bodyLen         int      // the identity body's length lenH gives
}

// Header values every cached answer shares. Handlers and middleware set or
// add values, never change one in place, so one slice can serve every
// answer; each has len == cap, so an append copies it.
var (
	jsonType     = []string{"application/json; charset=utf-8"}
	privateCache = []string{"private, no-cache"}
	varyEncoding = []string{"Accept-Encoding"}
	noSniff      = []string{"nosniff"}
	gzipCoding   = []string{"gzip"}
)

// variants is the process's store of variant by user and entry name.
type variants struct {
	mu      sync.Mutex
	entries map[string]*variant
	bytes   int
}

func variantKey(userID, name string) string { return userID + "\x00" + name }

// get returns the variant of the user's entry under generation, making
// its tag when it has none.
func (v *variants) get(userID, name, generation string) *variant {
	key := variantKey(userID, name)
	v.mu.Lock()
	x, ok := v.entries[key]
	v.mu.Unlock()
	if ok && x.generation == generation {
		return x
	}
	x = &variant{generation: generation, etag: entityTag(userID, name, generation), bodyLen: -1}
	x.etagH = []string{x.etag}
	v.mu.Lock()
	if v.entries == nil {
		v.entries = map[string]*variant{}
	}
	if old, ok := v.entries[key]; ok {
		v.bytes -= len(old.gz)
	}
	v.entries[key] = x
	v.evict()
	v.mu.Unlock()
	return x
}

// gzip returns the gzip copy of body, the entry of x, making it once.
func (v *variants) gzip(userID, name string, x *variant, body []byte) []byte {
	v.mu.Lock()
	if x.gzTried {
		gz := x.gz
		v.mu.Unlock()
		return gz
	}
	v.mu.Unlock()
	gz := compress(body)
	if len(gz) >= len(body) {
		gz = nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if x.gzTried {
		return x.gz
	}
	x.gz, x.gzTried = gz, true
	if gz != nil {
		x.gzEtagH = []string{gzipTag(x.etag)}
		x.gzLenH = []string{strconv.Itoa(len(gz))}
	}
	if v.entries[variantKey(userID, name)] == x {
		v.bytes += len(gz)
		v.evict()
	}
	return gz
}

// evict drops arbitrary entries while there are too many or their copies
// are too large. v.mu is held.
func (v *variants) evict() {
	for k, x := range v.entries {
		if len(v.entries) <= variantsSize && v.bytes <= variantsBytes {
			return
		}
		v.bytes -= len(x.gz)
		delete(v.entries, k)
	}
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(nil, gzip.BestCompression)
	return w
}}

func compress(b []byte) []byte {
	var buf bytes.Buffer
	buf.Grow(len(b) / 4)
	w := gzipWriters.Get().(*gzip.Writer)
	w.Reset(&buf)
	_, _ = w.Write(b)
	_ = w.Close()
	gzipWriters.Put(w)
	return buf.Bytes()
}

// entityTag is the quoted ETag of the user's entry name under generation.
func entityTag(userID, name, generation string) string {
	h := sha256.New()
	h.Write([]byte(userID))
	h.Write([]byte{0})
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(generation))
	var sum [sha256.Size]byte
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:18]) + `"`
}

// gzipTag is the tag of the gzip copy of the answer whose tag is etag.
func gzipTag(etag string) string { return etag[:len(etag)-1] + `-gzip"` }

// contentLength returns the Content-Length value of x's identity body,
// which is body.
func (v *variants) contentLength(x *variant, body []byte) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if x.bodyLen != len(body) {
		x.lenH, x.bodyLen = []string{strconv.Itoa(len(body))}, len(body)
	}
	return x.lenH
}

// writeEntry answers a GET with the user's cache entry name: 304 when the
// request names its current tag, else 200 with the body (its gzip copy
// when the client accepts gzip), written with one Write. The header values
// come from the entry's variant; the keys are set in their canonical form.
func (s *Server) writeEntry(w http.ResponseWriter, r *http.Request, userID, name string, e cache.Entry) {
	if e.Generation == "" {
		writeJSONBytes(w, e.Body) // loaded without a generation: nothing to name it by
		return
	}
	x := s.variants.get(userID, name, e.Generation)
	h := w.Header()
	h["Cache-Control"] = privateCache
	h["Vary"] = varyEncoding
	var gz []byte
	if len(e.Body) >= gzipMinBytes && acceptsGzip(r.Header["Accept-Encoding"]) {
		gz = s.variants.gzip(userID, name, x, e.Body)
	}
	if gz != nil {
		h["Etag"] = x.gzEtagH
	} else {
		h["Etag"] = x.etagH
	}
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && inm[0] != "" && matchesTag(inm[0], x.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h["Content-Type"] = jsonType
	h["X-Content-Type-Options"] = noSniff
	body := e.Body
	if gz != nil {
		body = gz
		h["Content-Encoding"] = gzipCoding
		h["Content-Length"] = x.gzLenH
	} else {
		h["Content-Length"] = s.variants.contentLength(x, body)
	}
	httpx.WholeResponse(w, len(body))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// matchesTag reports whether an If-None-Match value names etag or its gzip
// copy's tag (weak comparison: a W/ prefix does not matter), or is "*".
func matchesTag(inm, etag string) bool {
	gz := gzipTag(etag)
	for inm != "" {
		var t string
		t, inm, _ = strings.Cut(inm, ",")
		t = strings.TrimSpace(t)
		t = strings.TrimPrefix(t, "W/")
		if t == "*" || t == etag || t == gz {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether Accept-Encoding values accept gzip: named
// (or "*") without q=0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ",")
			coding, params, _ := strings.Cut(item, ";")
			coding = strings.TrimSpace(coding)
			if !strings.EqualFold(coding, "gzip") && !strings.EqualFold(coding, "x-gzip") && coding != "*" {
				continue
			}
			return !zeroQ(params)
		}
	}
	return false
}

// zeroQ reports whether Accept-Encoding parameters give q=0.
func zeroQ(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, val, _ := strings.Cut(strings.TrimSpace(p), "=")
		if strings.EqualFold(strings.TrimSpace(k), "q") {
			q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
			return err == nil && q == 0
		}
	}
	return false
}
