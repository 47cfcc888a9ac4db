package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	gosync "sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/tallyhq/tally/internal/httpapi"
)

var spec struct {
	once   gosync.Once
	doc    *openapi3.T
	router routers.Router
	err    error
}

// openAPI loads and checks openapi.json once per test binary.
func openAPI() (*openapi3.T, routers.Router, error) {
	spec.once.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(httpapi.OpenAPI)
		if err != nil {
			spec.err = fmt.Errorf("load openapi.json: %w", err)
			return
		}
		if err := doc.Validate(loader.Context); err != nil {
			spec.err = fmt.Errorf("openapi.json is not a valid OpenAPI document: %w", err)
			return
		}
		spec.doc = doc
		spec.router, spec.err = legacy.NewRouter(doc)
	})
	return spec.doc, spec.router, spec.err
}

// checkOpenAPI validates one answer against openapi.json. A path the API
// does not have must answer the error shape with 404.
func checkOpenAPI(req *http.Request, res *http.Response, raw []byte) error {
	doc, router, err := openAPI()
	if err != nil {
		return err
	}
	// The router matches the documented server, /api/v1, on any host.
	u := *req.URL
	u.Scheme, u.Host = "", ""
	r := req.Clone(context.Background())
	r.URL = &u
	r.Host = ""
	route, params, err := router.FindRoute(r)
	if err != nil {
		if res.StatusCode != http.StatusNotFound {
			return fmt.Errorf("no operation matches: %v", err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("404 body is not JSON: %v", err)
		}
		return doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020())
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: r, PathParams: params, Route: route,
			Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
		},
		Status: res.StatusCode,
		Header: res.Header,
		Body:   io.NopCloser(bytes.NewReader(raw)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

func TestOpenAPIServedAndValid(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	res := e.do("GET", "/api/v1/openapi.json", "", nil).want(t, http.StatusOK)
	if res.str("openapi") != "3.1.0" {
		t.Fatalf("got openapi %q, want 3.1.0", res.str("openapi"))
	}
	if _, _, err := openAPI(); err != nil {
		t.Fatal(err)
	}
}

// Every route the server registers is described.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	t.Parallel()
	doc, _, err := openAPI()
	if err != nil {
		t.Fatal(err)
	}
	routes := registeredRoutes(t)
	if len(routes) < 20 {
		t.Fatalf("found only %d routes in the package's source: %v", len(routes), routes)
	}
	var missing []string
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt, " ")
		item := doc.Paths.Find(path)
		if item == nil || item.GetOperation(method) == nil {
			missing = append(missing, rt)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("routes not in openapi.json: %v", missing)
	}
}

// registeredRoutes reads the METHOD /path patterns the package registers
// from its source: "GET "+v1+"/accounts" and "GET /api/v1/imports/{id}".
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"(GET|POST|PUT|PATCH|DELETE) (?:"\+v1\+"|/api/v1)(/[^"]*)"`)
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			out = append(out, m[1]+" "+m[2])
		}
	}
	return out
}
