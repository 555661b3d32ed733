package store

import (
	"context"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/collect"
)

// ImportPullRequests records the merged pull requests among the latest
// github.pull_request resources (of one integration, or of all for 0) as
// changes, each attached to controlID when one is named (an approved one
// then becomes its evidence). A login is a member when a github.member
// resource gives it an email that is a member's; a pull request stored
// already is skipped. It returns how many changes were added and how many
// merged pull requests were read.
func (s *DB) ImportPullRequests(ctx context.Context, orgID, integrationID int64, controlID string) (added, merged int, err error) {
	controlID = strings.ToUpper(strings.TrimSpace(controlID))
	if err := s.checkControlRef(ctx, s.db, orgID, controlID); err != nil {
		return 0, 0, err
	}
	var prs []collect.Resource
	err = s.Resources(ctx, orgID, attest.ResourcePullRequestType, func(in int64, r collect.Resource) error {
		if integrationID == 0 || in == integrationID {
			prs = append(prs, r)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return s.RecordPullRequests(ctx, orgID, prs, controlID)
}

// RecordPullRequests records the merged pull requests among prs as
// changes, as ImportPullRequests does with those it reads; a collection
// run hands over those it just stored. controlID ("" for none) must be a
// control of the organization.
func (s *DB) RecordPullRequests(ctx context.Context, orgID int64, prs []collect.Resource, controlID string) (added, merged int, err error) {
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return 0, 0, err
	}
	byEmail := map[string]int64{}
	for _, u := range users {
		if u.Active {
			byEmail[strings.ToLower(u.Email)] = u.ID
		}
	}
	logins := map[string]int64{}
	err = s.Resources(ctx, orgID, "github.member", func(_ int64, r collect.Resource) error {
		login, _ := r.Attributes["login"].(string)
		email, _ := r.Attributes["email"].(string)
		if login == "" {
			login = r.Name
		}
		if id := byEmail[strings.ToLower(strings.TrimSpace(email))]; id != 0 && login != "" {
			logins[strings.ToLower(login)] = id
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	changes, err := attest.ChangesFromResources(prs, func(login string) int64 { return logins[strings.ToLower(strings.TrimSpace(login))] })
	if err != nil {
		return 0, 0, err
	}
	for _, c := range changes {
		c.ControlID = controlID
	}
	added, err = s.ImportChanges(ctx, orgID, changes)
	return added, len(changes), err
}
