package attest

import (
	"context"
	"strings"
	"time"
)

// A server may host several organizations (a consultant's clients). Single
// sign-on routes an email to an organization by its domain, and lets that
// organization's identity provider create accounts in it, so a domain must
// be proven before it does either: otherwise the first organization to type
// "example.com" would receive example.com's people. An organization claims
// a domain, then proves it with a DNS TXT record or has the operator
// approve it from the command line. Only one organization can hold a
// verified claim on a domain.

// Ways a domain claim was verified.
const (
	// ClaimByDNS: the domain published the claim's TXT record.
	ClaimByDNS = "dns"
	// ClaimByOperator: the server's operator approved it (attest domain approve).
	ClaimByOperator = "operator"
	// ClaimBySoleOrganization: it was claimed while the server hosted one
	// organization, which has nobody to take a domain from.
	ClaimBySoleOrganization = "sole organization"
	// ClaimExisting: single sign-on used the domain before claims existed.
	ClaimExisting = "existing"
)

// DomainClaim is an organization's claim on an email domain.
type DomainClaim struct {
	OrgID  int64  `json:"org_id"`
	Domain string `json:"domain"`
	// Token is the value the TXT record must hold (see TXTValue).
	Token      string     `json:"-"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	// Method says how it was verified (one of the Claim… constants).
	Method    string    `json:"method,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Verified reports whether the claim has been proven.
func (c *DomainClaim) Verified() bool { return c.VerifiedAt != nil }

// TXTName is the DNS name whose TXT record proves the claim.
func (c *DomainClaim) TXTName() string { return "_attest-challenge." + c.Domain }

// TXTValue is the TXT record's text.
func (c *DomainClaim) TXTValue() string { return "attest-domain-verification=" + c.Token }

// NormalizeDomain returns an email domain in the form claims store it
// (lower case, no leading "@" or trailing dot), or EINVALID about the field
// "domain" when it is not a host name with at least two labels.
func NormalizeDomain(s string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@")), ".")
	if d == "" {
		return "", FieldErrorf("domain", "enter the email domain, such as example.com")
	}
	if len(d) > 253 || !strings.Contains(d, ".") {
		return "", FieldErrorf("domain", "%q is not an email domain: it needs a dot, such as example.com", d)
	}
	for _, label := range strings.Split(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "", FieldErrorf("domain", "%q is not an email domain", d)
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "", FieldErrorf("domain", "%q is not an email domain: use letters, digits, dots and hyphens (punycode for other scripts)", d)
			}
		}
	}
	return d, nil
}

// TXTResolver looks up DNS TXT records; net.DefaultResolver is one, and
// tests give their own.
type TXTResolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// ProvedByDNS reports whether the TXT records of the claim's name hold its
// value. A lookup that fails (no such name, no answer) proves nothing and
// is reported as an EINVALID telling the user what to publish.
func ProvedByDNS(ctx context.Context, r TXTResolver, c *DomainClaim) error {
	records, err := r.LookupTXT(ctx, c.TXTName())
	for _, rec := range records {
		if strings.TrimSpace(rec) == c.TXTValue() {
			return nil
		}
	}
	if err != nil {
		return Errorf(EINVALID, "no TXT record was found at %s: publish %q there, wait for DNS to update, and verify again", c.TXTName(), c.TXTValue())
	}
	return Errorf(EINVALID, "the TXT records at %s do not hold %q: publish it, wait for DNS to update, and verify again", c.TXTName(), c.TXTValue())
}
