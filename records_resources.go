package attest

import (
	"fmt"
	"strings"

	"github.com/attest-dev/attest/collect"
)

// Records from monitoring: the HR roster integration emits resources of
// type hr.person, directories and code hosts emit their accounts, and the
// code host its merged pull requests. These functions turn them into the
// registers' records; collectors never touch storage, so the job that
// runs a collection hands the resources to the store through them.

// ResourcePersonType is the resource type of an HR roster entry.
const ResourcePersonType = "hr.person"

// AccountResourceTypes are the resource types an access review takes its
// accounts from.
var AccountResourceTypes = []string{"ldap.user", "github.member", "idp.user", "aws.iam_user"}

// ResourcePullRequestType is the resource type of a merged pull request.
const ResourcePullRequestType = "github.pull_request"

// attrString reads a string attribute ("" when absent or not a string).
func attrString(r collect.Resource, name string) string {
	if v, ok := r.Attributes[name].(string); ok {
		return strings.TrimSpace(v)
	}
	return ""
}

// RosterFromResources turns hr.person resources (attributes email, name,
// department, manager (an email), start_date, end_date, employment_type)
// into roster people; other types are skipped. ManagerEmails maps each
// person's email to their manager's, for the store to resolve. An
// invalid entry is EINVALID naming the resource.
func RosterFromResources(res []collect.Resource) (people []*RosterPerson, managerEmails map[string]string, err error) {
	managerEmails = map[string]string{}
	for _, r := range res {
		if r.Type != ResourcePersonType {
			continue
		}
		p := &RosterPerson{Email: attrString(r, "email"), Name: attrString(r, "name"), Department: attrString(r, "department"),
			StartDate: Date(attrString(r, "start_date")), EndDate: Date(attrString(r, "end_date")),
			EmploymentType: EmploymentType(attrString(r, "employment_type")), Source: SourceHR}
		if p.Name == "" {
			p.Name = r.Name
		}
		for _, d := range []*Date{&p.StartDate, &p.EndDate} {
			if len(*d) > 10 { // a timestamp: keep its day
				*d = (*d)[:10]
			}
		}
		if err := p.Validate(); err != nil {
			return nil, nil, Errorf(EINVALID, "resource %s %s: %s", r.Type, r.ID, ErrorMessage(err))
		}
		if m := strings.ToLower(attrString(r, "manager")); m != "" {
			managerEmails[p.Email] = m
		}
		people = append(people, p)
	}
	return people, managerEmails, nil
}

// AccountsFromResources turns account resources of the types in
// AccountResourceTypes into the accounts of an access review: the
// resource's login or name is the account, its email matches the roster,
// its roles, groups or policies are its privileges.
func AccountsFromResources(res []collect.Resource) ([]*AccessAccount, error) {
	var out []*AccessAccount
	for _, r := range res {
		if !containsString(AccountResourceTypes, r.Type) {
			continue
		}
		a := &AccessAccount{Account: firstNonEmpty(attrString(r, "login"), attrString(r, "username"), r.Name, r.ID),
			DisplayName: firstNonEmpty(attrString(r, "name"), r.Name), Email: attrString(r, "email"), Privileges: privileges(r)}
		if err := a.Validate(); err != nil {
			return nil, Errorf(EINVALID, "resource %s %s: %s", r.Type, r.ID, ErrorMessage(err))
		}
		out = append(out, a)
	}
	return out, nil
}

// privileges lists what an account may do, from its role, groups or policies.
func privileges(r collect.Resource) string {
	var parts []string
	for _, name := range []string{"role", "roles", "groups", "policies", "permissions"} {
		switch v := r.Attributes[name].(type) {
		case string:
			if v != "" {
				parts = append(parts, v)
			}
		case []any:
			for _, x := range v {
				parts = append(parts, fmt.Sprint(x))
			}
		}
	}
	return strings.Join(parts, ", ")
}

// ChangesFromResources turns merged github.pull_request resources into
// change records. The code-hosting collector emits one resource per pull
// request, shaped as follows (attributes other than these are ignored):
//
//	Type        "github.pull_request"
//	ID          stable across runs, such as "northwind/api#412": the
//	            change's external ID, so a pull request seen again is
//	            not imported twice
//	Name        the title, when the title attribute is absent
//	title       string: the pull request's title
//	repository  string: "owner/name", recorded as the change's system
//	url         string: the pull request's web address
//	number      number: the pull request's number (informative)
//	author      string: the author's login
//	approvers   list of strings: logins of the reviewers whose latest
//	            review approved it
//	merged_at   string: RFC 3339 time of the merge; absent or "" while
//	            the pull request is not merged (it is then skipped)
//	merged_by   string: the login that merged it (informative)
//	body        string: the description
//	checks      string: the required checks and their conclusions, such
//	            as "ci/test: success, lint: success"
//
// People are resolved by login with the caller's resolve (the store maps
// a login to a member through the github.member resources' login and
// email); an unresolved login stays as a note, which approves nothing. A
// change is independently approved when an approver other than the author
// resolves to a member; it is implemented on the merge day.
func ChangesFromResources(res []collect.Resource, resolve func(login string) int64) ([]*ChangeRecord, error) {
	var out []*ChangeRecord
	for _, r := range res {
		if r.Type != ResourcePullRequestType {
			continue
		}
		merged := attrString(r, "merged_at")
		if merged == "" {
			continue // not merged: not a change yet
		}
		if len(merged) > 10 {
			merged = merged[:10]
		}
		c := &ChangeRecord{Title: firstNonEmpty(attrString(r, "title"), r.Name), System: attrString(r, "repository"),
			URL: attrString(r, "url"), ImplementedOn: Date(merged), Source: ResourcePullRequestType, ExternalID: r.ID,
			Description: attrString(r, "body"), Tests: attrString(r, "checks")}
		author := attrString(r, "author")
		c.RequesterID = resolve(author)
		if c.RequesterID == 0 {
			c.RequesterNote = author
		}
		if approvers := attrStrings(r, "approvers"); len(approvers) > 0 {
			for _, login := range approvers {
				if id := resolve(login); id != 0 && id != c.RequesterID {
					c.ApproverID, c.ApprovedOn, c.ApproverNote = id, c.ImplementedOn, ""
					break
				} else if c.ApproverNote == "" {
					c.ApproverNote = login
				}
			}
		}
		if err := c.Validate(); err != nil {
			return nil, Errorf(EINVALID, "resource %s %s: %s", r.Type, r.ID, ErrorMessage(err))
		}
		out = append(out, c)
	}
	return out, nil
}

// attrStrings reads a list of strings, as a collector emits it ([]string)
// or as it reads back from storage ([]any).
func attrStrings(r collect.Resource, name string) []string {
	switch v := r.Attributes[name].(type) {
	case []string:
		return v
	case []any:
		out := make([]string, 0, len(v))
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
