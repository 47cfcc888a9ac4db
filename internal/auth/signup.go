package auth

import (
	"context"

	"github.com/tallyhq/tally"
)

// SignupUsers is what SignupAllowed needs from the user store.
type SignupUsers interface {
	HasUsers(ctx context.Context) (bool, error)
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
