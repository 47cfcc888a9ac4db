package auth_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/auth"
)

// cheap keeps the suite fast; the format and logic are the same.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashAndVerify(t *testing.T) {
	t.Parallel()
	h, err := cheap.Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$`).MatchString(h) {
		t.Fatalf("got hash %q, want a PHC argon2id string", h)
	}
	ok, err := auth.VerifyPassword("correct horse battery staple", h)
	if err != nil || !ok {
		t.Fatalf("got %v, %v for the right password, want true, nil", ok, err)
	}
	ok, err = auth.VerifyPassword("correct horse battery stapler", h)
	if err != nil || ok {
		t.Fatalf("got %v, %v for a wrong password, want false, nil", ok, err)
	}
	h2, _ := cheap.Hash("correct horse battery staple")
	if h2 == h {
		t.Fatal("two hashes of one password are equal; want distinct salts")
	}
}

func TestDefaultParams(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("hunter2hunter2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("got %q, want the default parameters", h)
	}
	if ok, err := auth.VerifyPassword("hunter2hunter2", h); err != nil || !ok {
		t.Fatalf("got %v, %v, want true, nil", ok, err)
	}
	if auth.NeedsRehash(h) {
		t.Fatal("a hash made with DefaultParams needs rehash")
	}
	h, _ = cheap.Hash("hunter2hunter2")
	if !auth.NeedsRehash(h) {
		t.Fatal("a hash made with other params does not need rehash")
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	good, _ := cheap.Hash("password123")
	parts := strings.Split(good, "$")
	for _, tc := range []struct{ name, hash string }{
		{"empty", ""},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", strings.Replace(good, "argon2id", "argon2i", 1)},
		{"version", strings.Replace(good, "v=19", "v=16", 1)},
		{"missing part", strings.Join(parts[:5], "$")},
		{"bad param", strings.Replace(good, "m=64", "m=abc", 1)},
		{"unknown param", strings.Replace(good, "p=1", "p=1,x=2", 1)},
		{"zero time", strings.Replace(good, "t=1", "t=0", 1)},
		{"huge memory", strings.Replace(good, "m=64", "m=4194304", 1)},
		{"missing memory", strings.Replace(good, "m=64,", "", 1)},
		{"bad salt", strings.Join(append(append([]string{}, parts[:4]...), "!!!", parts[5]), "$")},
		{"short hash", strings.Join(append(append([]string{}, parts[:5]...), "AAAA"), "$")},
	} {
		ok, err := auth.VerifyPassword("password123", tc.hash)
		if ok || !errors.Is(err, auth.ErrMalformedHash) {
			t.Errorf("%s: got %v, %v, want false, ErrMalformedHash", tc.name, ok, err)
		}
	}
}

func TestCheckPassword(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"1234567", false},
		{"12345678", true},
		{"ééééééé", false}, // 7 characters, 14 bytes
		{"éééééééé", true},
		{strings.Repeat("a", 1024), true},
		{strings.Repeat("a", 1025), false},
		{"bad\xffutf8 password", false},
	} {
		err := auth.CheckPassword(tc.password)
		if (err == nil) != tc.ok {
			t.Errorf("CheckPassword(%.20q): got %v, want ok=%v", tc.password, err, tc.ok)
		}
		if err != nil && tally.ErrorCode(err) != tally.EINVALID {
			t.Errorf("CheckPassword(%.20q): got code %s, want %s", tc.password, tally.ErrorCode(err), tally.EINVALID)
		}
	}
}

func TestTokens(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`^[A-Za-z0-9_-]{43}$`).MatchString(tok) {
			t.Fatalf("got token %q, want 43 base64url characters", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
	}
	// echo -n abc | sha256sum
	if got, want := auth.HashToken("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestSpendDummyVerify(t *testing.T) {
	t.Parallel()
	auth.SpendDummyVerify("anything") // must not panic or fail
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := auth.HashPassword("correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
