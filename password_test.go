package attest_test

import (
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery"
	hash, err := attest.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(hash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not an argon2id PHC string with the expected parameters", hash)
	}
	again, err := attest.HashPassword(pw)
	if err != nil || again == hash {
		t.Errorf("two hashes of one password are equal (%v): the salt is not random", err)
	}
	parts := strings.Split(hash, "$")
	flip := func(s string) string { // changes the first character, keeping the length
		if s[0] == 'A' {
			return "B" + s[1:]
		}
		return "A" + s[1:]
	}
	withPart := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct {
		name, hash, password string
		want                 bool
	}{
		{"right password", hash, pw, true},
		{"second hash, right password", again, pw, true},
		{"wrong password", hash, "correct horse battery!", false},
		{"empty password", hash, "", false},
		{"tampered key", withPart(5, flip(parts[5])), pw, false},
		{"tampered salt", withPart(4, flip(parts[4])), pw, false},
		{"other parameters", withPart(3, "m=19456,t=3,p=1"), pw, false},
		{"empty key", withPart(5, ""), pw, false},
		{"zero passes", withPart(3, "m=19456,t=0,p=1"), pw, false},
		{"zero threads", withPart(3, "m=19456,t=2,p=0"), pw, false},
		{"other algorithm", withPart(1, "argon2i"), pw, false},
		{"key not base64", withPart(5, "!!!"), pw, false},
		{"garbled parameters", withPart(3, "m=x"), pw, false},
		{"too few parts", strings.Join(parts[:5], "$"), pw, false},
		{"empty hash", "", pw, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := attest.CheckPassword(tt.hash, tt.password); got != tt.want {
				t.Errorf("CheckPassword(%q) = %v, want %v", tt.hash, got, tt.want)
			}
		})
	}
}

func TestHashPasswordLength(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"elevenchars", false},
		{"twelve chars", true},
	}
	for _, tt := range tests {
		_, err := attest.HashPassword(tt.password)
		if tt.ok && err != nil {
			t.Errorf("HashPassword(%q) = %v, want ok", tt.password, err)
		}
		if !tt.ok && attest.ErrorCode(err) != attest.EINVALID {
			t.Errorf("HashPassword(%q) = %v, want EINVALID", tt.password, err)
		}
	}
}

func TestTokenSecret(t *testing.T) {
	a, b := attest.NewTokenSecret(), attest.NewTokenSecret()
	if !strings.HasPrefix(a, attest.TokenPrefix) || a == b || len(a) != len(attest.TokenPrefix)+43 {
		t.Errorf("secrets %q and %q: want distinct, prefixed, 32 random bytes", a, b)
	}
	if h := attest.HashToken(a); len(h) != 64 || h != attest.HashToken(a) || h == attest.HashToken(b) {
		t.Errorf("HashToken(%q) = %q: want a stable hex SHA-256", a, h)
	}
}
