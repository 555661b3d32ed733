package attest

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters (OWASP's recommended minimum: 19 MiB, 2 passes).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPasswordLength is the fewest characters a password may have.
const MinPasswordLength = 12

// HashPassword returns an argon2id hash of the password in the PHC string
// format, with a random salt.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", Errorf(EINVALID, "a password needs at least 12 characters")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches an argon2id hash made by
// HashPassword, comparing in constant time.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	// argon2 panics on zero passes, threads or key length; a corrupt or
	// tampered hash must fail the check, not crash the caller.
	if err1 != nil || err2 != nil || len(want) == 0 || t < 1 || p < 1 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// RandomSecret returns n random bytes in unpadded URL-safe base64.
func RandomSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// TokenPrefix starts every API token secret, so leaked tokens are easy to
// recognise and scan for.
const TokenPrefix = "attest_"

// NewTokenSecret returns a fresh API token secret.
func NewTokenSecret() string { return TokenPrefix + RandomSecret(32) }

// HashToken returns the hex SHA-256 of a token secret. Tokens carry 256
// bits of randomness, so a fast hash is enough; passwords use argon2id.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// NewPassword returns a random password of 20 characters and its argon2id
// hash, for accounts whose first password is shown once to an operator.
func NewPassword() (password, hash string, err error) {
	password = RandomSecret(15)
	hash, err = HashPassword(password)
	return password, hash, err
}
