package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/catalog"
	"github.com/attest-dev/attest/store"
)

// createPeople creates the demo's members: the admin (today, without a
// password) and everyone under people, as control owners who joined before
// the policies were published (they cannot sign in: they have no
// password). Every owner in the demo is one of them.
func createPeople(ctx context.Context, db *store.DB, org *attest.Organization, f *file, today time.Time) (map[string]*attest.User, error) {
	people := map[string]*attest.User{}
	admin := &attest.User{OrgID: org.ID, Email: f.Admin.Email, Name: f.Admin.Name, Role: attest.RoleAdmin, Active: true}
	if err := db.CreateUser(ctx, admin); err != nil {
		return nil, fmt.Errorf("demo admin: %w", err)
	}
	people[admin.Name] = admin
	now := db.Now
	defer func() { db.Now = now }()
	then := today.AddDate(0, 0, -f.Policies.PublishedDaysAgo)
	db.Now = func() time.Time { return then }
	var names []string
	for _, name := range f.People {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if people[name] != nil {
			continue
		}
		first, _, _ := strings.Cut(strings.ToLower(name), " ")
		u := &attest.User{OrgID: org.ID, Email: first + "@northwind.example", Name: name, Role: attest.RoleControlOwner, Active: true}
		if err := db.CreateUser(ctx, u); err != nil {
			return nil, fmt.Errorf("demo user %s: %w", name, err)
		}
		people[name] = u
	}
	return people, nil
}

// loadPolicies adopts the policies, publishes some of them weeks ago and
// records the people's acknowledgements; of the drafts, some wait for the
// approvers' decision and one is approved but not yet published.
func loadPolicies(ctx context.Context, db *store.DB, org *attest.Organization, f *file, people map[string]*attest.User, today time.Time) error {
	pf := f.Policies
	// The past is made by moving the store's clock back for a moment;
	// nothing else uses the store while the demo loads.
	now := db.Now
	defer func() { db.Now = now }()
	then := today.AddDate(0, 0, -pf.PublishedDaysAgo)
	db.Now = func() time.Time { return then }

	st, err := db.FindSettings(ctx, org.ID)
	if err != nil {
		return err
	}
	st.AckSharePercent = pf.AckSharePercent
	if err := db.UpdateSettings(ctx, org.ID, st); err != nil {
		return fmt.Errorf("demo settings: %w", err)
	}
	users := map[string]int64{}
	var names []string
	for name, u := range people {
		if name != f.Admin.Name {
			users[name] = u.ID
			names = append(names, name)
		}
	}
	slices.Sort(names)
	approver, ok := users[pf.Approver]
	if !ok {
		return fmt.Errorf("demo.yaml: the policy approver %q is not one of the people", pf.Approver)
	}
	adopt := func(id string) (*attest.Policy, error) {
		t, err := catalog.PolicyTemplate(id)
		if err != nil {
			return nil, err
		}
		// The approver and the effective date are left to publication,
		// which fills them from the approval record.
		fill := attest.PolicyFill(org.Name, t, map[string]string{"owner": f.People[t.OwnerRole],
			"security_contact": "security@northwind.example", "privacy_contact": "privacy@northwind.example"})
		p, err := db.AdoptTemplate(ctx, org.ID, t, fill)
		if err != nil {
			return nil, fmt.Errorf("demo policy %s: %w", id, err)
		}
		if owner := people[f.People[t.OwnerRole]]; owner != nil {
			if p, err = db.SetPolicyOwner(ctx, org.ID, p.ID, owner.ID); err != nil {
				return nil, err
			}
		}
		if _, err := db.SetApprovers(ctx, org.ID, p.ID, []int64{approver}); err != nil {
			return nil, err
		}
		return p, nil
	}
	for _, id := range pf.Published {
		p, err := adopt(id)
		if err != nil {
			return err
		}
		if _, err := db.SubmitForApproval(ctx, org.ID, p.ID); err != nil {
			return err
		}
		if _, err := db.Decide(ctx, org.ID, p.ID, p.CurrentVersion, approver, true, ""); err != nil {
			return err
		}
		if p, err = db.Publish(ctx, org.ID, p.ID, p.CurrentVersion); err != nil {
			return err
		}
		for _, name := range names {
			if slices.Contains(pf.Missing[id], name) {
				continue
			}
			if _, err := db.Acknowledge(ctx, org.ID, p.ID, p.PublishedVersion, users[name]); err != nil {
				return err
			}
		}
	}
	for id, missing := range pf.Missing {
		if !slices.Contains(pf.Published, id) {
			return fmt.Errorf("demo.yaml: missing acknowledgements for %s, which is not published", id)
		}
		for _, name := range missing {
			if users[name] == 0 {
				return fmt.Errorf("demo.yaml: %q under missing is not one of the people", name)
			}
		}
	}
	admin := people[f.Admin.Name]
	for _, id := range pf.Drafts {
		p, err := adopt(id)
		if err != nil {
			return err
		}
		switch {
		case slices.Contains(pf.AwaitingAdmin, id):
			// The admin is a second approver: the approver has approved,
			// the admin's decision is on their home page.
			if _, err := db.SetApprovers(ctx, org.ID, p.ID, []int64{approver, admin.ID}); err != nil {
				return err
			}
			if _, err := db.SubmitForApproval(ctx, org.ID, p.ID); err != nil {
				return err
			}
			if _, err := db.Decide(ctx, org.ID, p.ID, p.CurrentVersion, approver, true, "Reads well; the retention periods match what legal agreed."); err != nil {
				return err
			}
		case slices.Contains(pf.Approved, id):
			if _, err := db.SubmitForApproval(ctx, org.ID, p.ID); err != nil {
				return err
			}
			if _, err := db.Decide(ctx, org.ID, p.ID, p.CurrentVersion, approver, true, ""); err != nil {
				return err
			}
		}
	}
	for _, id := range append(append([]string{}, pf.AwaitingAdmin...), pf.Approved...) {
		if !slices.Contains(pf.Drafts, id) {
			return fmt.Errorf("demo.yaml: %s is sent for approval but is not one of the drafts", id)
		}
	}
	// Today's snapshot, now that the policies count.
	db.Now = now
	return db.RecordSnapshots(ctx, org.ID)
}
