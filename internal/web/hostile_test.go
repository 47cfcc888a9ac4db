package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
)

// hostileValues are what an attacker or a broken client puts in a form
// field, a query parameter or a path: NUL bytes, invalid UTF-8, SQL
// metacharacters, numbers no bank reports, markup, path tricks and sheer
// size.
var hostileValues = []string{
	"\x00", "a\x00b", "\xff\xfe", "' OR 1=1 --", `"; DROP TABLE transactions; --`,
	"-99999999999999999999999.99", "1e309", "NaN", "-0", "9223372036854775808",
	"<script>alert(1)</script>", "../../../etc/passwd", "%00", "2026-13-45", "",
	strings.Repeat("9", 70_000),
}

var fieldNameRE = regexp.MustCompile(`name="([a-z_]+)"`)

// sessionRoutes end or need the session or are the sign-in forms, whose
// attempts are limited per address: they are tried last, once the rest
// have run with a live session.
func sessionRoute(path string) bool {
	return path == "/signin" || path == "/signup" || path == "/signout" || path == "/settings/delete"
}

// Every page and form of the web app, from the handler's own route table,
// given hostile values in every field the pages render, in the query and
// in the path's ids, answers below 500: a refusal the user can read,
// never an internal error. A new route is covered without editing this
// test.
func TestHostileInputOnEveryWebRouteNeverAnswers500(t *testing.T) {
	t.Parallel()
	e, alice := site(t)
	ids := e.webAliceOwns(alice)

	// The field names the pages really render, so forms get hostile values
	// in the fields their handlers read.
	fields := map[string]bool{"q": true, "month": true, "page": true, "cursor": true, "next": true}
	for _, p := range e.patterns {
		method, path, _ := strings.Cut(p, " ")
		if method != "GET" || strings.HasPrefix(path, "/static/") {
			continue
		}
		target := strings.TrimSuffix(strings.ReplaceAll(path, "{id}", ids[path]), "{$}")
		if status, page := e.get(target); status == http.StatusOK {
			for _, m := range fieldNameRE.FindAllStringSubmatch(page, -1) {
				if m[1] != "csrf" {
					fields[m[1]] = true
				}
			}
		}
	}
	if len(fields) < 20 {
		t.Fatalf("found %d form fields on the pages, want the forms' fields: %v", len(fields), fields)
	}
	names := make([]string, 0, len(fields))
	for f := range fields {
		names = append(names, f)
	}
	sort.Strings(names)

	routes := append([]string(nil), e.patterns...)
	sort.SliceStable(routes, func(i, j int) bool {
		_, a, _ := strings.Cut(routes[i], " ")
		_, b, _ := strings.Cut(routes[j], " ")
		return !sessionRoute(a) && sessionRoute(b)
	})
	check := func(what string, status int, page string) {
		t.Helper()
		if strings.HasPrefix(what, "POST /imports ") && status == http.StatusServiceUnavailable &&
			strings.Contains(page, "File import is not available on this server") {
			return // this site has no importer; TestHostileUploads has one
		}
		if status >= 500 {
			t.Errorf("%s: %d %.200s", what, status, pageText(page))
		}
	}
	wild := regexp.MustCompile(`\{[a-z]+\}`)
	tried := 0
	for _, p := range routes {
		method, path, _ := strings.Cut(p, " ")
		if strings.HasPrefix(path, "/static/") {
			continue
		}
		own := firstNonEmpty(ids[path], "groceries")
		path = strings.TrimSuffix(path, "{$}")
		// The owner's own ids (or a real category) with hostile values, and
		// forged ids with a plain form.
		targets := []string{wild.ReplaceAllLiteralString(path, own)}
		if wild.MatchString(path) {
			for _, v := range hostileValues[:12] {
				targets = append(targets, wild.ReplaceAllLiteralString(path, url.PathEscape(v)))
			}
		}
		for _, target := range targets {
			for _, v := range hostileValues {
				switch method {
				case "GET":
					q := url.Values{}
					for _, f := range names {
						q.Set(f, v)
					}
					status, page := e.get(target + "?" + q.Encode())
					check("GET "+target+" with "+short(v), status, page)
				case "POST":
					form := url.Values{}
					for _, f := range names {
						form.Set(f, v)
					}
					res := e.post(target, form, nil)
					check("POST "+target+" with "+short(v), res.StatusCode, body(t, res))
					if !sessionRoute(path) {
						// A form that ended the session (sign out everywhere)
						// must not leave the rest untried.
						if status, _ := e.get("/settings"); status != http.StatusOK {
							e.signIn("alice@example.com")
						}
					}
				}
				tried++
				if target != targets[0] {
					break // a forged id needs one try, not every value
				}
			}
		}
	}
	if tried < 500 {
		t.Fatalf("tried %d requests, want every route with every hostile value", tried)
	}
	t.Logf("%d hostile requests over %d routes and %d fields, none answered 500", tried, len(routes), len(names))
}

