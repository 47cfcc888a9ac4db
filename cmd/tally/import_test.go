package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// An uploaded file is imported by the server's job: the API answers at once
// and the import's status moves to done.
func TestUploadedFileIsImportedByTheJob(t *testing.T) {
	t.Parallel()
	m := startMain(t, false)
	alice, _ := signUp(t, m.URL(), "imp@example.com")
	data, err := os.ReadFile("../../internal/source/file/testdata/quicken_bank.qif")
	if err != nil {
		t.Fatal(err)
	}
	got := alice.importFile("quicken_bank.qif", string(data))
	if got["status"] != "done" || got["inserted"] != 5.0 || got["rejected"] != 2.0 || len(got["errors"].([]any)) != 2 {
		t.Fatalf("import = %v, want done with 5 inserted and 2 rejected", got)
	}
	if n := len(alice.allTransactions("account_id=" + got["account_id"].(string))); n != 5 {
		t.Fatalf("the account lists %d transactions, want 5", n)
	}
}

// importFile uploads a statement file through POST /api/v1/imports and
// returns the import once a worker has finished it (done or failed).
func (c *client) importFile(name, data string) map[string]any {
	c.t.Helper()
	ct, body := multipartFile(name, data)
	req, _ := http.NewRequest("POST", c.base+"/api/v1/imports", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var created map[string]any
	if err := json.Unmarshal(raw, &created); err != nil || res.StatusCode != http.StatusAccepted {
		c.t.Fatalf("POST /imports = %d %s, want 202", res.StatusCode, raw)
	}
	id, _ := created["id"].(string)
	var got map[string]any
	eventually(c.t, jobWait, "the import of "+name, func() bool {
		got = c.must(200, "GET", "/api/v1/imports/"+id, nil)
		return got["status"] == "done" || got["status"] == "failed"
	})
	return got
}

// multipartFile is a form upload of one file: its content type and body.
func multipartFile(name, data string) (string, io.Reader) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	io.WriteString(fw, data)
	mw.Close()
	return mw.FormDataContentType(), &body
}

func TestImportCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args := []string{"--data-dir", dir}
	if u := testDatabaseURL(t, dir); u != "" {
		args = append(args, "--database-url", u)
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, append([]string{"user", "add", "--email", "gus@example.com"}, args...), strings.NewReader("a long enough password\n"), &out, &errOut); err != nil {
		t.Fatal(err, errOut.String())
	}
	csv := filepath.Join(dir, "card.csv")
	if err := os.WriteFile(csv, []byte("Date,Description,Amount\n2026-01-02,Coffee,-4.50\n2026-01-02,Coffee,-4.50\n2026-01-03,Bad,x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	imp := append(append([]string{"import", "--email", "gus@example.com"}, args...), csv)
	out.Reset()
	if err := run(ctx, imp, nil, &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s", err, out.String())
	}
	if s := out.String(); !strings.Contains(s, "2 new, 0 already stored, 1 rows rejected") || !strings.Contains(s, "line 4:") {
		t.Fatalf("import printed %q", s)
	}
	out.Reset()
	if err := run(ctx, imp, nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "0 new, 2 already stored") {
		t.Fatalf("second import printed %q, want nothing new", s)
	}
	// Profiles of an import, on request.
	cpu, heap := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "heap.pprof")
	out.Reset()
	if err := run(ctx, append(append([]string{"import", "--email", "gus@example.com", "--cpuprofile", cpu, "--memprofile", heap}, args...), csv), nil, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{cpu, heap} {
		if fi, err := os.Stat(p); err != nil || fi.Size() == 0 {
			t.Errorf("profile %s: %v, want a written profile", p, err)
		}
	}
	pdf := filepath.Join(dir, "scan.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4\n"), 0o600)
	out.Reset()
	err := run(ctx, append(append([]string{"import", "--email", "gus@example.com"}, args...), pdf), nil, &out, &errOut)
	if err == nil || !strings.Contains(out.String(), "PDF") {
		t.Fatalf("a PDF: got %v, %q; want a refusal naming PDF", err, out.String())
	}
	if err := run(ctx, append([]string{"import", "--email", "nobody@example.com"}, append(args, csv)...), nil, &out, &errOut); err == nil {
		t.Fatal("an unknown user's import succeeded")
	}
}

