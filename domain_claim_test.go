package attest

import (
	"context"
	"errors"
	"testing"
)

func TestNormalizeDomain(t *testing.T) {
	for in, want := range map[string]string{
		"Example.COM": "example.com", "@acme.io": "acme.io", " acme.io. ": "acme.io", "a-b.co.uk": "a-b.co.uk",
	} {
		got, err := NormalizeDomain(in)
		if err != nil || got != want {
			t.Errorf("NormalizeDomain(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "localhost", "exa mple.com", "-a.com", "a..com", "https://a.com", "é.com", "a.com/x"} {
		if _, err := NormalizeDomain(in); ErrorCode(err) != EINVALID || ErrorField(err) != "domain" {
			t.Errorf("NormalizeDomain(%q) = %v; want EINVALID about domain", in, err)
		}
	}
}

type txtMap map[string][]string

func (m txtMap) LookupTXT(_ context.Context, name string) ([]string, error) {
	if r, ok := m[name]; ok {
		return r, nil
	}
	return nil, errors.New("no such host")
}

func TestProvedByDNS(t *testing.T) {
	c := &DomainClaim{Domain: "acme.io", Token: "tok"}
	ctx := context.Background()
	if err := ProvedByDNS(ctx, txtMap{"_attest-challenge.acme.io": {"v=spf1", "attest-domain-verification=tok"}}, c); err != nil {
		t.Fatalf("published record: %v", err)
	}
	for name, r := range map[string]txtMap{
		"missing":       {},
		"wrong token":   {"_attest-challenge.acme.io": {"attest-domain-verification=other"}},
		"wrong name":    {"acme.io": {"attest-domain-verification=tok"}},
		"other service": {"_attest-challenge.acme.io": {"v=spf1"}},
	} {
		if err := ProvedByDNS(ctx, r, c); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v; want EINVALID", name, err)
		}
	}
}
