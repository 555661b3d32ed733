package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"

	"github.com/attest-dev/attest"
)

// FindOrgAcknowledgements returns every acknowledgement in the
// organization, oldest first.
func (s *DB) FindOrgAcknowledgements(ctx context.Context, orgID int64) ([]*attest.Acknowledgement, error) {
	return queryAll(ctx, s.db, "find acknowledgements", scanAcknowledgement, s.q(`SELECT policy_id, version, user_id, at FROM policy_acknowledgements WHERE org_id = ? ORDER BY at, policy_id, user_id`), orgID)
}

// PolicyStandings returns, for each published policy, who acknowledged its
// published major version, who has yet to and who is overdue. They depend
// on policies, users and settings alone, so they are kept until one of
// those changes (as the audit log shows) or the day does (lateness changes
// with the date); writes to controls, tasks or evidence leave them alone.
// Callers must not change what they get.
func (s *DB) PolicyStandings(ctx context.Context, orgID int64) ([]*attest.PolicyStanding, error) {
	var seq int64
	if v := attest.VersionsFrom(ctx, orgID); v != nil { // read with the session
		seq = max(v.Policy, v.User, v.Settings)
	} else {
		var err error
		if seq, err = s.latestChangeTo(ctx, orgID, standingsEntities...); err != nil {
			return nil, err
		}
	}
	key := standingsKey{seq: seq, day: s.today()}
	s.standings.mu.Lock()
	e, ok := s.standings.m[orgID]
	s.standings.mu.Unlock()
	if ok && e.key == key {
		return e.v, nil
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
	s.standings.mu.Lock()
	if s.standings.m == nil {
		s.standings.m = map[int64]standingsEntry{}
	}
	s.standings.m[orgID] = standingsEntry{key, st}
	s.standings.mu.Unlock()
	return st, nil
}

// standingsEntities are the audit log's entities whose changes can change
// policy standings: policies (and their acknowledgements), users (who must
// acknowledge) and settings (how long they have).
var standingsEntities = []string{"policy", "user", "settings"}

// standingsKey identifies a reading of an organization's standings.
type standingsKey struct {
	seq int64
	day attest.Date
}

// standingsCache keeps each organization's standings with their key.
type standingsCache struct {
	mu sync.Mutex
	m  map[int64]standingsEntry
}

type standingsEntry struct {
	key standingsKey
	v   []*attest.PolicyStanding
}

// latestChangeTo returns the sequence number of the organization's latest
// audited change to any of the entities (0 if none): one index probe each.
func (s *DB) latestChangeTo(ctx context.Context, orgID int64, entities ...string) (int64, error) {
	parts := make([]string, len(entities))
	args := make([]any, 0, 2*len(entities))
	for i, e := range entities {
		parts[i] = `SELECT MAX(seq) AS m FROM audit_log WHERE org_id = ? AND entity = ?`
		args = append(args, orgID, e)
	}
	var seq sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT MAX(m) FROM (`+strings.Join(parts, ` UNION ALL `)+`) latest`), args...).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("read latest change: %w", err)
	}
	return seq.Int64, nil
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
