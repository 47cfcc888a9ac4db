// Package auth holds Tally's credentials logic: argon2id password hashes in
// the PHC string format, the password policy, and the random tokens behind API
// keys and web sessions (only their SHA-256 is ever stored).
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/tallyhq/tally"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over the memory
	Threads uint8
	SaltLen uint32 // bytes
	KeyLen  uint32 // bytes
}

// DefaultParams are the parameters new hashes use: OWASP's first argon2id
// recommendation (19 MiB, 2 passes, 1 lane), about 45 ms on one core of the
// 2-core development machine. Verification always uses the parameters stored
// in the hash, so raising these later keeps old hashes valid. Tests may
// lower them (in TestMain, before any goroutine hashes).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds on the parameters accepted from a stored hash, so a corrupt or
// hostile row cannot make one verification take gigabytes or minutes.
const (
	maxMemory  = 1 << 20 // 1 GiB in KiB
	maxTime    = 64
	maxKeyLen  = 1024
	minSaltLen = 8
)

// Password policy.
const (
	MinPasswordLen = 8    // characters
	MaxPasswordLen = 1024 // characters
)

// ErrMalformedHash is returned for a stored hash that is not an argon2id PHC
// string this package can verify.
var ErrMalformedHash = errors.New("auth: malformed password hash")

// hashSlots bounds how many hashes run at once: each holds Params.Memory, and
// more than one per core only makes every sign-in slower.
var hashSlots = make(chan struct{}, runtime.GOMAXPROCS(0))

func idKey(password, salt []byte, p Params) []byte {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	return argon2.IDKey(password, salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

var b64 = base64.RawStdEncoding

// CheckPassword enforces the password policy: between MinPasswordLen and
// MaxPasswordLen characters of valid UTF-8. Its error is a tally EINVALID
// whose message can be shown to the user.
func CheckPassword(password string) error {
	if !utf8.ValidString(password) {
		return tally.Errorf(tally.EINVALID, "password is not valid UTF-8")
	}
	n := utf8.RuneCountInString(password)
	if n < MinPasswordLen {
		return tally.Errorf(tally.EINVALID, "password must be at least %d characters", MinPasswordLen)
	}
	if n > MaxPasswordLen {
		return tally.Errorf(tally.EINVALID, "password must be at most %d characters", MaxPasswordLen)
	}
	return nil
}

// HashPassword hashes password with DefaultParams.
func HashPassword(password string) (string, error) {
	return DefaultParams.Hash(password)
}

// Hash hashes password with p and a random salt, returning a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH (unpadded standard base64).
func (p Params) Hash(password string) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.KeyLen == 0 || p.SaltLen < minSaltLen {
		return "", fmt.Errorf("auth: invalid argon2id parameters %+v", p)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := idKey([]byte(password), salt, p)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches the PHC string encoded,
// comparing in constant time. A hash it cannot parse is ErrMalformedHash,
// never a silent false.
func VerifyPassword(password, encoded string) (bool, error) {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false, err
	}
	got := idKey([]byte(password), salt, p)
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether encoded was made with parameters other than
// DefaultParams, so a caller can upgrade it after a successful sign-in.
func NeedsRehash(encoded string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	d := DefaultParams
	return p.Memory != d.Memory || p.Time != d.Time || p.Threads != d.Threads ||
		uint32(len(salt)) != d.SaltLen || uint32(len(key)) != d.KeyLen
}

// dummyHash is verified against when a sign-in names an unknown email, so the
// answer takes as long as for a known one.
var dummyHash = sync.OnceValue(func() string {
	h, err := DefaultParams.Hash("tally-dummy-password")
	if err != nil {
		return ""
	}
	return h
})

// SpendDummyVerify spends the time of one verification with DefaultParams.
// Sign-in handlers call it when the email is unknown, so response times do
// not reveal which emails have accounts.
func SpendDummyVerify(password string) {
	_, _ = VerifyPassword(password, dummyHash())
}

func decodeHash(encoded string) (p Params, salt, key []byte, err error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, nil, nil, ErrMalformedHash
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	var seen [3]bool
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, ErrMalformedHash
		}
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
		}
		switch k {
		case "m":
			p.Memory, seen[0] = uint32(n), true
		case "t":
			p.Time, seen[1] = uint32(n), true
		case "p":
			if n > 255 {
				return p, nil, nil, fmt.Errorf("%w: parameter %q", ErrMalformedHash, kv)
			}
			p.Threads, seen[2] = uint8(n), true
		default:
			return p, nil, nil, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return p, nil, nil, fmt.Errorf("%w: missing parameters", ErrMalformedHash)
	}
	if p.Memory == 0 || p.Memory > maxMemory || p.Time == 0 || p.Time > maxTime || p.Threads == 0 || p.Memory < 8*uint32(p.Threads) {
		return p, nil, nil, fmt.Errorf("%w: parameters out of range", ErrMalformedHash)
	}
	salt, err = b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen {
		return p, nil, nil, fmt.Errorf("%w: salt", ErrMalformedHash)
	}
	key, err = b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > maxKeyLen {
		return p, nil, nil, fmt.Errorf("%w: hash", ErrMalformedHash)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	return p, salt, key, nil
}
