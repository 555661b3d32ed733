package regcsv

import (
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest"
)

// Risks is the risk register's CSV. An import rates risks on the scale
// given to RiskCodec.
var Risks = RiskCodec(5)

// RiskCodec returns the risk CSV codec for an organization's scale.
func RiskCodec(scale int) Codec[*attest.Risk] {
	return Codec[*attest.Risk]{
		Header:   []string{"id", "title", "category", "description", "owner", "likelihood", "impact", "inherent_score", "residual_likelihood", "residual_impact", "residual_score", "treatment", "treatment_plan", "status", "controls", "reviewed_on", "library_id"},
		Required: []string{"title", "category", "likelihood", "impact"},
		Row: func(r *attest.Risk) []string {
			return []string{strconv.FormatInt(r.ID, 10), r.Title, r.Category, r.Description, personCell(r.Owner), strconv.Itoa(r.Likelihood), strconv.Itoa(r.Impact),
				strconv.Itoa(r.InherentScore()), strconv.Itoa(r.ResidualLikelihood), strconv.Itoa(r.ResidualImpact), strconv.Itoa(r.ResidualScore()),
				string(r.Treatment), r.TreatmentPlan, r.Status, strings.Join(r.Controls, " "), string(r.ReviewedOn), r.LibraryID}
		},
		Parse: func(get func(string) string, people People) (*attest.Risk, error) {
			r := &attest.Risk{Title: get("title"), Category: get("category"), Description: get("description"), TreatmentPlan: get("treatment_plan"),
				Treatment: attest.RiskTreatment(strings.ToLower(get("treatment"))), Status: strings.ToLower(get("status")), LibraryID: get("library_id")}
			var err error
			if r.OwnerID, err = person("owner", get("owner"), people); err != nil {
				return nil, err
			}
			for _, n := range []struct {
				col string
				to  *int
			}{{"likelihood", &r.Likelihood}, {"impact", &r.Impact}, {"residual_likelihood", &r.ResidualLikelihood}, {"residual_impact", &r.ResidualImpact}} {
				if *n.to, err = number(n.col, get(n.col)); err != nil {
					return nil, err
				}
			}
			if r.ReviewedOn, err = date("reviewed_on", get("reviewed_on")); err != nil {
				return nil, err
			}
			if r.Treatment == attest.TreatAccept {
				return nil, attest.FieldErrorf("treatment", "an acceptance needs its approver's approval: import the risk, then propose the acceptance in Attest")
			}
			return r, r.Validate(scale)
		},
	}
}

// Vendors is the vendor inventory's CSV.
var Vendors = Codec[*attest.Vendor]{
	Header:   []string{"id", "name", "service", "data_shared", "tier", "owner", "contract_start", "contract_end", "subservice", "complementary_controls", "status", "last_review", "next_review", "report_expires", "controls"},
	Required: []string{"name", "tier"},
	Row: func(v *attest.Vendor) []string {
		return []string{strconv.FormatInt(v.ID, 10), v.Name, v.Service, v.DataShared, v.Tier, personCell(v.Owner), string(v.ContractStart), string(v.ContractEnd),
			yes(v.Subservice), v.ComplementaryControls, v.Status, string(v.LastReview), string(v.NextReview), string(v.ReportExpires), strings.Join(v.Controls, " ")}
	},
	Parse: func(get func(string) string, people People) (*attest.Vendor, error) {
		v := &attest.Vendor{Name: get("name"), Service: get("service"), DataShared: get("data_shared"), Tier: get("tier"),
			ComplementaryControls: get("complementary_controls"), Status: strings.ToLower(get("status"))}
		var err error
		if v.OwnerID, err = person("owner", get("owner"), people); err != nil {
			return nil, err
		}
		if v.ContractStart, err = date("contract_start", get("contract_start")); err != nil {
			return nil, err
		}
		if v.ContractEnd, err = date("contract_end", get("contract_end")); err != nil {
			return nil, err
		}
		if v.NextReview, err = date("next_review", get("next_review")); err != nil {
			return nil, err
		}
		if v.Subservice, err = boolean("subservice", get("subservice")); err != nil {
			return nil, err
		}
		return v, v.Validate()
	},
}

