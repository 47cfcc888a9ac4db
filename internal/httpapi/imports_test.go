package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/blob"
	"github.com/tallyhq/tally/internal/categorize"
	"github.com/tallyhq/tally/internal/httpapi"
	"github.com/tallyhq/tally/internal/httpx"
	"github.com/tallyhq/tally/internal/ingest"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
	"github.com/tallyhq/tally/internal/store"
)

// EnqueueImportTx records an import job; the tests run it themselves.
func (j *fakeJobs) EnqueueImportTx(ctx context.Context, tx *sql.Tx, userID, importID string) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.imports = append(j.imports, importID)
	return nil
}

type importEnv struct {
	*env
	svc *ingest.Service
}

// newImportEnv is an env whose server accepts uploads of at most 1 MiB.
func newImportEnv(t *testing.T) *importEnv {
	t.Helper()
	jobs := &fakeJobs{}
	st := store.New(sqldbtest.Open(t), jobs)
	st.Now = func() time.Time { return now }
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, nil))
	svc := &ingest.Service{Store: st, Blobs: blobs, Categorize: categorize.New(), Logger: logger, Now: func() time.Time { return now }}
	s := &httpapi.Server{Store: st, Importer: svc, Logger: logger, Now: func() time.Time { return now }, MaxImportBytes: 1 << 20, SignupOpen: true}
	mux := http.NewServeMux()
	s.Routes(mux)
	e := &env{t: t, store: st, jobs: jobs, logs: logs}
	e.srv = httptest.NewServer(httpx.Middleware(mux, logger))
	t.Cleanup(e.srv.Close)
	return &importEnv{env: e, svc: svc}
}

// upload posts a multipart body with the file and optional account id.
func (e *importEnv) upload(token, filename string, data []byte, accountID string) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if accountID != "" {
		if err := mw.WriteField("account_id", accountID); err != nil {
			e.t.Fatal(err)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		e.t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/imports", &body)
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	return e.roundTrip(req)
}

func TestImportUploadAndStatus(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	userID, token := e.signUp("ana@example.com")
	csv := "Bank statement\nDate,Description,Amount\n2026-03-02,Blue Bottle Coffee,-4.50\n2026-03-02,Blue Bottle Coffee,-4.50\n2026-03-03,Payroll,\"2,500.00\"\n2026-03-04,Broken,abc\n"
	res := e.upload(token, "checking.csv", []byte(csv), "").want(t, http.StatusAccepted)
	id := res.str("id")
	if id == "" || res.str("status") != "queued" {
		t.Fatalf("got %s, want an id and status queued", res.raw)
	}
	if got := e.jobs.importCount(); got != 1 {
		t.Fatalf("%d import jobs enqueued, want 1", got)
	}
	got := e.do("GET", "/api/v1/imports/"+id, token, nil).want(t, http.StatusOK)
	if got.str("status") != "queued" {
		t.Fatalf("before the job runs: %s", got.raw)
	}
	if _, err := e.svc.RunImport(context.Background(), userID, id, nil); err != nil {
		t.Fatal(err)
	}
	got = e.do("GET", "/api/v1/imports/"+id, token, nil).want(t, http.StatusOK)
	if got.str("status") != "done" || got.body["parsed"] != 3.0 || got.body["inserted"] != 3.0 || got.body["duplicates"] != 0.0 || got.body["rejected"] != 1.0 || got.str("format") != "csv" {
		t.Fatalf("after the job: %s", got.raw)
	}
	errs := got.list("errors")
	if len(errs) != 1 || errs[0]["line"] != 6.0 || !strings.Contains(errs[0]["reason"].(string), "abc") {
		t.Fatalf("got errors %v, want line 6 naming the bad amount", errs)
	}
	// Both coffees are listed; the same file again adds nothing.
	if n := len(e.do("GET", "/api/v1/transactions?account_id="+got.str("account_id"), token, nil).want(t, http.StatusOK).list("transactions")); n != 3 {
		t.Fatalf("account lists %d transactions, want 3", n)
	}
	id2 := e.upload(token, "checking.csv", []byte(csv), got.str("account_id")).want(t, http.StatusAccepted).str("id")
	if _, err := e.svc.RunImport(context.Background(), userID, id2, nil); err != nil {
		t.Fatal(err)
	}
	again := e.do("GET", "/api/v1/imports/"+id2, token, nil).want(t, http.StatusOK)
	if again.body["inserted"] != 0.0 || again.body["duplicates"] != 3.0 {
		t.Fatalf("re-import: %s, want 0 inserted and 3 duplicates", again.raw)
	}

	// Another user sees neither the import nor the account.
	_, other := e.signUp("bo@example.com")
	e.do("GET", "/api/v1/imports/"+id, other, nil).wantError(t, http.StatusNotFound, "not_found", "import")
	e.upload(other, "x.csv", []byte(csv), got.str("account_id")).wantError(t, http.StatusNotFound, "not_found", "account")
}

func TestImportUploadRefusals(t *testing.T) {
	t.Parallel()
	e := newImportEnv(t)
	_, token := e.signUp("ana@example.com")
	big := bytes.Repeat([]byte("2026-03-02,Coffee,-4.50\n"), (1<<20)/20)
	e.upload(token, "big.csv", append([]byte("Date,Description,Amount\n"), big...), "").wantError(t, http.StatusRequestEntityTooLarge, "payload_too_large", "larger than")
	e.upload(token, "report.xml", []byte(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.052.001.02">`), "").wantError(t, http.StatusUnprocessableEntity, "unprocessable", "camt.052")
	e.upload(token, "scan.pdf", []byte("%PDF-1.4\n..."), "").wantError(t, http.StatusUnprocessableEntity, "unprocessable", "PDF")
	e.do("POST", "/api/v1/imports", token, map[string]string{"file": "x"}).wantError(t, http.StatusBadRequest, "invalid_argument", "multipart")
	e.do("GET", "/api/v1/imports/nope", token, nil).wantError(t, http.StatusNotFound, "not_found")
	if n := e.jobs.importCount(); n != 0 {
		t.Fatalf("refused uploads enqueued %d jobs", n)
	}
}

func (j *fakeJobs) importCount() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.imports)
}
