// Package synth generates a synthetic organization's resources (people,
// accounts, repositories, cloud resources, hosts and databases) of any
// size, deterministically from a seed, shaped like the collectors' output
// (check/RESOURCES.md). Benchmarks and load tests share it so their
// figures describe the same population.
package synth

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/attest-dev/attest/collect"
)

// Now is the moment the organization is observed: dates are relative to
// it, so a run at Now sees the intended mix of leavers.
var Now = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

// share is how the population splits by resource type, in thousandths
// (they sum to 1000); singletons (the GitHub organization, the AWS account
// and its password policy) come on top.
var share = []struct {
	typ   string
	parts int
}{
	{"hr.person", 100}, {"idp.user", 100}, {"ldap.user", 80}, {"ldap.group", 5},
	{"github.member", 60}, {"github.repository", 80}, {"github.pull_request", 20}, {"git.repository", 20},
	{"aws.iam_user", 80}, {"aws.s3_bucket", 100}, {"aws.rds_instance", 40},
	{"aws.cloudtrail", 5}, {"aws.ebs_default", 5}, {"aws.guardduty", 5},
	{"linux.host", 180}, {"postgres.server", 10}, {"postgres.role", 50},
	{"mysql.server", 10}, {"mysql.user", 50},
}

// Generate calls fn with about n resources (the split by type rounds
// down, and three singletons are added), the same ones for the same n and
// seed. Roughly one resource in ten breaks some rule, and one person in
// twenty has left with some of their accounts still active.
func Generate(n int, seed uint64, fn func(collect.Resource) error) error {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), people: max(n*100/1000, 1)}
	for _, s := range []func() collect.Resource{g.org, g.account, g.passwordPolicy} {
		if err := fn(s()); err != nil {
			return err
		}
	}
	for _, s := range share {
		count := n * s.parts / 1000
		for i := range count {
			if err := fn(g.make(s.typ, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Resources returns Generate's resources as a slice.
func Resources(n int, seed uint64) []collect.Resource {
	out := make([]collect.Resource, 0, n+3)
	_ = Generate(n, seed, func(r collect.Resource) error { out = append(out, r); return nil })
	return out
}

type gen struct {
	rng    *rand.Rand
	people int
}

// bad is true for about one resource in ten.
func (g *gen) bad() bool { return g.rng.IntN(10) == 0 }

func (g *gen) pct(p int) bool { return g.rng.IntN(100) < p }

// email is the work address of person i.
func email(i int) string { return fmt.Sprintf("person%d@example.com", i) }

// leaver reports whether person i has left: every twentieth.
func leaver(i int) bool { return i%20 == 7 }

func res(typ, id, name string, attrs map[string]any) collect.Resource {
	return collect.Resource{Type: typ, ID: id, Name: name, Attributes: attrs, CollectedAt: Now}
}

func date(daysAgo int) string { return Now.AddDate(0, 0, -daysAgo).Format(time.DateOnly) }

func (g *gen) org() collect.Resource {
	return res("github.org", "example", "example", map[string]any{"login": "example",
		"two_factor_requirement_enabled": true, "default_repository_permission": "read", "members_can_create_public_repositories": false})
}

func (g *gen) account() collect.Resource {
	return res("aws.account", "123456789012", "production", map[string]any{"account_id": "123456789012", "root_mfa_enabled": true, "root_access_keys": false})
}

func (g *gen) passwordPolicy() collect.Resource {
	return res("aws.password_policy", "123456789012", "password policy", map[string]any{"minimum_length": 12.0, "reuse_prevention": 24.0})
}
