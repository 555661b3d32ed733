package demo

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
	"github.com/goccy/go-yaml"
)

//go:embed people_records.yaml
var peopleRecordsContent []byte

// peopleFile is the shape of people_records.yaml.
type peopleFile struct {
	Roster []struct {
		Name, Email, Department, Manager, Type string
		StartedAgo                             int      `yaml:"started_ago"`
		StartsIn                               int      `yaml:"starts_in"`
		LeftAgo                                int      `yaml:"left_ago"`
		OnboardingDone                         int      `yaml:"onboarding_done"`
		Late                                   []string `yaml:"late"`
	} `yaml:"roster"`
	Training []struct {
		Title, Kind, Control, Material string
		DueAgo                         int      `yaml:"due_ago"`
		DueIn                          int      `yaml:"due_in"`
		NotDone                        []string `yaml:"not_done"`
		Assign, Done                   []string
	} `yaml:"training"`
	AccessReviews []struct {
		System, Control, Reviewer string
		PeriodAgo                 []int  `yaml:"period_ago"`
		DueIn                     int    `yaml:"due_in"`
		SignedBy                  string `yaml:"signed_by"`
		SignedAgo                 int    `yaml:"signed_ago"`
		Accounts                  []struct {
			Account, Email, Privileges, Decision, Comment, Reviewer string
			ResolvedAgo                                             int `yaml:"resolved_ago"`
		}
	} `yaml:"access_reviews"`
	Changes []struct {
		Title, System, Requester, Approver, Tests, Rollback, Source, Ref string
		Ago                                                              int
		Emergency                                                        bool
		ApprovedAfter                                                    int `yaml:"approved_after"`
	} `yaml:"changes"`
	ControlTests []struct {
		Control, Tester, Procedure, Sample, Result, Notes string
		TestedAgo                                         int `yaml:"tested_ago"`
		DueIn                                             int `yaml:"due_in"`
	} `yaml:"control_tests"`
}

