// Package demo loads the demo organization that `attest serve --demo`
// starts with: a realistic SOC 2 engagement about halfway through readiness.
// The content lives in demo.yaml.
package demo

import (
	"context"
	_ "embed"
	"fmt"
	"math"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
	"github.com/goccy/go-yaml"
)

//go:embed demo.yaml
var content []byte

// file is the shape of demo.yaml.
type file struct {
	Organization string `yaml:"organization"`
	Admin        struct {
		Email string `yaml:"email"`
		Name  string `yaml:"name"`
	} `yaml:"admin"`
	People     map[string]string `yaml:"people"`
	Accounts   accountsFile      `yaml:"accounts"`
	Unowned    []string          `yaml:"unowned"`
	Engagement struct {
		Name                    string            `yaml:"name"`
		ReportType              attest.ReportType `yaml:"report_type"`
		Drivers                 []string          `yaml:"drivers"`
		Customers               []string          `yaml:"customers"`
		Notes                   string            `yaml:"notes"`
		WindowStartsInMonths    int               `yaml:"window_starts_in_months"`
		WindowMonths            int               `yaml:"window_months"`
		ReportMonthsAfterWindow int               `yaml:"report_months_after_window"`
		Categories              []string          `yaml:"categories"`
		Systems                 []demoSystem      `yaml:"systems"`
	} `yaml:"engagement"`
	// OtherEngagements are the organization's engagements besides the
	// current one: a finished one (archived) and the next one planned.
	OtherEngagements []struct {
		Name                    string            `yaml:"name"`
		ReportType              attest.ReportType `yaml:"report_type"`
		Drivers                 []string          `yaml:"drivers"`
		Customers               []string          `yaml:"customers"`
		Notes                   string            `yaml:"notes"`
		AsOfInMonths            int               `yaml:"as_of_in_months"`
		WindowStartsInMonths    int               `yaml:"window_starts_in_months"`
		WindowMonths            int               `yaml:"window_months"`
		ReportMonthsAfterWindow int               `yaml:"report_months_after_window"`
		Categories              []string          `yaml:"categories"`
		Archived                bool              `yaml:"archived"`
		Systems                 []demoSystem      `yaml:"systems"`
	} `yaml:"other_engagements"`
	History struct {
		Days       int     `yaml:"days"`
		StartScore float64 `yaml:"start_score"`
	} `yaml:"history"`
	Implemented   []string          `yaml:"implemented"`
	InProgress    []string          `yaml:"in_progress"`
	NotApplicable map[string]string `yaml:"not_applicable"`
	Tasks         []struct {
		Title       string            `yaml:"title"`
		Control     string            `yaml:"control"`
		Description string            `yaml:"description"`
		Owner       string            `yaml:"owner"`
		DueInDays   int               `yaml:"due_in_days"`
		Status      attest.TaskStatus `yaml:"status"`
	} `yaml:"tasks"`
	Evidence struct {
		Share           float64           `yaml:"share"`
		BaseURL         string            `yaml:"base_url"`
		NothingHappened map[string]string `yaml:"nothing_happened"`
	} `yaml:"evidence"`
	Policies struct {
		Approver         string              `yaml:"approver"`
		PublishedDaysAgo int                 `yaml:"published_days_ago"`
		AckSharePercent  int                 `yaml:"ack_share_percent"`
		Published        []string            `yaml:"published"`
		Drafts           []string            `yaml:"drafts"`
		AwaitingAdmin    []string            `yaml:"awaiting_admin"`
		Approved         []string            `yaml:"approved"`
		Missing          map[string][]string `yaml:"missing"`
	} `yaml:"policies"`
}

// Result says what Load created.
type Result struct {
	Organization *attest.Organization
	Engagement   *attest.Engagement
	AdminEmail   string
	AdminName    string
	// Admin is the demo's admin, created without a password: whoever
	// starts the demo sets one.
	Admin *attest.User
	// People are the demo's members by name, the admin among them.
	People map[string]*attest.User
	// Accounts are the demo people who can sign in besides the admin,
	// with their roles; they have no password until the caller sets one.
	Accounts []Account
}

