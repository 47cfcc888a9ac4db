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
