package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/tallyhq/tally"
	"github.com/tallyhq/tally/internal/store"
)

// Limits bound failed attempts. A key (an account, a client address) that
// fails Failures times within Window is refused for Lockout; refused
// attempts cost no password hashing.
type Limits struct {
	AccountFailures int           // per email address
	AddrFailures    int           // per client address
	Window          time.Duration // failures older than this are forgotten
	Lockout         time.Duration
}

// DefaultLimits: 5 wrong passwords or codes in 15 minutes lock an account
// for 15 minutes; 20 lock a client address.
var DefaultLimits = Limits{AccountFailures: 5, AddrFailures: 20, Window: 15 * time.Minute, Lockout: 15 * time.Minute}

// Sealer seals and opens secrets at rest; *secret.Box implements it.
type Sealer interface {
	Seal(plaintext, additional []byte) []byte
	Open(sealed, additional []byte) ([]byte, error)
}

// Gate is the door every sign-in goes through: attempt limits kept in the
// database (so they hold across processes), the password, and the second
// factor when the user turned it on. It also enrolls and removes TOTP.
type Gate struct {
	Store  *store.Store
	Box    Sealer // seals TOTP secrets; two-factor enrolment is refused when nil
	Limits Limits // DefaultLimits when zero
	Issuer string // shown in authenticator apps; "Tally" when empty
}

func (g *Gate) limits() Limits {
	if g.Limits.AccountFailures == 0 {
		return DefaultLimits
	}
	return g.Limits
}

// ErrTOTPRequired is a correct password for an account with two-factor
// sign-in, sent without a code.
var ErrTOTPRequired = tally.Errorf(tally.EUNAUTHORIZED, "this account has two-factor sign-in: send the 6-digit code from the authenticator app (or a recovery code) as totp_code")

// ErrBadCode is a wrong or already used two-factor code.
var ErrBadCode = tally.Errorf(tally.EUNAUTHORIZED, "the two-factor code is incorrect or was already used")

func accountKey(email string) string { return "account:" + strings.ToLower(strings.TrimSpace(email)) }
func addrKey(addr string) string     { return "addr:" + addr }

func rateLimited(until, now time.Time) error {
	wait := until.Sub(now)
	if wait < time.Second {
		wait = time.Second
	}
	e := tally.Errorf(tally.ERATELIMIT, "too many failed attempts; try again in %d minutes", int(math.Ceil(wait.Minutes())))
	e.RetryAfter = wait
	return e
}

// check refuses when any key is locked out now.
func (g *Gate) check(ctx context.Context, keys ...string) error {
	until, err := g.Store.AuthLockedUntil(ctx, keys...)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		return rateLimited(until, g.Store.Now())
	}
	return nil
}

// fail counts a failure under the account and the address; it returns the
// rate-limit error when this failure locked either.
func (g *Gate) fail(ctx context.Context, email, addr string, cause error) error {
	l := g.limits()
	var locked time.Time
	for _, k := range []struct {
		key   string
		limit int
	}{{accountKey(email), l.AccountFailures}, {addrKey(addr), l.AddrFailures}} {
		until, err := g.Store.RecordAuthFailure(ctx, k.key, k.limit, l.Window, l.Lockout)
		if err != nil {
			return err
		}
		if until.After(locked) {
			locked = until
		}
	}
	if !locked.IsZero() {
		return rateLimited(locked, g.Store.Now())
	}
	return cause
}

// SignIn checks an email, password and, for an account with two-factor
// sign-in, code (a TOTP code or a recovery code), for a client at addr.
func (g *Gate) SignIn(ctx context.Context, email, password, code, addr string) (*tally.User, error) {
	if err := g.check(ctx, accountKey(email), addrKey(addr)); err != nil {
		return nil, err
	}
	u, err := SignIn(ctx, g.Store, email, password)
	if tally.ErrorCode(err) == tally.EUNAUTHORIZED {
		return nil, g.fail(ctx, email, addr, err)
	}
	if err != nil {
		return nil, err
	}
	t, err := g.Store.TOTP(ctx, u.ID)
	if err != nil && tally.ErrorCode(err) != tally.ENOTFOUND {
		return nil, err
	}
	if t != nil && t.Confirmed {
		if strings.TrimSpace(code) == "" {
			return nil, ErrTOTPRequired
		}
		ok, err := g.verify(ctx, u.ID, t, code)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, g.fail(ctx, email, addr, ErrBadCode)
		}
	}
	if err := g.Store.ClearAuthFailures(ctx, accountKey(email)); err != nil {
		return nil, err
	}
	return u, nil
}

// Enrollment is a new TOTP secret for the user to add to an authenticator.
type Enrollment struct {
	Secret string // base32, for typing in
	URL    string // otpauth://totp/...
	QRSVG  string // the URL as a QR code, an SVG document
}