// Assets is the asset inventory's CSV.
var Assets = Codec[*attest.Asset]{
	Header:   []string{"id", "name", "type", "description", "owner", "environment", "classification", "integrations", "status", "reviewed_on", "controls"},
	Required: []string{"name", "type", "environment", "classification"},
	Row: func(a *attest.Asset) []string {
		return []string{strconv.FormatInt(a.ID, 10), a.Name, a.Type, a.Description, personCell(a.Owner), a.Environment, a.Classification, a.Integrations,
			a.Status, string(a.ReviewedOn), strings.Join(a.Controls, " ")}
	},
	Parse: func(get func(string) string, people People) (*attest.Asset, error) {
		a := &attest.Asset{Name: get("name"), Type: get("type"), Description: get("description"), Environment: strings.ToLower(get("environment")),
			Classification: strings.ToLower(get("classification")), Integrations: get("integrations"), Status: strings.ToLower(get("status"))}
		var err error
		if a.OwnerID, err = person("owner", get("owner"), people); err != nil {
			return nil, err
		}
		if a.ReviewedOn, err = date("reviewed_on", get("reviewed_on")); err != nil {
			return nil, err
		}
		return a, a.Validate()
	},
}

// Incidents is the incident register's CSV: also the population of an
// observation window that an auditor samples from.
var Incidents = Codec[*attest.Incident]{
	Header: []string{"id", "title", "severity", "status", "reported_at", "owner", "summary", "affected_data", "personal_data", "customers_affected", "notified_on",
		"root_cause", "review", "reviewed_on", "signed_off_by", "signed_off_at", "closed_at", "controls"},
	Required: []string{"title", "severity", "reported_at"},
	Row: func(i *attest.Incident) []string {
		return []string{strconv.FormatInt(i.ID, 10), i.Title, i.Severity, i.Status, i.ReportedAt.UTC().Format(time.RFC3339), personCell(i.Owner), i.Summary, i.AffectedData,
			yes(i.PersonalData), yes(i.Customers), string(i.NotifiedOn), i.RootCause, i.Review, string(i.ReviewedOn), personCell(i.SignedOffBy), stamp(i.SignedOffAt),
			stamp(i.ClosedAt), strings.Join(i.Controls, " ")}
	},
	Parse: func(get func(string) string, people People) (*attest.Incident, error) {
		i := &attest.Incident{Title: get("title"), Severity: get("severity"), Status: strings.ToLower(get("status")), Summary: get("summary"),
			AffectedData: get("affected_data"), RootCause: get("root_cause"), Review: get("review")}
		var err error
		if i.ReportedAt, err = parseTime(get("reported_at")); err != nil {
			return nil, err
		}
		if i.OwnerID, err = person("owner", get("owner"), people); err != nil {
			return nil, err
		}
		if i.PersonalData, err = boolean("personal_data", get("personal_data")); err != nil {
			return nil, err
		}
		if i.Customers, err = boolean("customers_affected", get("customers_affected")); err != nil {
			return nil, err
		}
		if i.NotifiedOn, err = date("notified_on", get("notified_on")); err != nil {
			return nil, err
		}
		if i.ReviewedOn, err = date("reviewed_on", get("reviewed_on")); err != nil {
			return nil, err
		}
		if i.Status == "closed" {
			return nil, attest.FieldErrorf("status", "an incident closes after its review is signed off in Attest: import it as resolved")
		}
		return i, i.Validate()
	},
}

// parseTime reads an RFC 3339 time, "YYYY-MM-DD HH:MM" (UTC) or a date.
func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339, "2006-01-02 15:04", "2006-01-02T15:04", attest.DateLayout} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if s == "" {
		return time.Time{}, attest.FieldErrorf("reported_at", "the incident needs the time it was reported")
	}
	return time.Time{}, attest.FieldErrorf("reported_at", "%q is not a time (YYYY-MM-DD HH:MM or RFC 3339)", s)
}
