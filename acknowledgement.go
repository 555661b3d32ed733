package attest

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// Defaults for the acknowledgement settings: the share of employees who
// must acknowledge a policy before the controls it supports count, and the
// days each has to do so.
const (
	DefaultAckSharePercent = 95
	DefaultAckDueDays      = 14
)

// MustAcknowledge reports whether a user is asked to acknowledge the
// organization's policies: every active member except auditors, who are
// outsiders, and members whose access has ended.
func MustAcknowledge(u *User, now time.Time) bool {
	if !u.Active || u.Role == RoleAuditor {
		return false
	}
	return u.AccessExpires == nil || u.AccessExpires.After(now)
}

// AckState is where one user stands with one published policy.
type AckState string

// Acknowledgement states.
const (
	AckDone    AckState = "acknowledged"
	AckPending AckState = "pending"
	AckOverdue AckState = "overdue"
)

// UserAck is one user's acknowledgement of a policy's published major
// version: the version they acknowledged and when, or when it is due.
type UserAck struct {
	UserID  int64     `json:"user_id"`
	Name    string    `json:"name"`
	Email   string    `json:"email"`
	State   AckState  `json:"state"`
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at,omitzero"`
	Due     Date      `json:"due"`
}

// PolicyStanding is how far a published policy has reached the people who
// must acknowledge it.
type PolicyStanding struct {
	Policy   *Policy   `json:"policy"`
	Required int       `json:"required"`
	Done     int       `json:"acknowledged"`
	Overdue  int       `json:"overdue"`
	Users    []UserAck `json:"users"`
}

// Percent returns the share of required users who acknowledged, 0–100. A
// policy nobody must acknowledge counts as fully acknowledged.
func (s *PolicyStanding) Percent() float64 {
	if s.Required == 0 {
		return 100
	}
	return float64(s.Done) * 100 / float64(s.Required)
}

// majorOf returns the major number of a version, or -1 for a malformed one.
func majorOf(version string) int {
	m, _, err := ParsePolicyVersion(version)
	if err != nil {
		return -1
	}
	return m
}

// StandingOf computes who acknowledged the published major version of p.
// Publishing a new major version asks everyone again; a minor version does
// not, so an acknowledgement of 2.0 still counts when 2.1 is published. A
// user's due date runs from the major version's publication (p.AckSince) or
// from the day they joined, whichever is later, so new users receive every
// current policy with the same time to read it. It returns nil for a policy
// that was never published.
func StandingOf(p *Policy, acks []*Acknowledgement, users []*User, dueDays int, now time.Time) *PolicyStanding {
	if p.PublishedVersion == "" {
		return nil
	}
	major := majorOf(p.PublishedVersion)
	latest := map[int64]*Acknowledgement{}
	for _, a := range acks {
		if a.PolicyID != p.ID || majorOf(a.Version) != major {
			continue
		}
		if l, ok := latest[a.UserID]; !ok || a.At.After(l.At) {
			latest[a.UserID] = a
		}
	}
	today := DateOf(now)
	st := &PolicyStanding{Policy: p, Users: []UserAck{}}
	for _, u := range users {
		if !MustAcknowledge(u, now) {
			continue
		}
		from := p.AckSince
		if u.CreatedAt.After(from) {
			from = u.CreatedAt
		}
		ua := UserAck{UserID: u.ID, Name: u.Name, Email: u.Email, Due: DateOf(from).AddDays(dueDays), State: AckPending}
		st.Required++
		if a := latest[u.ID]; a != nil {
			ua.State, ua.Version, ua.At = AckDone, a.Version, a.At
			st.Done++
		} else if ua.Due.Before(today) {
			ua.State = AckOverdue
			st.Overdue++
		}
		st.Users = append(st.Users, ua)
	}
	sort.SliceStable(st.Users, func(i, j int) bool {
		a, b := st.Users[i], st.Users[j]
		if a.State != b.State {
			return ackOrder(a.State) < ackOrder(b.State)
		}
		return a.Name < b.Name
	})
	return st
}

func ackOrder(s AckState) int {
	switch s {
	case AckOverdue:
		return 0
	case AckPending:
		return 1
	}
	return 2
}

// PendingFor returns the published policies the user still has to
// acknowledge, overdue first, from the standings of every policy.
func PendingFor(userID int64, standings []*PolicyStanding) []PendingAck {
	var out []PendingAck
	for _, st := range standings {
		for _, u := range st.Users {
			if u.UserID == userID && u.State != AckDone {
				out = append(out, PendingAck{Policy: st.Policy, Due: u.Due, Overdue: u.State == AckOverdue})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Due.Before(out[j].Due) })
	return out
}

// PendingAck is a published policy a user has yet to acknowledge.
type PendingAck struct {
	Policy  *Policy `json:"policy"`
	Due     Date    `json:"due"`
	Overdue bool    `json:"overdue"`
}

// PolicyGates returns, for each control that needs a policy in force, why
// it is not yet: a control needs a policy when a built-in template or one
// of the organization's policies names it, and a policy is in force once
// published and acknowledged by sharePercent of the people who must. The
// control needs only one such policy among those naming it. A control
// absent from the result is not held back.
func PolicyGates(templates []*PolicyTemplate, policies []*Policy, standings []*PolicyStanding, sharePercent int) map[string]string {
	standing := map[int64]*PolicyStanding{}
	for _, st := range standings {
		standing[st.Policy.ID] = st
	}
	need := map[string][]string{} // control → titles of templates that name it
	for _, t := range templates {
		for _, c := range t.Controls {
			need[c] = append(need[c], t.Title)
		}
	}
	inForce := map[string]bool{}
	blocked := map[string]string{} // control → the best reason among its policies
	for _, p := range policies {
		for _, c := range p.Controls {
			if _, ok := need[c]; !ok {
				need[c] = nil
			}
			if inForce[c] {
				continue
			}
			st := standing[p.ID]
			switch {
			case st == nil:
				if _, seen := blocked[c]; !seen {
					blocked[c] = fmt.Sprintf("policy %q is not published", p.Title)
				}
			case st.Percent() >= float64(sharePercent):
				inForce[c] = true
			default:
				blocked[c] = fmt.Sprintf("policy %q is acknowledged by %.0f%% of employees (%d of %d; %d%% needed)",
					p.Title, st.Percent(), st.Done, st.Required, sharePercent)
			}
		}
	}
	gates := map[string]string{}
	for c, titles := range need {
		if inForce[c] {
			continue
		}
		if r, ok := blocked[c]; ok {
			gates[c] = r
			continue
		}
		slices.Sort(titles)
		gates[c] = fmt.Sprintf("needs a published policy, such as the %q template", titles[0])
	}
	return gates
}
