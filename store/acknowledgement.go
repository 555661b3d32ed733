package store

import (
	"context"

	"github.com/attest-dev/attest"
)

// FindOrgAcknowledgements returns every acknowledgement in the
// organization, oldest first.
func (s *DB) FindOrgAcknowledgements(ctx context.Context, orgID int64) ([]*attest.Acknowledgement, error) {
	return queryAll(ctx, s.db, "find acknowledgements", scanAcknowledgement, s.q(`SELECT policy_id, version, user_id, at FROM policy_acknowledgements WHERE org_id = ? ORDER BY at, policy_id, user_id`), orgID)
}

// PolicyStandings returns, for each published policy, who acknowledged its
// published major version, who has yet to and who is overdue. Everything
// they depend on is audited, so they are cached by the organization's audit
// sequence number and the day (lateness changes with the date); callers
// must not change what they get.
func (s *DB) PolicyStandings(ctx context.Context, orgID int64) ([]*attest.PolicyStanding, error) {
	seq, err := s.auditSeq(ctx, orgID)
	if err != nil {
		return nil, err
	}
	key := readinessKey{seq: seq, day: s.today()}
	if st, ok := s.standings.lookup(orgID, key); ok {
		return st, nil
	}
	policies, err := s.FindPolicies(ctx, orgID)
	if err != nil {
		return nil, err
	}
	settings, err := s.FindSettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	st, err := s.standingsOf(ctx, orgID, policies, settings)
	if err != nil {
		return nil, err
	}
	s.standings.put(orgID, key, st)
	return st, nil
}

// PolicyStanding returns one policy's standing, or nil if it was never
// published. It reads that policy's acknowledgements only.
func (s *DB) PolicyStanding(ctx context.Context, orgID int64, p *attest.Policy) (*attest.PolicyStanding, error) {
	if p.PublishedVersion == "" {
		return nil, nil
	}
	settings, err := s.FindSettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	acks, err := s.FindAcknowledgements(ctx, orgID, p.ID)
	if err != nil {
		return nil, err
	}
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return attest.StandingOf(p, acks, users, settings.AckDueDays, s.now()), nil
}

// standingsOf computes the standings of the published policies among
// policies, reading the organization's acknowledgements once.
func (s *DB) standingsOf(ctx context.Context, orgID int64, policies []*attest.Policy, settings *attest.Settings) ([]*attest.PolicyStanding, error) {
	published := attest.Published(policies)
	if len(published) == 0 {
		return nil, nil
	}
	acks, err := s.FindOrgAcknowledgements(ctx, orgID)
	if err != nil {
		return nil, err
	}
	users, err := s.FindUsers(ctx, orgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := make([]*attest.PolicyStanding, 0, len(published))
	for _, p := range published {
		out = append(out, attest.StandingOf(p, acks, users, settings.AckDueDays, now))
	}
	return out, nil
}

// policyGates returns the controls held back by a policy not yet in force.
func (s *DB) policyGates(ctx context.Context, orgID int64) (map[string]string, error) {
	policies, err := s.FindPolicies(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if len(policies) == 0 && len(s.templates) == 0 {
		return nil, nil
	}
	st, err := s.FindSettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	standings, err := s.standingsOf(ctx, orgID, policies, st)
	if err != nil {
		return nil, err
	}
	return attest.PolicyGates(s.templates, policies, standings, st.AckSharePercent), nil
}
