package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// TokenBytes is how many random bytes a token carries.
const TokenBytes = 32

// NewToken returns a new random token: 32 bytes from crypto/rand, base64url
// without padding (43 characters). Give it to the client once; store only
// HashToken of it.
func NewToken() (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken returns the lowercase hex SHA-256 of token, the form tokens are
// stored and looked up in. Tokens carry 256 random bits, so a fast hash is
// enough: there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
