package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/tallyhq/tally/internal/config"
)

// pgCluster is a PostgreSQL server of the test's own, on a port of its
// own, which the test may stop and start.
type pgCluster struct {
	t    *testing.T
	bin  string // the directory of initdb and pg_ctl
	dir  string
	port int
	asPG bool // run the server's commands as the postgres user (the test runs as root)
}

// newPGCluster initialises and starts a private cluster from the server
// binaries under /usr/lib/postgresql, or skips when there are none.
func newPGCluster(t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Strings(bins)
	var bin string
	for _, b := range bins {
		if _, err := os.Stat(filepath.Join(b, "initdb")); err == nil {
			if _, err := os.Stat(filepath.Join(b, "pg_ctl")); err == nil {
				bin = b
			}
		}
	}
	if bin == "" {
		t.Skip("no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin: install the postgresql package")
	}
	c := &pgCluster{t: t, bin: bin, asPG: os.Geteuid() == 0}
	dir, err := os.MkdirTemp("/var/tmp", "tally-pg-stop-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if c.asPG {
		// The server refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root needs a postgres user to run the server as: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.dir = filepath.Join(dir, "data")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.port = ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	c.run("initdb", "-D", c.dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
	c.Start()
	t.Cleanup(func() { c.run("pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop") })
	c.run("psql", "-h", "127.0.0.1", "-p", strconv.Itoa(c.port), "-U", "postgres", "-Atqc", "CREATE DATABASE tally", "postgres")
	return c
}

// run runs one of the server's programs and fails the test if it fails.
func (c *pgCluster) run(name string, args ...string) {
	c.t.Helper()
	prog := filepath.Join(c.bin, name)
	if name == "psql" {
		if p, err := exec.LookPath("psql"); err == nil {
			prog = p
		}
	}
	cmd := exec.Command(prog, args...)
	if c.asPG {
		cmd = exec.Command("runuser", append([]string{"-u", "postgres", "--", prog}, args...)...)
	}
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

// URL is the cluster's tally database.
func (c *pgCluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/tally?sslmode=disable", c.port)
}

// Start starts the server and returns once it accepts connections (after
// crash recovery, when it was stopped abruptly).
func (c *pgCluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -c listen_addresses=127.0.0.1 -c unix_socket_directories=%s", c.port, filepath.Dir(c.dir))
	c.run("pg_ctl", "-D", c.dir, "-o", opts, "-l", filepath.Join(filepath.Dir(c.dir), "server.log"), "-w", "-t", "60", "start")
}

// Crash stops the server at once, as a power cut or a killed process
// would: no checkpoint, connections dropped, recovery at the next start.
func (c *pgCluster) Crash() {
	c.t.Helper()
	c.run("pg_ctl", "-D", c.dir, "-m", "immediate", "-w", "stop")
}

// TestReliabilityPostgresStopped stops a real PostgreSQL server
// (pg_ctl stop -m immediate) for 30 s under a bounded load of writes and
// reads, starts it again, and reports the answers while it was down, how
// long after it accepted connections again the first write succeeded, and
// whether every accepted write is stored.
func TestReliabilityPostgresStopped(t *testing.T) {
	reliabilityOnly(t)
	pg := newPGCluster(t)
	m := startWith(t, func(c *config.Config) { c.DatabaseURL = pg.URL() })
	start := time.Now()
	measureOutage(t, m, pg.URL(), pg.Crash, pg.Start)
	t.Logf("scenario took %s", time.Since(start).Round(time.Second))
}
