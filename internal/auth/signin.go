package auth

import (
	"context"
	"errors"
	"fmt"

	"github.com/tallyhq/tally"
)

// Users finds a user and their password hash by email; *store.Store
// implements it.
type Users interface {
	UserByEmail(ctx context.Context, email string) (*tally.User, string, error)
}

// ErrBadCredentials is the one answer to a failed sign-in, whichever part
// was wrong.
var ErrBadCredentials = tally.Errorf(tally.EUNAUTHORIZED, "email or password is incorrect")

// SignIn checks an email and password. Any mismatch, an unknown email
// included, is ErrBadCredentials after the same amount of hashing work, so
// neither the answer nor its timing tells which emails have accounts. A
// stored hash that cannot be parsed is an internal error wrapping
// ErrMalformedHash.
func SignIn(ctx context.Context, users Users, email, password string) (*tally.User, error) {
	if email == "" || password == "" || len(password) > 4*MaxPasswordLen {
		return nil, ErrBadCredentials
	}
	u, hash, err := users.UserByEmail(ctx, email)
	if tally.ErrorCode(err) == tally.ENOTFOUND {
		SpendDummyVerify(password)
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, err
	}
	ok, err := VerifyPassword(password, hash)
	if errors.Is(err, ErrMalformedHash) {
		return nil, fmt.Errorf("auth: sign in user %s: %w", u.ID, err)
	}
	if err != nil || !ok {
		return nil, ErrBadCredentials
	}
	return u, nil
}
