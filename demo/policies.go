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

// loadPolicies creates the demo's people as users (they cannot sign in:
// they have no password), adopts the policies, publishes some of them
// weeks ago and records the people's acknowledgements.
func loadPolicies(ctx context.Context, db *store.DB, org *attest.Organization, f *file, today time.Time) error {
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
	for _, name := range f.People {
		if name != f.Admin.Name && users[name] == 0 {
			first, _, _ := strings.Cut(strings.ToLower(name), " ")
			u := &attest.User{OrgID: org.ID, Email: first + "@northwind.example", Name: name, Role: attest.RoleControlOwner, Active: true}
			if err := db.CreateUser(ctx, u); err != nil {
				return fmt.Errorf("demo user %s: %w", name, err)
			}
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
	for _, id := range pf.Drafts {
		if _, err := adopt(id); err != nil {
			return err
		}
	}
	// Today's snapshot, now that the policies count.
	db.Now = now
	return db.RecordSnapshots(ctx, org.ID)
}
