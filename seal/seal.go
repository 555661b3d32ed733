// Package seal encrypts secrets kept in the database (TOTP seeds, SSO client
// secrets) with AES-256-GCM under a key that never enters the database: it
// comes from ATTEST_SECRET_KEY or from a key file in the data directory.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeySize is the key length in bytes.
const KeySize = 32

// prefix marks the format of sealed values so it can change later.
const prefix = "v1:"

// Box seals and opens values.
type Box struct{ aead cipher.AEAD }

// New returns a Box for a 32-byte key.
func New(key []byte) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("seal: the key must be %d bytes, not %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext. The purpose (for example "totp:42") is bound to
// the ciphertext, so a sealed value copied to another row does not open.
func (b *Box) Seal(plaintext, purpose string) (string, error) {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := b.aead.Seal(nonce, nonce, []byte(plaintext), []byte(purpose))
	return prefix + base64.RawStdEncoding.EncodeToString(out), nil
}

// ErrOpen is returned for a value that was altered, sealed under another key
// or for another purpose.
var ErrOpen = errors.New("seal: the value cannot be opened (altered, another key, or another purpose)")

// Open decrypts a value made by Seal with the same purpose.
func (b *Box) Open(sealed, purpose string) (string, error) {
	raw, ok := strings.CutPrefix(sealed, prefix)
	if !ok {
		return "", ErrOpen
	}
	data, err := base64.RawStdEncoding.DecodeString(raw)
	if err != nil || len(data) < b.aead.NonceSize() {
		return "", ErrOpen
	}
	n := b.aead.NonceSize()
	plain, err := b.aead.Open(nil, data[:n], data[n:], []byte(purpose))
	if err != nil {
		return "", ErrOpen
	}
	return string(plain), nil
}

// KeyFile is the name of the key file in the data directory.
const KeyFile = "secret.key"

// LoadKey returns the key from env (base64 of 32 bytes) when it is set, or
// from dir/secret.key, creating that file (mode 0600) on first use. Several
// processes sharing one PostgreSQL database must share the key.
func LoadKey(env, dir string) ([]byte, error) {
	if env != "" {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(env))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("ATTEST_SECRET_KEY must be the base64 encoding of %d random bytes", KeySize)
		}
		return key, nil
	}
	path := filepath.Join(dir, KeyFile)
	data, err := os.ReadFile(path)
	if err == nil {
		key, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
		if err != nil || len(key) != KeySize {
			return nil, fmt.Errorf("%s is not a valid key (base64 of %d bytes)", path, KeySize)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process won the race
		return LoadKey("", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("create key file: %w", err)
	}
	defer f.Close()
	if _, err := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n"); err != nil {
		return nil, fmt.Errorf("write key file: %w", err)
	}
	return key, f.Sync()
}
