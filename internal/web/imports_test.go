package web_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
	"github.com/tallyhq/tally/internal/web"
)

// importJobs accepts the import job an upload enqueues; the test runs it.
type importJobs struct{ store.NoJobs }

func (importJobs) EnqueueSyncTx(context.Context, *sql.Tx, string, string) error   { return nil }
func (importJobs) EnqueueImportTx(context.Context, *sql.Tx, string, string) error { return nil }

func newImportSite(t *testing.T) (*env, *ingest.Service) {
	t.Helper()
	st := store.New(sqldbtest.Open(t), importJobs{})
	st.Now = func() time.Time { return now }
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := &ingest.Service{Store: st, Blobs: blobs, Categorize: categorize.New(), Logger: slog.New(slog.DiscardHandler)}
	h, err := web.New(web.Config{Store: st, Logger: slog.New(slog.DiscardHandler), Now: func() time.Time { return now }, Importer: svc})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	h.Routes(mux)
	srv := httptest.NewServer(httpx.Middleware(mux, slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	client := srv.Client()
	client.Jar = jar
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &env{t: t, store: st, srv: srv, client: client}, svc
}

func (e *env) upload(name string, data []byte, origin string) *http.Response {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.WriteField("account_id", "")
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/imports?csrf="+e.csrf(), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", origin)
	res, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return res
}

func TestImportPage(t *testing.T) {
	t.Parallel()
	e, svc := newImportSite(t)
	if status, _ := e.get("/imports"); status != http.StatusSeeOther {
		t.Fatalf("a visitor got %d, want a redirect to sign in", status)
	}
	alice := e.user("alice@example.com")
	if res := e.post("/signin", url.Values{"email": {"alice@example.com"}, "password": {"password123"}}, nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", res.StatusCode)
	}
	if _, page := e.get("/"); !strings.Contains(page, `href="/imports"`) {
		t.Fatal("the dashboard does not link to the import page")
	}
	status, page := e.get("/imports")
	if status != 200 || !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, "No files imported yet.") {
		t.Fatalf("GET /imports = %d: %s", status, page)
	}

	csv := "Date,Description,Amount\n2026-03-02,Blue Bottle Coffee,-4.50\n2026-03-02,Blue Bottle Coffee,-4.50\n2026-03-03,Broken,abc\n"
	res := e.upload("checking.csv", []byte(csv), e.srv.URL)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/imports" {
		t.Fatalf("upload = %d %s, want a redirect to /imports", res.StatusCode, body(t, res))
	}
	_, page = e.get("/imports")
	if !strings.Contains(page, "checking.csv") || !strings.Contains(page, "queued") || !strings.Contains(page, `http-equiv="refresh"`) {
		t.Fatalf("after the upload the page shows: %s", page)
	}
	imps, err := e.store.Imports(context.Background(), alice.ID, 10)
	if err != nil || len(imps) != 1 {
		t.Fatalf("imports %v %v", imps, err)
	}
	if _, err := svc.RunImport(context.Background(), alice.ID, imps[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	_, page = e.get("/imports")
	for _, want := range []string{"done", `<td data-label="New" class="num">2</td>`, "Line 4: amount &#34;abc&#34; is not a number"} {
		if !strings.Contains(page, want) {
			t.Fatalf("after the import the page lacks %q: %s", want, page)
		}
	}
	if strings.Contains(page, `http-equiv="refresh"`) {
		t.Fatal("the page keeps refreshing after the import finished")
	}

	res = e.upload("scan.pdf", []byte("%PDF-1.4\n"), e.srv.URL)
	if page := body(t, res); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(page, "PDF") {
		t.Fatalf("a PDF: %d %s", res.StatusCode, page)
	}
	if res := e.upload("x.csv", []byte(csv), "https://evil.example"); res.StatusCode != http.StatusForbidden {
		t.Fatalf("a cross-origin upload got %d, want 403", res.StatusCode)
	}
}
