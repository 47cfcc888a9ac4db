package auth

import (
	"context"

	"github.com/tallyhq/tally"
)

// SignupUsers is what sign-up needs from the user store.
type SignupUsers interface {
	HasUsers(ctx context.Context) (bool, error)
	CreateUser(ctx context.Context, email, passwordHash string) (*tally.User, error)
	CreateFirstUser(ctx context.Context, email, passwordHash string) (*tally.User, error)
}

// SignupAllowed refuses a sign-up (EFORBIDDEN) when sign-up is closed and
// the instance already has a user: the first user may always sign up.
func SignupAllowed(ctx context.Context, users SignupUsers, open bool) error {
	if open {
		return nil
	}
	has, err := users.HasUsers(ctx)
	if err != nil {
		return err
	}
	if has {
		return tally.Errorf(tally.EFORBIDDEN, "sign-up is closed on this server; ask its administrator for an account")
	}
	return nil
}

// CreateSignupUser creates the user of a sign-up that SignupAllowed let
// through. When sign-up is closed the store checks again, in the write
// itself, that the instance has no user yet: SignupAllowed's answer may be
// stale by the time the password is hashed, and first sign-ups arriving
// at once must not all get in.
func CreateSignupUser(ctx context.Context, users SignupUsers, open bool, email, passwordHash string) (*tally.User, error) {
	if open {
		return users.CreateUser(ctx, email, passwordHash)
	}
	return users.CreateFirstUser(ctx, email, passwordHash)
}