// Load creates the demo organization in db as of today.
func Load(ctx context.Context, db *store.DB, today time.Time) (*Result, error) {
	var f file
	if err := yaml.UnmarshalWithOptions(content, &f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("demo.yaml: %w", err)
	}
	org := &attest.Organization{Name: f.Organization}
	if err := db.CreateOrganization(ctx, org); err != nil {
		return nil, fmt.Errorf("demo organization: %w", err)
	}
	day := attest.DateOf(today)
	start := attest.DateOf(day.AddMonths(f.Engagement.WindowStartsInMonths).Time())
	end := attest.DateOf(start.AddMonths(f.Engagement.WindowMonths).Time().AddDate(0, 0, -1))
	e := &attest.Engagement{
		Name: f.Engagement.Name, ReportType: f.Engagement.ReportType, Drivers: f.Engagement.Drivers,
		Customers: f.Engagement.Customers, Notes: f.Engagement.Notes, WindowStart: start, WindowEnd: end,
		TargetDate: end.AddMonths(f.Engagement.ReportMonthsAfterWindow), Categories: f.Engagement.Categories,
	}
	if err := db.CreateEngagement(ctx, org.ID, e); err != nil {
		return nil, fmt.Errorf("demo engagement: %w", err)
	}
	people, err := createPeople(ctx, db, org, &f, today)
	if err != nil {
		return nil, err
	}
	if err := loadOtherEngagements(ctx, db, org.ID, &f, day, people); err != nil {
		return nil, err
	}
	if err := setControls(ctx, db, org.ID, &f, people); err != nil {
		return nil, err
	}
	if err := addSystems(ctx, db, org.ID, e, f.Engagement.Systems, people); err != nil {
		return nil, err
	}
	for _, t := range f.Tasks {
		owner := people[t.Owner]
		if owner == nil {
			return nil, fmt.Errorf("demo.yaml: task %q: its owner %q is not one of the people", t.Title, t.Owner)
		}
		task := &attest.Task{Title: t.Title, Description: t.Description, ControlID: t.Control, OwnerID: owner.ID, EngagementID: e.ID,
			DueDate: attest.DateOf(today.AddDate(0, 0, t.DueInDays))}
		if t.Status == attest.TaskInProgress {
			task.Status = t.Status
		}
		if err := db.CreateTask(ctx, org.ID, task); err != nil {
			return nil, fmt.Errorf("demo task %q: %w", t.Title, err)
		}
		if t.Status == attest.TaskDone {
			done := attest.TaskDone
			if _, err := db.UpdateTask(ctx, org.ID, task.ID, attest.TaskUpdate{Status: &done}); err != nil {
				return nil, fmt.Errorf("demo task %q: %w", t.Title, err)
			}
		}
	}
	if err := loadPolicies(ctx, db, org, &f, people, today); err != nil {
		return nil, err
	}
	if err := loadEvidence(ctx, db, org.ID, e, &f); err != nil {
		return nil, err
	}
	if err := loadRecords(ctx, db, org.ID, people, today); err != nil {
		return nil, err
	}
	accounts, err := loadAccounts(ctx, db, org.ID, e, &f)
	if err != nil {
		return nil, err
	}
	if err := loadPeopleRecords(ctx, db, org.ID, people, today); err != nil { // demo/people_records.go
		return nil, err
	}
	if err := loadMonitoring(ctx, db, org.ID, today, people[f.Admin.Name], people["Sofia Alvarez"]); err != nil {
		return nil, err
	}
	if err := loadReviewSchedule(ctx, db, org.ID, today); err != nil { // demo/review_schedule.go
		return nil, err
	}
	// The new hire's acknowledgements count from today: today's snapshot
	// again, then the history that leads up to it.
	if err := db.RecordSnapshots(ctx, org.ID); err != nil {
		return nil, err
	}
	if err := writeHistory(ctx, db, org.ID, e.ID, today, f.History.Days, f.History.StartScore); err != nil {
		return nil, err
	}
	return &Result{Organization: org, Engagement: e, AdminEmail: f.Admin.Email, AdminName: f.Admin.Name, Admin: people[f.Admin.Name], People: people, Accounts: accounts}, nil
}

