package demo

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/store"
	"github.com/goccy/go-yaml"
)

//go:embed records.yaml
var recordsContent []byte

// recordsFile is the shape of records.yaml.
type recordsFile struct {
	Settings struct {
		Scale           int    `yaml:"scale"`
		Appetite        int    `yaml:"appetite"`
		AssessmentMonth int    `yaml:"assessment_months"`
		AssessmentOwner string `yaml:"assessment_owner"`
	} `yaml:"settings"`
	Risks []struct {
		Library      string     `yaml:"library"`
		Title        string     `yaml:"title"`
		Category     string     `yaml:"category"`
		Description  string     `yaml:"description"`
		Likelihood   int        `yaml:"likelihood"`
		Impact       int        `yaml:"impact"`
		Owner        string     `yaml:"owner"`
		Treatment    string     `yaml:"treatment"`
		Residual     []int      `yaml:"residual"`
		Plan         string     `yaml:"plan"`
		Approver     string     `yaml:"approver"`
		RequestedBy  string     `yaml:"requested_by"`
		ReviewInDays int        `yaml:"review_in_days"`
		Status       string     `yaml:"status"`
		Controls     []string   `yaml:"controls"`
		Tasks        []demoTask `yaml:"tasks"`
	} `yaml:"risks"`
	Assessment demoEvent `yaml:"assessment"`
	Vendors    []struct {
		Name              string `yaml:"name"`
		Service           string `yaml:"service"`
		Data              string `yaml:"data"`
		Tier              string `yaml:"tier"`
		Owner             string `yaml:"owner"`
		ContractStartDays int    `yaml:"contract_start_days"`
		Subservice        bool   `yaml:"subservice"`
		CSOC              string `yaml:"csoc"`
		Report            *struct {
			Kind          string `yaml:"kind"`
			ExpiresInDays int    `yaml:"expires_in_days"`
		} `yaml:"report"`
		ReviewedDaysAgo int      `yaml:"reviewed_days_ago"`
		Controls        []string `yaml:"controls"`
	} `yaml:"vendors"`
	Assets []struct {
		Name         string   `yaml:"name"`
		Type         string   `yaml:"type"`
		Env          string   `yaml:"env"`
		Class        string   `yaml:"class"`
		Owner        string   `yaml:"owner"`
		Integrations string   `yaml:"integrations"`
		Description  string   `yaml:"description"`
		Status       string   `yaml:"status"`
		Controls     []string `yaml:"controls"`
	} `yaml:"assets"`
	Incidents []struct {
		Title           string   `yaml:"title"`
		Severity        string   `yaml:"severity"`
		ReportedDaysAgo int      `yaml:"reported_days_ago"`
		Owner           string   `yaml:"owner"`
		Summary         string   `yaml:"summary"`
		AffectedData    string   `yaml:"affected_data"`
		Assets          []string `yaml:"assets"`
		PersonalData    bool     `yaml:"personal_data"`
		Customers       bool     `yaml:"customers"`
		NotifiedDaysAgo int      `yaml:"notified_days_ago"`
		RootCause       string   `yaml:"root_cause"`
		Review          string   `yaml:"review"`
		ReviewedDaysAgo int      `yaml:"reviewed_days_ago"`
		SignedOffBy     string   `yaml:"signed_off_by"`
		Status          string   `yaml:"status"`
		Timeline        []struct {
			Hours int    `yaml:"hours"`
			Entry string `yaml:"entry"`
		} `yaml:"timeline"`
		Tasks    []demoTask `yaml:"tasks"`
		Controls []string   `yaml:"controls"`
	} `yaml:"incidents"`
	Exercise demoEvent `yaml:"exercise"`
}

type demoTask struct {
	Title     string `yaml:"title"`
	Owner     string `yaml:"owner"`
	DueInDays int    `yaml:"due_in_days"`
	Done      bool   `yaml:"done"`
}