// The progress bar's estimate counts OFX transactions in any letter case,
// also when a tag spans two of the blocks the file is read in.
func TestEstimateRows(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("OFXHEADER:100\n<OFX>")
	for b.Len() < 256<<10-4 {
		b.WriteString(" ")
	}
	b.WriteString("<STMTTRN><TRNAMT>1</STMTTRN><stmttrn><TRNAMT>2</stmttrn><StmtTrn></StmtTrn></OFX>")
	n, err := estimateRows(strings.NewReader(b.String()), "ofx")
	if err != nil || n != 3 {
		t.Errorf("got %d, %v; want 3", n, err)
	}
	if n, _ := estimateRows(strings.NewReader("a\nb\nc\n"), "csv"); n != 3 {
		t.Errorf("CSV: got %d lines, want 3", n)
	}
}

func TestProgressBar(t *testing.T) {
	t.Parallel()
	if got := progressBar("f.csv", 50, 100); !strings.Contains(got, " 50% 50/100 rows") || strings.Count(got, "=") != 15 {
		t.Errorf("progressBar = %q", got)
	}
	if got := progressBar("f.csv", 7, 0); !strings.Contains(got, "100%") {
		t.Errorf("progressBar with no estimate = %q", got)
	}
}

// POST /connections {kind: simplefin} against the demo bank's SimpleFIN
// bridge: the token is claimed, the accounts listed, and the first sync
// (a River job) stores the bank's transactions.
func TestSimpleFINThroughTheDemoBridge(t *testing.T) {
	t.Parallel()
	m := startMain(t, true)
	carl, _ := signUp(t, m.URL(), "carl@example.com")
	token := base64.StdEncoding.EncodeToString([]byte(m.URL() + "/demobank/simplefin/claim/carl"))
	got := carl.must(201, "POST", "/api/v1/connections", map[string]string{"kind": "simplefin", "setup_token": token})
	if got["kind"] != "simplefin" || len(got["accounts"].([]any)) != 4 || strings.Contains(got["url"].(string), "demo@") {
		t.Fatalf("POST /connections = %v", got)
	}
	connID := got["id"].(string)
	eventually(t, jobWait, "the first SimpleFIN sync", func() bool { return connectionStatus(carl, connID) == "active" })
	if n, want := len(carl.allTransactions("")), bankCount("carl"); n != want {
		t.Fatalf("GET /transactions has %d, the bank %d", n, want)
	}
}

// A login the institution refuses puts the connection in needs_attention;
// the refresh button then refuses to retry it until new credentials are
// accepted, after which it syncs again.
func TestRefusedLoginWaitsForNewCredentials(t *testing.T) {
	t.Parallel()
	m, bankURL := startWithBank(t)
	dora, _ := signUp(t, m.URL(), "dora@example.com")
	got := dora.must(201, "POST", "/api/v1/connections", map[string]string{"kind": "ofx", "url": bankURL, "login": "dora", "password": "pw"})
	connID := got["id"].(string)
	eventually(t, jobWait, "the first sync", func() bool { return connectionStatus(dora, connID) == "active" })
	settleSyncJobs(t, m)

	// The password changes at the bank.
	sealed := m.Sync.Box.Seal([]byte("wrong"), []byte(connID))
	if _, err := m.DB.Exec(m.DB.Rebind(`UPDATE connections SET secret = ? WHERE id = ?`), sealed, connID); err != nil {
		t.Fatal(err)
	}
	dora.must(202, "POST", "/api/v1/connections/"+connID+"/refresh", nil)
	eventually(t, jobWait, "needs_attention", func() bool { return connectionStatus(dora, connID) == "needs_attention" })
	settleSyncJobs(t, m)
	status, body := dora.do("POST", "/api/v1/connections/"+connID+"/refresh", nil)
	if status != 409 || !strings.Contains(body["error"].(map[string]any)["message"].(string), "update the credentials") {
		t.Fatalf("refresh of a refused login = %d %v, want 409 asking for new credentials", status, body)
	}
	dora.must(422, "PATCH", "/api/v1/connections/"+connID, map[string]string{"password": "wrong"})
	patched := dora.must(200, "PATCH", "/api/v1/connections/"+connID, map[string]string{"password": "new-pw"})
	if patched["status"] != "syncing" {
		t.Fatalf("PATCH = %v, want syncing", patched)
	}
	eventually(t, jobWait, "the sync with the new password", func() bool { return connectionStatus(dora, connID) == "active" })
	// The refresh button works again, within its cooldown rules.
	if status, _ := dora.do("POST", "/api/v1/connections/"+connID+"/refresh", nil); status != 429 {
		t.Fatalf("refresh within a minute of the last = %d, want 429", status)
	}
}