// loadPeopleRecords fills the registers of people_records.yaml: what happened in the
// past is recorded with the store's clock moved back to its day.
func loadPeopleRecords(ctx context.Context, db *store.DB, orgID int64, people map[string]*attest.User, today time.Time) error {
	var f peopleFile
	if err := yaml.UnmarshalWithOptions(peopleRecordsContent, &f, yaml.Strict()); err != nil {
		return fmt.Errorf("people_records.yaml: %w", err)
	}
	// Members by name: the people of demo.yaml and the accounts made after them.
	users, err := db.FindUsers(ctx, orgID)
	if err != nil {
		return err
	}
	people = map[string]*attest.User{}
	for _, u := range users {
		people[u.Name] = u
	}
	now := db.Now
	defer func() { db.Now = now }()
	at := func(daysAgo int) { db.Now = func() time.Time { return today.AddDate(0, 0, -daysAgo) } }
	day := func(daysAgo int) attest.Date { return attest.DateOf(today.AddDate(0, 0, -daysAgo)) }
	member := func(name string) (int64, error) {
		if u := people[name]; u != nil {
			return u.ID, nil
		}
		return 0, fmt.Errorf("people_records.yaml: %q is not one of the people", name)
	}
	email := func(name string) string {
		first, _, _ := strings.Cut(strings.ToLower(name), " ")
		return first + "@northwind.example"
	}

	roster := map[string]*attest.RosterPerson{}
	for _, r := range f.Roster {
		p := &attest.RosterPerson{Name: r.Name, Email: r.Email, Department: r.Department, EmploymentType: attest.EmploymentType(r.Type), StartDate: day(r.StartedAgo)}
		if p.Email == "" {
			p.Email = email(r.Name)
		}
		if r.StartsIn > 0 {
			p.StartDate = day(-r.StartsIn)
		}
		if m := roster[r.Manager]; m != nil {
			p.ManagerID = m.ID
		}
		at(min(r.StartedAgo, 400))
		if err := db.CreateRosterPerson(ctx, orgID, p); err != nil {
			return fmt.Errorf("demo person %s: %w", r.Name, err)
		}
		roster[r.Name] = p
		at(0)
		cs, err := db.FindChecklists(ctx, orgID, p.ID)
		if err != nil {
			return err
		}
		// Onboarding long done for everyone but the newest hires.
		done := len(cs[0].Items)
		if r.StartsIn > 0 {
			done = 0
		} else if r.OnboardingDone > 0 {
			done = r.OnboardingDone
		}
		if done > 0 {
			at(max(r.StartedAgo-2, 0))
		}
		for _, it := range cs[0].Items[:done] {
			if _, err := db.UpdateChecklistItem(ctx, orgID, cs[0].ID, it.ID, people["Grace Okafor"].ID, attest.ItemUpdate{DoneOn: max(p.StartDate, day(r.StartedAgo-2))}); err != nil {
				return fmt.Errorf("demo onboarding of %s: %w", r.Name, err)
			}
		}
		at(0)
		if r.LeftAgo == 0 {
			continue
		}
		p.EndDate = day(r.LeftAgo)
		at(r.LeftAgo + 14) // the leaver gave notice two weeks before
		if err := db.UpdateRosterPerson(ctx, orgID, p); err != nil {
			return fmt.Errorf("demo leaver %s: %w", r.Name, err)
		}
		cs, err = db.FindChecklists(ctx, orgID, p.ID)
		if err != nil {
			return err
		}
		off := cs[len(cs)-1]
		for _, it := range off.Items {
			on := p.EndDate
			for _, late := range r.Late {
				if it.Title == late {
					on = day(r.LeftAgo - 4)
				}
			}
			by := people["Tom Becker"].ID
			if it.Kind == attest.ItemTask {
				by = people["Grace Okafor"].ID
			}
			at(int(today.Sub(on.Time()).Hours() / 24))
			if _, err := db.UpdateChecklistItem(ctx, orgID, off.ID, it.ID, by, attest.ItemUpdate{DoneOn: on}); err != nil {
				return fmt.Errorf("demo offboarding of %s: %w", r.Name, err)
			}
		}
	}
	if err := loadTraining(ctx, db, orgID, &f, roster, day, at); err != nil {
		return err
	}
	if err := loadReviews(ctx, db, orgID, &f, member, day, at); err != nil {
		return err
	}
	for _, c := range f.Changes {
		req, err := member(c.Requester)
		if err != nil {
			return err
		}
		appr, err := member(c.Approver)
		if err != nil {
			return err
		}
		ch := &attest.ChangeRecord{Title: c.Title, System: c.System, RequesterID: req, ApproverID: appr, ApprovedOn: day(c.Ago - c.ApprovedAfter),
			Tests: c.Tests, RollbackPlan: c.Rollback, ImplementedOn: day(c.Ago), Emergency: c.Emergency, Source: c.Source, ExternalID: c.Ref, ControlID: "CHG-02"}
		if c.Emergency {
			ch.ControlID = "CHG-05" // the emergency change procedure's own list
		}
		if c.Ref != "" {
			repo, num, _ := strings.Cut(c.Ref, "#")
			ch.URL = "https://github.com/" + repo + "/pull/" + num
		}
		at(c.Ago)
		if err := db.CreateChange(ctx, orgID, ch); err != nil {
			return fmt.Errorf("demo change %q: %w", c.Title, err)
		}
	}
	period := quarterName(today)
	for _, t := range f.ControlTests {
		tester, err := member(t.Tester)
		if err != nil {
			return err
		}
		ct := &attest.ControlTest{ControlID: t.Control, Period: period, TesterID: tester, DueDate: day(-t.DueIn)}
		if t.DueIn == 0 {
			ct.DueDate = day(t.TestedAgo - 7)
		}
		at(30)
		if err := db.CreateControlTest(ctx, orgID, ct); err != nil {
			return fmt.Errorf("demo test of %s: %w", t.Control, err)
		}
		if t.Result == "" {
			continue
		}
		at(t.TestedAgo)
		if _, err := db.RecordControlTest(ctx, orgID, ct.ID, &attest.ControlTest{Procedure: t.Procedure, Sample: t.Sample, Result: t.Result, TestedOn: day(t.TestedAgo), Notes: t.Notes}); err != nil {
			return fmt.Errorf("demo test of %s: %w", t.Control, err)
		}
	}
	return nil
}

// quarterName names the quarter holding day, as the internal audit plan does.
func quarterName(day time.Time) string {
	return fmt.Sprintf("%d-Q%d", day.Year(), (int(day.Month())+2)/3)
}