// Enroll starts two-factor enrolment: a new secret, not in force until
// Confirm gets a code made from it.
func (g *Gate) Enroll(ctx context.Context, u *tally.User) (*Enrollment, error) {
	if g.Box == nil {
		return nil, tally.Errorf(tally.EUNAVAILABLE, "two-factor sign-in is not available: the server has no secret key")
	}
	issuer := g.Issuer
	if issuer == "" {
		issuer = "Tally"
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Email})
	if err != nil {
		return nil, fmt.Errorf("auth: totp: %w", err)
	}
	if err := g.Store.StartTOTP(ctx, u.ID, g.Box.Seal([]byte(key.Secret()), []byte("totp:"+u.ID))); err != nil {
		return nil, err
	}
	svg, err := QRSVG(key.URL())
	if err != nil {
		return nil, err
	}
	return &Enrollment{Secret: key.Secret(), URL: key.URL(), QRSVG: svg}, nil
}

// RecoveryCodes is how many one-time recovery codes Confirm makes.
const RecoveryCodes = 10

// Confirm turns two-factor sign-in on with a code from the new secret and
// returns the recovery codes, shown once.
func (g *Gate) Confirm(ctx context.Context, u *tally.User, code, addr string) ([]string, error) {
	if err := g.check(ctx, accountKey(u.Email), addrKey(addr)); err != nil {
		return nil, err
	}
	t, err := g.Store.TOTP(ctx, u.ID)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return nil, tally.Errorf(tally.EINVALID, "no two-factor enrolment is waiting; start one first")
	}
	if err != nil {
		return nil, err
	}
	if t.Confirmed {
		return nil, tally.Errorf(tally.ECONFLICT, "two-factor sign-in is already on")
	}
	codes := make([]string, RecoveryCodes)
	hashes := make([]string, RecoveryCodes)
	for i := range codes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("auth: recovery code: %w", err)
		}
		c := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
		codes[i] = c[:8] + "-" + c[8:16]
		hashes[i] = hashRecovery(codes[i])
	}
	step, ok, err := g.matchTOTP(u.ID, t, code)
	if err != nil {
		return nil, err
	}
	if ok {
		ok, err = g.Store.UseTOTPStep(ctx, u.ID, step, true, hashes)
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		return nil, g.fail(ctx, u.Email, addr, ErrBadCode)
	}
	return codes, nil
}

// Disable turns two-factor sign-in off; it takes a current code or a
// recovery code.
func (g *Gate) Disable(ctx context.Context, u *tally.User, code, addr string) error {
	if err := g.check(ctx, accountKey(u.Email), addrKey(addr)); err != nil {
		return err
	}
	t, err := g.Store.TOTP(ctx, u.ID)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return nil // already off
	}
	if err != nil {
		return err
	}
	if t.Confirmed {
		ok, err := g.verify(ctx, u.ID, t, code)
		if err != nil {
			return err
		}
		if !ok {
			return g.fail(ctx, u.Email, addr, ErrBadCode)
		}
	}
	return g.Store.DeleteTOTP(ctx, u.ID)
}

// Enabled reports whether the user has two-factor sign-in on.
func (g *Gate) Enabled(ctx context.Context, userID string) (bool, error) {
	t, err := g.Store.TOTP(ctx, userID)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return t.Confirmed, nil
}

// verify accepts a TOTP code once, or spends a recovery code.
func (g *Gate) verify(ctx context.Context, userID string, t *store.TOTP, code string) (bool, error) {
	code = strings.TrimSpace(code)
	if len(code) == 6 {
		step, ok, err := g.matchTOTP(userID, t, code)
		if err != nil || !ok {
			return false, err
		}
		return g.Store.UseTOTPStep(ctx, userID, step, false, nil)
	}
	return g.Store.UseRecoveryCode(ctx, userID, hashRecovery(code))
}

// period is the TOTP time step; codes of the step before and after are
// accepted too, for clock drift.
const period = 30

// matchTOTP finds the time step whose code is code.
func (g *Gate) matchTOTP(userID string, t *store.TOTP, code string) (int64, bool, error) {
	secret, err := g.Box.Open(t.Secret, []byte("totp:"+userID))
	if err != nil {
		return 0, false, fmt.Errorf("auth: open totp secret of user %s: %w", userID, err)
	}
	code = strings.TrimSpace(code)
	now := g.Store.Now()
	opts := totp.ValidateOpts{Period: period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, d := range []int64{0, -1, 1} {
		at := now.Add(time.Duration(d*period) * time.Second)
		want, err := totp.GenerateCodeCustom(string(secret), at, opts)
		if err != nil {
			return 0, false, fmt.Errorf("auth: totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return at.Unix() / period, true, nil
		}
	}
	return 0, false, nil
}

func hashRecovery(code string) string {
	c := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	sum := sha256.Sum256([]byte("recovery:" + c))
	return hex.EncodeToString(sum[:])
}
