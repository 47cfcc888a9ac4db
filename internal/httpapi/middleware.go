package httpapi

import (
	"net/http"
	"strconv"

	"github.com/tallyhq/tally"
)

// limitBody caps the request body at n bytes: a declared Content-Length over
// the cap is refused at once, and a body that turns out longer fails its
// read with *http.MaxBytesError, which the decoder turns into a 413.
func limitBody(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > n {
			writeError(w, r, nil, tooLarge(n))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, n)
		next.ServeHTTP(w, r)
	})
}

func tooLarge(n int64) error {
	return tally.Errorf(tally.ETOOLARGE, "request body is larger than %s", byteSize(n))
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MiB"
	case n >= 1<<10 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + " KiB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
