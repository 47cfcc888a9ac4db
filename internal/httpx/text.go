package httpx

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/tallyhq/tally"
)

// maxCheckedForm is how much of a form body refuseBadText reads to check
// it; forms are small, and larger bodies pass on unchecked.
const maxCheckedForm = 1 << 20

// BadText names the first part of a request that holds a NUL byte or
// invalid UTF-8: "path", "query parameter q", "form field email"; "" when
// the request is clean. Neither belongs in any text Tally stores, and
// PostgreSQL refuses both, so they are turned away before any query.
func BadText(r *http.Request) string {
	if !cleanText(r.URL.Path) {
		return "path"
	}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err == nil {
			for k, vs := range q {
				if !cleanText(k) {
					return "query parameter name"
				}
				for _, v := range vs {
					if !cleanText(v) {
						return "query parameter " + safeName(k)
					}
				}
			}
		}
	}
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return ""
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/x-www-form-urlencoded" {
		return ""
	}
	// The body read here is put back for the handler.
	head, err := io.ReadAll(io.LimitReader(r.Body, maxCheckedForm+1))
	rest := r.Body
	r.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), rest), rest}
	if err != nil || len(head) > maxCheckedForm {
		return ""
	}
	form, err := url.ParseQuery(string(head))
	if err != nil {
		return ""
	}
	for k, vs := range form {
		for _, v := range vs {
			if !cleanText(k) || !cleanText(v) {
				return "form field " + safeName(k)
			}
		}
	}
	return ""
}

// cleanText reports whether s is valid UTF-8 without NUL bytes.
func cleanText(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// safeName is a parameter name fit to repeat in a message.
func safeName(k string) string {
	if !cleanText(k) || len(k) > 40 {
		return "(unnamed)"
	}
	return strconvQuote(k)
}

func strconvQuote(s string) string { return "\"" + strings.ReplaceAll(s, "\"", "'") + "\"" }

// CheckJSONText refuses a JSON body that is not UTF-8 or that holds a NUL
// character, raw or escaped as \u0000 (encoding/json would otherwise pass
// the first on as U+FFFD and the second into a query).
func CheckJSONText(body []byte) error {
	if !utf8.Valid(body) {
		return tally.Errorf(tally.EINVALID, "request body is not valid UTF-8")
	}
	if bytes.IndexByte(body, 0) >= 0 {
		return tally.Errorf(tally.EINVALID, "request body holds a NUL byte")
	}
	for i := 0; ; {
		j := bytes.Index(body[i:], []byte(`\u0000`))
		if j < 0 {
			return nil
		}
		at := i + j
		// An escape only when the backslash is not itself escaped.
		n := 0
		for k := at - 1; k >= 0 && body[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return tally.Errorf(tally.EINVALID, `request body holds a NUL character (\u0000), which no field accepts`)
		}
		i = at + 6
	}
}
