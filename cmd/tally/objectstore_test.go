package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
	"github.com/tallyhq/tally/internal/sqldb/sqldbtest"
)

// serve refuses to start on an object store it cannot use, naming the
// store's URL and never the credentials.
func TestServeRefusesAnUnusableObjectStore(t *testing.T) {
	const secret = "s3cr3t-never-printed"
	t.Setenv("AWS_ACCESS_KEY_ID", "tally-key")
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	for _, tt := range []struct {
		name   string
		status int
		want   string
	}{
		{"bad credentials", http.StatusForbidden, "refused access"},
		{"missing bucket", http.StatusNotFound, `bucket "tally" does not exist`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
			}))
			defer srv.Close()
			c := config.Default()
			c.Addr = "127.0.0.1:0"
			c.DataDir = t.TempDir()
			c.DatabaseURL = testDatabaseURL(t, c.DataDir)
			c.BlobURL = "s3://tally/raw?endpoint=" + srv.URL + "&region=us-east-1"
			m := &Main{Config: c, Stdout: io.Discard, Logger: newLogger(&config.Config{LogLevel: "error"}, io.Discard)}
			err := m.Run(context.Background())
			m.Close()
			if err == nil {
				t.Fatal("serve started on an unusable object store")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) || !strings.Contains(msg, "s3://tally/raw?endpoint=") {
				t.Fatalf("error %q should say %q and name the store", msg, tt.want)
			}
			if strings.Contains(msg, secret) {
				t.Fatalf("error %q shows the secret key", msg)
			}
		})
	}
}

// An upload accepted by an API process is imported by a worker process
// with another data directory: they share only PostgreSQL and the object
// store.
func TestUploadIsImportedByAWorkerOnAnotherHost(t *testing.T) {
	s3URL := os.Getenv("TALLY_TEST_S3_URL")
	if s3URL == "" || sqldbtest.Dialect() != "postgres" {
		t.Skip("needs TALLY_TEST_DATABASE_URL (PostgreSQL) and TALLY_TEST_S3_URL (an S3-compatible server); .ci/run sets both")
	}
	dbURL := sqldbtest.Open(t).URL
	process := func(role string) *Main {
		c := config.Default()
		c.Addr = "127.0.0.1:0"
		c.DataDir = t.TempDir()
		c.DatabaseURL = dbURL
		c.BlobURL = s3URL
		c.Role = role
		c.SecretKey = strings.Repeat("ab", 32)
		c.JobTimeout = time.Minute
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		return startMainOn(t, c)
	}
	api := process(config.RoleAPI)
	worker := process(config.RoleWorker)
	if api.Config.DataDir == worker.Config.DataDir {
		t.Fatal("the processes share a data dir")
	}

	alice, _ := signUp(t, api.URL(), "s3@example.com")
	data, err := os.ReadFile("../../internal/source/file/testdata/quicken_bank.qif")
	if err != nil {
		t.Fatal(err)
	}
	// The worker process imports what the API process accepted.
	got := alice.importFile("quicken_bank.qif", string(data))
	if got["status"] != "done" || got["inserted"] != 5.0 {
		t.Fatalf("import = %v, want done with 5 inserted", got)
	}
	// Nothing went through either process's data directory.
	for _, m := range []*Main{api, worker} {
		if entries, _ := os.ReadDir(m.Config.DataDir + "/blobs"); len(entries) > 0 {
			t.Fatalf("%s wrote %d entries to its local blobs directory", m.Config.Role, len(entries))
		}
	}
}
