package tally

import "strings"

// MaxAccountName caps an account's name.
const MaxAccountName = 100

// CheckAccountName validates a new name for an account.
func CheckAccountName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Errorf(EINVALID, "name must not be empty")
	}
	if len(name) > MaxAccountName {
		return "", Errorf(EINVALID, "name is longer than %d characters", MaxAccountName)
	}
	return name, nil
}

// MaxTokenName caps an API token's name.
const MaxTokenName = 100

// CheckTokenName validates the name of a new API token.
func CheckTokenName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if len(name) > MaxTokenName {
		return "", Errorf(EINVALID, "name is longer than %d characters", MaxTokenName)
	}
	return name, nil
}