// Hostile statement files and file names, uploaded through the import
// page and imported by the job, are refused or imported with a message
// naming what is wrong: the upload never answers 500 and the job never
// fails without saying why.
func TestHostileUploads(t *testing.T) {
	t.Parallel()
	e, svc := newImportSite(t)
	alice := e.user("alice@example.com")
	e.signIn("alice@example.com")
	files := map[string]string{
		"nul.csv":                          "Date,Description,Amount\n2026-03-02,Blue\x00Bottle,-4.50\n",
		"latin1.csv":                       "Date,Description,Amount\n2026-03-02,Caf\xe9 \xff\xfe,-4.50\n",
		"huge.csv":                         "Date,Description,Amount\n2026-03-02,Blue Bottle,-99999999999999999999999.99\n",
		"sql.csv":                          "Date,Description,Amount\n2026-03-02,\"'; DROP TABLE transactions; --\",-4.50\n",
		"dates.csv":                        "Date,Description,Amount\n2026-13-45,Blue Bottle,-4.50\n",
		"cut.ofx":                          "OFXHEADER:100\nDATA:OFXSGML\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS><BANKTRANLIST><STMTTRN><TRNAMT>-4.5",
		"empty.qif":                        "",
		"binary.qfx":                       strings.Repeat("\x00\x01\x02\xff", 4096),
		"camt.xml":                         `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><Document><BkToCstmrStmt>&e;</BkToCstmrStmt></Document>`,
		"mt940.sta":                        ":20:X\n:25:\n:60F:C\n:61:99999999D\n:86:\x00\n",
		strings.Repeat("a", 5000) + ".csv": "Date,Description,Amount\n2026-03-02,Blue Bottle,-4.50\n",
		"../../../etc/passwd.csv":          "Date,Description,Amount\n2026-03-02,Blue Bottle,-4.50\n",
		"<script>.csv":                     "Date,Description,Amount\n2026-03-02,Blue Bottle,-4.50\n",
	}
	accepted := 0
	for name, data := range files {
		res := e.upload(name, []byte(data), e.srv.URL)
		page := body(t, res)
		if res.StatusCode >= 500 {
			t.Errorf("upload %.40q: %d %.200s", name, res.StatusCode, pageText(page))
		}
		if res.StatusCode == http.StatusSeeOther {
			accepted++
		}
	}
	imps, err := e.store.Imports(t.Context(), alice.ID, 100)
	if err != nil || len(imps) != accepted {
		t.Fatalf("%d imports stored (%v), %d uploads accepted", len(imps), err, accepted)
	}
	for _, imp := range imps {
		svc.RunImport(t.Context(), alice.ID, imp.ID, nil) // a refused file is an error here; its record says why
		got, err := e.store.Import(t.Context(), alice.ID, imp.ID)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case got.Status == tally.ImportFailed && got.Message == "":
			t.Errorf("import of %.40q failed without a reason", got.Filename)
		case got.Status != tally.ImportFailed && got.Status != tally.ImportDone:
			t.Errorf("import of %.40q ended %q", got.Filename, got.Status)
		case got.Status == tally.ImportDone && got.Rejected > 0 && len(got.Errors) == 0:
			t.Errorf("import of %.40q rejected %d rows without naming them", got.Filename, got.Rejected)
		}
	}
	status, page := e.get("/imports")
	if status != http.StatusOK || strings.Contains(page, "<script>.csv") {
		t.Errorf("the import page after hostile uploads: %d, file names unescaped: %v", status, strings.Contains(page, "<script>.csv"))
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func short(v string) string {
	if len(v) > 30 {
		return strings.ToValidUTF8(v[:30], "?") + "…"
	}
	return strings.ToValidUTF8(strings.ReplaceAll(v, "\x00", `\0`), "?")
}
