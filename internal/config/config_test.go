package config

import (
	"flag"
	"strings"
	"testing"
)

func TestEnvFallback(t *testing.T) {
	t.Setenv("TALLY_DATABASE_URL", "postgres://example/db")
	t.Setenv("TALLY_ADDR", "127.0.0.1:9999")
	t.Setenv("TALLY_DEMO", "true")
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := Parse(fs, []string{"--addr", "127.0.0.1:7000"}, &c); err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != "postgres://example/db" {
		t.Errorf("DatabaseURL = %q, want the env value", c.DatabaseURL)
	}
	if c.Addr != "127.0.0.1:7000" {
		t.Errorf("Addr = %q, want the flag to win over the env", c.Addr)
	}
	if !c.Demo {
		t.Error("Demo = false, want true from TALLY_DEMO")
	}
}

func TestBadEnvNamed(t *testing.T) {
	t.Setenv("TALLY_WORKERS", "many")
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	err := Parse(fs, nil, &c)
	if err == nil || !strings.Contains(err.Error(), "TALLY_WORKERS") {
		t.Fatalf("err = %v, want one naming TALLY_WORKERS", err)
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"bad role", func(c *Config) { c.Role = "boss" }, false},
		{"bad db url", func(c *Config) { c.DatabaseURL = "mysql://x" }, false},
		{"bad addr", func(c *Config) { c.Addr = "nonsense" }, false},
		{"rescue too short", func(c *Config) { c.RescueAfter = c.JobTimeout }, false},
		{"demo on worker", func(c *Config) { c.Demo = true; c.Role = RoleWorker }, false},
		{"signup open", func(c *Config) { c.Signup = SignupOpen }, true},
		{"signup maybe", func(c *Config) { c.Signup = "maybe" }, false},
	} {
		c := Default()
		tc.mod(&c)
		if err := c.Validate(); (err == nil) != tc.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestValidateReadPath(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		mod     func(*Config)
		wantErr string // "" for valid
	}{
		{"redis", func(c *Config) { c.RedisURL = "redis://127.0.0.1:6379/0" }, ""},
		{"redis without scheme", func(c *Config) { c.RedisURL = "127.0.0.1:6379" }, "--redis-url"},
		{"redis wrong scheme", func(c *Config) { c.RedisURL = "http://:hunter2@cache:6379" }, "want redis://"},
		{"replica", func(c *Config) {
			c.DatabaseURL = "postgres://db/tally"
			c.DatabaseReplicaURL = "postgres://replica:5433/tally"
		}, ""},
		{"replica not postgres", func(c *Config) {
			c.DatabaseURL = "postgres://db/tally"
			c.DatabaseReplicaURL = "sqlite:///tmp/x.db"
		}, "--database-replica-url"},
		{"replica of sqlite", func(c *Config) { c.DatabaseReplicaURL = "postgres://replica:5433/tally" }, "needs a PostgreSQL --database-url"},
	} {
		c := Default()
		tc.mod(&c)
		err := c.Validate()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tc.name, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: Validate() = %v, want an error containing %q", tc.name, err, tc.wantErr)
		case err != nil && strings.Contains(err.Error(), "hunter2"):
			t.Errorf("%s: the error shows the password: %v", tc.name, err)
		}
	}
}

func TestWorkerAddr(t *testing.T) {
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := Parse(fs, []string{"--role", "worker"}, &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != DefaultWorkerAddr {
		t.Errorf("worker Addr = %q, want %q beside the API's default", c.Addr, DefaultWorkerAddr)
	}
	c = Default()
	fs = flag.NewFlagSet("serve", flag.ContinueOnError)
	c.ServeFlags(fs)
	if err := Parse(fs, []string{"--role", "worker", "--addr", "127.0.0.1:8080"}, &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" {
		t.Errorf("worker Addr = %q, want the --addr given", c.Addr)
	}
}
