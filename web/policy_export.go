package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/policydoc"
)

// policyAcksCSV exports who acknowledged which version and when, and who
// has yet to: one policy's record, or every published policy's. It is
// evidence, so every row names the policy, the version and the person.
func (s *Server) policyAcksCSV(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org := orgID(r)
	var standings []*attest.PolicyStanding
	name := "policy-acknowledgements.csv"
	if r.PathValue("id") != "" {
		pol, err := s.policyFor(r)
		if err != nil {
			return err
		}
		st, err := s.svc.PolicyStanding(ctx, org, pol)
		if err != nil {
			return err
		}
		if st == nil {
			return attest.Errorf(attest.EINVALID, "%s has not been published, so nobody has acknowledged it", pol.Title)
		}
		standings = append(standings, st)
		name = fmt.Sprintf("policy-%d-acknowledgements.csv", pol.ID)
	} else {
		var err error
		if standings, err = s.svc.PolicyStandings(ctx, org); err != nil {
			return err
		}
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	cw.Write([]string{"policy_id", "policy", "published_version", "user_id", "name", "email", "state", "acknowledged_version", "acknowledged_at", "due"})
	for _, st := range standings {
		for _, u := range st.Users {
			at := ""
			if !u.At.IsZero() {
				at = u.At.UTC().Format(time.RFC3339)
			}
			cw.Write([]string{strconv.FormatInt(st.Policy.ID, 10), csvSafe(st.Policy.Title), st.Policy.PublishedVersion, strconv.FormatInt(u.UserID, 10),
				csvSafe(u.Name), csvSafe(u.Email), string(u.State), u.Version, at, string(u.Due)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// policyExport downloads one policy (?version=, default the published one)
// or every published policy as PDF or HTML (?format=pdf|html).
func (s *Server) policyExport(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	org := orgID(r)
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "pdf"
	}
	if format != "pdf" && format != "html" {
		return attest.Errorf(attest.EINVALID, "unknown format %q: use pdf or html", format)
	}
	var docs []*policydoc.Document
	name := "policies"
	if r.PathValue("id") != "" {
		pol, err := s.policyFor(r)
		if err != nil {
			return err
		}
		d, err := policydoc.Gather(ctx, s.svc, org, pol, r.URL.Query().Get("version"))
		if err != nil {
			return err
		}
		docs, name = []*policydoc.Document{d}, fmt.Sprintf("policy-%d", pol.ID)
	} else {
		var err error
		if docs, err = policydoc.GatherPublished(ctx, s.svc, org); err != nil {
			return err
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	if format == "html" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.html"`)
		// The export is a standalone document with its own styles.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'")
		return policydoc.WriteHTML(w, docs...)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.pdf"`)
	return policydoc.WritePDF(w, docs...)
}