// writeHistory records a daily snapshot for each of the days before today,
// climbing in weekly steps from start to today's score, each category in
// proportion: a made-up past for the demo's trend chart.
func writeHistory(ctx context.Context, db *store.DB, orgID, engagementID int64, today time.Time, days int, start float64) error {
	r, err := db.Readiness(ctx, orgID, engagementID)
	if err != nil {
		return err
	}
	for d := days; d >= 1; d-- {
		progress := float64((days-d)/7*7) / float64(days) // flat within a week
		score := start + (r.Score-start)*progress
		sn := &attest.Snapshot{EngagementID: engagementID, Date: attest.DateOf(today.AddDate(0, 0, -d)), Score: round1(score),
			Categories: map[string]float64{}, TakenAt: today.AddDate(0, 0, -d)}
		for _, c := range r.Categories {
			sn.Categories[c.ID] = round1(c.Score * score / max(r.Score, 1))
		}
		if err := db.SaveSnapshot(ctx, orgID, sn); err != nil {
			return fmt.Errorf("demo history: %w", err)
		}
	}
	return nil
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// setControls gives every control an owner from its role and the status
// the demo lists for it.
func setControls(ctx context.Context, db *store.DB, orgID int64, f *file, people map[string]*attest.User) error {
	status := map[string]attest.ControlStatus{}
	for _, id := range f.Implemented {
		status[id] = attest.Implemented
	}
	for _, id := range f.InProgress {
		status[id] = attest.InProgress
	}
	for id := range f.NotApplicable {
		status[id] = attest.NotApplicable
	}
	unowned := map[string]bool{}
	for _, id := range f.Unowned {
		unowned[id] = true
	}
	controls, err := db.FindControls(ctx, orgID, attest.ControlFilter{})
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, c := range controls {
		known[c.ID] = true
		u := attest.ControlUpdate{}
		if !unowned[c.ID] {
			owner := people[f.People[c.OwnerRole]]
			if owner == nil {
				return fmt.Errorf("demo.yaml: nobody is named under people for the owner role %q of %s", c.OwnerRole, c.ID)
			}
			u.OwnerID = &owner.ID
		}
		if s, ok := status[c.ID]; ok {
			u.Status = &s
			if why, ok := f.NotApplicable[c.ID]; ok {
				u.Justification = &why
			}
		}
		if _, err := db.UpdateControl(ctx, orgID, c.ID, u); err != nil {
			return fmt.Errorf("demo control %s: %w", c.ID, err)
		}
	}
	for id := range status {
		if !known[id] {
			return fmt.Errorf("demo.yaml names control %s, which the library does not have", id)
		}
	}
	return nil
}

// loadOtherEngagements creates the engagements besides the current one,
// after it, so that it stays current; the finished ones are archived.
func loadOtherEngagements(ctx context.Context, db *store.DB, orgID int64, f *file, day attest.Date, people map[string]*attest.User) error {
	for _, o := range f.OtherEngagements {
		e := &attest.Engagement{Name: o.Name, ReportType: o.ReportType, Drivers: o.Drivers, Customers: o.Customers, Notes: o.Notes, Categories: o.Categories}
		if o.ReportType == attest.TypeI {
			e.AsOfDate = day.AddMonths(o.AsOfInMonths)
			e.TargetDate = e.AsOfDate.AddMonths(o.ReportMonthsAfterWindow)
		} else {
			e.WindowStart = day.AddMonths(o.WindowStartsInMonths)
			e.WindowEnd = attest.DateOf(e.WindowStart.AddMonths(o.WindowMonths).Time().AddDate(0, 0, -1))
			e.TargetDate = e.WindowEnd.AddMonths(o.ReportMonthsAfterWindow)
		}
		if err := db.CreateEngagement(ctx, orgID, e); err != nil {
			return fmt.Errorf("demo engagement %q: %w", o.Name, err)
		}
		if err := addSystems(ctx, db, orgID, e, o.Systems, people); err != nil {
			return err
		}
		if o.Archived {
			yes := true
			if _, err := db.UpdateEngagement(ctx, orgID, e.ID, attest.EngagementUpdate{Archived: &yes}); err != nil {
				return fmt.Errorf("demo engagement %q: %w", o.Name, err)
			}
		}
	}
	return nil
}

// demoSystem is a system in scope as demo.yaml gives it: its owner is one
// of the demo's people, by name.
type demoSystem struct {
	Name        string `yaml:"name"`
	Kind        string `yaml:"kind"`
	Owner       string `yaml:"owner"`
	Description string `yaml:"description"`
}

// addSystems puts the systems in the engagement's scope, each owned by a
// member (by ID), once the people exist.
func addSystems(ctx context.Context, db *store.DB, orgID int64, e *attest.Engagement, systems []demoSystem, people map[string]*attest.User) error {
	for _, s := range systems {
		owner := people[s.Owner]
		if owner == nil {
			return fmt.Errorf("demo.yaml: system %q: its owner %q is not one of the people", s.Name, s.Owner)
		}
		sys := &attest.System{Name: s.Name, Kind: s.Kind, OwnerID: owner.ID, Description: s.Description}
		if err := db.AddSystem(ctx, orgID, e.ID, sys); err != nil {
			return fmt.Errorf("demo system %q: %w", s.Name, err)
		}
		e.Systems = append(e.Systems, sys)
	}
	return nil
}
