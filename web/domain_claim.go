package web

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/attest-dev/attest"
)

// dnsTimeout bounds the TXT lookup of a domain verification.
const dnsTimeout = 10 * time.Second

// domainClaim claims an email domain for the organization. While the
// server hosts only this organization the claim is verified at once;
// otherwise the page shows the TXT record that proves it.
func (s *Server) domainClaim(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.ClaimDomain(r.Context(), orgID(r), r.PostFormValue("domain"))
	if f := newForm(r.PostForm); f.refuse(err, "domain") {
		return s.renderSettings(w, r, refusedStatus, map[string]*form{"domain": f})
	}
	if err != nil {
		return err
	}
	if c.Verified() {
		return redirect(w, r, "/settings#domains", c.Domain+" is verified for this organization.")
	}
	return redirect(w, r, "/settings#domains", "Publish the TXT record shown for "+c.Domain+", then verify it.")
}

// domainVerify looks the claim's TXT record up and marks the claim
// verified when the record holds its token.
func (s *Server) domainVerify(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	c, err := s.svc.FindDomainClaim(ctx, orgID(r), r.PathValue("domain"))
	if err != nil {
		return err
	}
	if !c.Verified() {
		lookup, cancel := context.WithTimeout(ctx, dnsTimeout)
		defer cancel()
		err := attest.ProvedByDNS(lookup, s.dns(), c)
		if err == nil {
			err = s.svc.VerifyDomainClaim(ctx, orgID(r), c.Domain, attest.ClaimByDNS)
		}
		if code := attest.ErrorCode(err); code == attest.EINVALID || code == attest.ECONFLICT {
			f := newForm(nil)
			f.Errors["claim:"+c.Domain] = attest.ErrorMessage(err)
			return s.renderSettings(w, r, refusedStatus, map[string]*form{"domain": f})
		} else if err != nil {
			return err
		}
	}
	return redirect(w, r, "/settings#domains", c.Domain+" is verified for this organization.")
}

// domainDelete gives a claim up; single sign-on stops serving the domain.
func (s *Server) domainDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.DeleteDomainClaim(r.Context(), orgID(r), r.PathValue("domain")); err != nil {
		return err
	}
	return redirect(w, r, "/settings#domains", "Domain claim removed.")
}

// dns is the resolver that verifies domain claims.
func (s *Server) dns() attest.TXTResolver {
	if s.DNS != nil {
		return s.DNS
	}
	return net.DefaultResolver
}