type demoEvent struct {
	HeldDaysAgo  int      `yaml:"held_days_ago"`
	Participants []string `yaml:"participants"`
	Summary      string   `yaml:"summary"`
	Scenario     string   `yaml:"scenario"`
	Changes      string   `yaml:"changes"`
	Findings     string   `yaml:"findings"`
}

// loadRecords fills the registers: risks (from the library and the
// company's own) with treatments, an approved acceptance and treatment
// tasks; the last risk assessment; vendors with assurance reports held as
// evidence and their reviews; the inventory of systems, scoped into the
// next engagement; incidents from report to sign-off; a tabletop exercise.
func loadRecords(ctx context.Context, db *store.DB, orgID int64, people map[string]*attest.User, today time.Time) error {
	var f recordsFile
	if err := yaml.UnmarshalWithOptions(recordsContent, &f, yaml.Strict()); err != nil {
		return fmt.Errorf("records.yaml: %w", err)
	}
	who := func(name string) (int64, error) {
		if name == "" {
			return 0, nil
		}
		u := people[name]
		if u == nil {
			return 0, fmt.Errorf("records.yaml: %q is not one of the people", name)
		}
		return u.ID, nil
	}
	day := func(n int) attest.Date { return attest.DateOf(today.AddDate(0, 0, n)) }
	st := attest.RegisterSettings{RiskScale: f.Settings.Scale, RiskAppetite: f.Settings.Appetite, AssessmentMonths: f.Settings.AssessmentMonth}
	var err error
	if st.AssessmentOwnerID, err = who(f.Settings.AssessmentOwner); err != nil {
		return err
	}
	if err := db.UpdateRegisterSettings(ctx, orgID, st); err != nil {
		return err
	}
	addTasks := func(kind attest.RecordKind, id int64, tasks []demoTask) error {
		for _, t := range tasks {
			owner, err := who(t.Owner)
			if err != nil {
				return err
			}
			task := &attest.Task{Title: t.Title, OwnerID: owner, DueDate: day(t.DueInDays)}
			if err := db.AddRecordTask(ctx, orgID, kind, id, task); err != nil {
				return fmt.Errorf("demo task %q: %w", t.Title, err)
			}
			if t.Done {
				done := attest.TaskDone
				if _, err := db.UpdateTask(ctx, orgID, task.ID, attest.TaskUpdate{Status: &done}); err != nil {
					return err
				}
			}
		}
		return nil
	}
	attach := func(kind attest.RecordKind, id int64, controls []string) error {
		for _, c := range controls {
			if _, err := db.AttachRecord(ctx, orgID, kind, id, c, 0); err != nil {
				return fmt.Errorf("demo: attach %s %d to %s: %w", kind, id, c, err)
			}
		}
		return nil
	}

	var riskIDs []int64
	for _, r := range f.Risks {
		k := &attest.Risk{Title: r.Title, Category: r.Category, Description: r.Description, Likelihood: r.Likelihood, Impact: r.Impact, LibraryID: r.Library}
		if r.Library != "" {
			lr, err := catalog.LibraryRisk(r.Library)
			if err != nil {
				return fmt.Errorf("records.yaml: %w", err)
			}
			k.Title, k.Category, k.Description, k.Likelihood, k.Impact = lr.Title, lr.Category, lr.Description, lr.Likelihood, lr.Impact
		}
		if k.OwnerID, err = who(r.Owner); err != nil {
			return err
		}
		if err := db.CreateRisk(ctx, orgID, k); err != nil {
			return fmt.Errorf("demo risk %q: %w", k.Title, err)
		}
		riskIDs = append(riskIDs, k.ID)
		if err := attach(attest.RecordRisk, k.ID, r.Controls); err != nil {
			return err
		}
		if err := addTasks(attest.RecordRisk, k.ID, r.Tasks); err != nil {
			return err
		}
		if r.Treatment == "" && r.Status == "" {
			continue
		}
		k.Treatment, k.TreatmentPlan = attest.RiskTreatment(r.Treatment), r.Plan
		if len(r.Residual) == 2 {
			k.ResidualLikelihood, k.ResidualImpact = r.Residual[0], r.Residual[1]
		}
		k.Status = attest.RiskTreating
		if r.Status != "" {
			k.Status = r.Status
		}
		if k.Treatment == attest.TreatAccept {
			if k.ApproverID, err = who(r.Approver); err != nil {
				return err
			}
			if k.RequestedByID, err = who(r.RequestedBy); err != nil {
				return err
			}
			k.AcceptanceReview = day(r.ReviewInDays)
		}
		if err := db.UpdateRisk(ctx, orgID, k); err != nil {
			return fmt.Errorf("demo risk %q: %w", k.Title, err)
		}
		if k.Treatment == attest.TreatAccept {
			if _, err := db.ApproveRisk(ctx, orgID, k.ID, k.ApproverID); err != nil {
				return fmt.Errorf("demo risk %q: %w", k.Title, err)
			}
		}
	}
	if err := addEvent(ctx, db, orgID, who, attest.EventRiskAssessment, 0, today, f.Assessment, f.Assessment.Summary, f.Assessment.Changes, riskIDs); err != nil {
		return err
	}

	for _, v := range f.Vendors {
		vendor := &attest.Vendor{Name: v.Name, Service: v.Service, DataShared: v.Data, Tier: v.Tier, ContractStart: day(v.ContractStartDays),
			Subservice: v.Subservice, ComplementaryControls: v.CSOC}
		if vendor.OwnerID, err = who(v.Owner); err != nil {
			return err
		}
		if err := db.CreateVendor(ctx, orgID, vendor); err != nil {
			return fmt.Errorf("demo vendor %s: %w", v.Name, err)
		}
		if r := v.Report; r != nil {
			expires := day(r.ExpiresInDays)
			end := expires.AddMonths(-9)
			ev := &attest.Evidence{Kind: attest.EvidenceLink, Title: fmt.Sprintf("%s %s report", v.Name, strings.ToUpper(strings.ReplaceAll(r.Kind, "_", " "))),
				URL:         "https://drive.northwind.example/vendors/" + strings.ToLower(strings.ReplaceAll(v.Name, " ", "-")) + "-" + r.Kind + ".pdf",
				PeriodStart: end.AddMonths(-12).AddDays(1), PeriodEnd: end, ValidUntil: expires, CollectedAt: end.AddMonths(2).Time(),
				Links: []attest.EvidenceLinkRef{{ControlID: "VEN-03", Need: 0}}}
			if err := db.CreateEvidence(ctx, orgID, ev); err != nil {
				return fmt.Errorf("demo vendor report of %s: %w", v.Name, err)
			}
			if err := db.AddVendorReport(ctx, orgID, &attest.VendorReport{VendorID: vendor.ID, Kind: r.Kind, EvidenceID: ev.ID, Expires: expires}); err != nil {
				return err
			}
		}
		if v.ReviewedDaysAgo > 0 {
			e := demoEvent{HeldDaysAgo: v.ReviewedDaysAgo, Participants: []string{v.Owner}}
			if err := addEvent(ctx, db, orgID, who, attest.EventVendorReview, vendor.ID, today, e, "Reviewed the latest assurance report, the security terms of the contract and the data shared.", "No exceptions affecting our controls.", nil); err != nil {
				return err
			}
		}
		if err := attach(attest.RecordVendor, vendor.ID, v.Controls); err != nil {
			return err
		}
	}

	assetIDs := map[string]int64{}
	var next *attest.Engagement
	engagements, err := db.FindEngagements(ctx, orgID)
	if err != nil {
		return err
	}
	for _, e := range engagements {
		if e.Name == "SOC 2 Type II — second period" {
			next = e
		}
	}
	for _, a := range f.Assets {
		asset := &attest.Asset{Name: a.Name, Type: a.Type, Environment: a.Env, Classification: a.Class, Integrations: a.Integrations, Description: a.Description,
			Status: a.Status, ReviewedOn: day(-30)}
		if asset.OwnerID, err = who(a.Owner); err != nil {
			return err
		}
		if err := db.CreateAsset(ctx, orgID, asset); err != nil {
			return fmt.Errorf("demo asset %s: %w", a.Name, err)
		}
		assetIDs[a.Name] = asset.ID
		if next != nil && asset.Environment == "production" && asset.Status != "retired" {
			if _, err := db.ScopeAsset(ctx, orgID, next.ID, asset.ID); err != nil {
				return err
			}
		}
		if err := attach(attest.RecordAsset, asset.ID, a.Controls); err != nil {
			return err
		}
	}

	for _, in := range f.Incidents {
		reported := today.AddDate(0, 0, -in.ReportedDaysAgo).Truncate(time.Hour).Add(-3 * time.Hour)
		inc := &attest.Incident{Title: in.Title, Severity: in.Severity, ReportedAt: reported, Summary: in.Summary, AffectedData: in.AffectedData,
			PersonalData: in.PersonalData, Customers: in.Customers}
		if inc.OwnerID, err = who(in.Owner); err != nil {
			return err
		}
		for _, name := range in.Assets {
			if assetIDs[name] == 0 {
				return fmt.Errorf("records.yaml: incident %q names unknown asset %q", in.Title, name)
			}
			inc.AssetIDs = append(inc.AssetIDs, assetIDs[name])
		}
		if err := db.CreateIncident(ctx, orgID, inc); err != nil {
			return fmt.Errorf("demo incident %q: %w", in.Title, err)
		}
		for _, step := range in.Timeline {
			ev := &attest.RecordEvent{Kind: attest.EventTimeline, RecordID: inc.ID, OccurredAt: reported.Add(time.Duration(step.Hours) * time.Hour), Summary: step.Entry}
			if err := db.AddRecordEvent(ctx, orgID, ev); err != nil {
				return err
			}
		}
		if err := addTasks(attest.RecordIncident, inc.ID, in.Tasks); err != nil {
			return err
		}
		inc.RootCause, inc.Review = in.RootCause, in.Review
		if in.NotifiedDaysAgo > 0 {
			inc.NotifiedOn = day(-in.NotifiedDaysAgo)
		}
		if in.ReviewedDaysAgo > 0 {
			inc.ReviewedOn = day(-in.ReviewedDaysAgo)
		}
		if in.Status != "closed" {
			inc.Status = in.Status
		} else {
			inc.Status = "resolved"
		}
		if err := db.UpdateIncident(ctx, orgID, inc); err != nil {
			return fmt.Errorf("demo incident %q: %w", in.Title, err)
		}
		if in.SignedOffBy != "" {
			signer, err := who(in.SignedOffBy)
			if err != nil {
				return err
			}
			signed, err := db.SignOffIncident(ctx, orgID, inc.ID, signer)
			if err != nil {
				return fmt.Errorf("demo incident %q: %w", in.Title, err)
			}
			signed.Status = in.Status
			if err := db.UpdateIncident(ctx, orgID, signed); err != nil {
				return fmt.Errorf("demo incident %q: %w", in.Title, err)
			}
		}
		if err := attach(attest.RecordIncident, inc.ID, in.Controls); err != nil {
			return err
		}
	}
	return addEvent(ctx, db, orgID, who, attest.EventTabletop, 0, today, f.Exercise, f.Exercise.Scenario, f.Exercise.Findings, nil)
}

// addEvent records a dated event with its participants.
func addEvent(ctx context.Context, db *store.DB, orgID int64, who func(string) (int64, error), kind string, recordID int64, today time.Time, e demoEvent, summary, findings string, items []int64) error {
	ev := &attest.RecordEvent{Kind: kind, RecordID: recordID, OccurredAt: today.AddDate(0, 0, -e.HeldDaysAgo).Truncate(24 * time.Hour).Add(14 * time.Hour),
		Summary: summary, Findings: findings, Items: items}
	for _, name := range e.Participants {
		id, err := who(name)
		if err != nil {
			return err
		}
		ev.Participants = append(ev.Participants, id)
	}
	if err := db.AddRecordEvent(ctx, orgID, ev); err != nil {
		return fmt.Errorf("demo %s: %w", kind, err)
	}
	return nil
}