func loadTraining(ctx context.Context, db *store.DB, orgID int64, f *peopleFile, roster map[string]*attest.RosterPerson, day func(int) attest.Date, at func(int)) error {
	for _, t := range f.Training {
		c := &attest.TrainingCampaign{Title: t.Title, Kind: t.Kind, Material: t.Material, ControlID: t.Control, DueDate: day(t.DueAgo)}
		if t.DueIn > 0 {
			c.DueDate = day(-t.DueIn)
		}
		at(max(t.DueAgo+30, 10))
		if err := db.CreateTrainingCampaign(ctx, orgID, c); err != nil {
			return fmt.Errorf("demo training %q: %w", t.Title, err)
		}
		var ids []int64
		for _, name := range t.Assign {
			if roster[name] == nil {
				return fmt.Errorf("people_records.yaml: training %q: %q is not on the roster", t.Title, name)
			}
			ids = append(ids, roster[name].ID)
		}
		if _, err := db.AssignTraining(ctx, orgID, c.ID, ids); err != nil {
			return err
		}
		at(0)
		as, err := db.FindTrainingAssignments(ctx, orgID, c.ID)
		if err != nil {
			return err
		}
		skip := map[string]bool{}
		for _, n := range t.NotDone {
			skip[n] = true
		}
		done := map[string]bool{}
		for _, n := range t.Done {
			done[n] = true
		}
		for i, a := range as {
			if skip[a.Person] || (len(t.Done) > 0 && !done[a.Person]) || (t.DueAgo > 0 && roster[a.Person] == nil) {
				continue
			}
			when := max(c.DueDate.AddDays(-3-i%9), day(10))
			if t.DueIn > 0 {
				when = day(2 + i)
			}
			if _, err := db.CompleteTraining(ctx, orgID, a.ID, when, attest.CompletedAcknowledged, 0); err != nil {
				return fmt.Errorf("demo training %q of %s: %w", t.Title, a.Person, err)
			}
		}
	}
	return nil
}

func loadReviews(ctx context.Context, db *store.DB, orgID int64, f *peopleFile, member func(string) (int64, error), day func(int) attest.Date, at func(int)) error {
	for _, r := range f.AccessReviews {
		rv := &attest.AccessReview{System: r.System, ControlID: r.Control, PeriodStart: day(r.PeriodAgo[0]), PeriodEnd: day(r.PeriodAgo[1]), Source: "csv"}
		if r.DueIn > 0 {
			rv.DueDate = day(-r.DueIn)
		}
		var accounts []*attest.AccessAccount
		for _, a := range r.Accounts {
			accounts = append(accounts, &attest.AccessAccount{Account: a.Account, Email: a.Email, Privileges: a.Privileges})
		}
		at(r.PeriodAgo[1] - 1)
		if err := db.CreateAccessReview(ctx, orgID, rv, accounts); err != nil {
			return fmt.Errorf("demo review of %s: %w", r.System, err)
		}
		reviewer, err := member(r.Reviewer)
		if err != nil {
			return err
		}
		if err := db.AssignReviewer(ctx, orgID, rv.ID, reviewer, nil); err != nil {
			return err
		}
		list, err := db.FindAccessAccounts(ctx, orgID, rv.ID)
		if err != nil {
			return err
		}
		for i, a := range r.Accounts {
			by := reviewer
			if a.Reviewer != "" {
				if by, err = member(a.Reviewer); err != nil {
					return err
				}
				if err := db.AssignReviewer(ctx, orgID, rv.ID, by, []int64{list[i].ID}); err != nil {
					return err
				}
			}
			if a.Decision == "" {
				continue
			}
			if _, err := db.DecideAccess(ctx, orgID, rv.ID, list[i].ID, by, attest.Decision{Decision: a.Decision, Comment: a.Comment}); err != nil {
				return fmt.Errorf("demo decision on %s: %w", a.Account, err)
			}
			if a.ResolvedAgo > 0 {
				if _, err := db.ResolveAccess(ctx, orgID, rv.ID, list[i].ID, day(a.ResolvedAgo)); err != nil {
					return err
				}
			}
		}
		if r.SignedBy == "" {
			continue
		}
		signer, err := member(r.SignedBy)
		if err != nil {
			return err
		}
		at(r.SignedAgo)
		// The signed-off record is evidence of the review's control, as
		// signing off in the browser makes it.
		var record *attest.Evidence
		if rv.ControlID != "" {
			record = &attest.Evidence{Kind: attest.EvidenceStatement, Title: "Access review of " + rv.System + ", signed off",
				Statement: fmt.Sprintf("Access review of %s for %s to %s, signed off by %s on %s; every revocation and change was carried out.",
					rv.System, rv.PeriodStart, rv.PeriodEnd, r.SignedBy, day(r.SignedAgo)),
				PeriodStart: rv.PeriodStart, PeriodEnd: min(rv.PeriodEnd, day(r.SignedAgo)), Links: []attest.EvidenceLinkRef{{ControlID: rv.ControlID}}}
		}
		if _, err := db.SignOffAccessReview(ctx, orgID, rv.ID, signer, record); err != nil {
			return fmt.Errorf("demo sign-off of %s: %w", r.System, err)
		}
	}
	return nil
}
