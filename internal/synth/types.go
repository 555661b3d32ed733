package synth

import (
	"fmt"
	"strings"

	"github.com/attest-dev/attest/collect"
)

var regions = []string{"eu-west-1", "eu-central-1", "us-east-1", "us-west-2"}

// make builds the i-th resource of typ. Numbers are float64 and lists
// []any, as JSON decoding gives them.
func (g *gen) make(typ string, i int) collect.Resource {
	switch typ {
	case "hr.person":
		end := any(nil)
		if leaver(i) {
			end = date(1 + g.rng.IntN(200))
		} else if g.pct(1) {
			end = date(-30) // leaving next month
		}
		mgr := email(i / 8)
		if g.pct(2) {
			mgr = ""
		}
		return res(typ, fmt.Sprintf("E%07d", i), fmt.Sprintf("Person %d", i), map[string]any{
			"email": email(i), "name": fmt.Sprintf("Person %d", i), "department": []string{"Engineering", "Sales", "IT", "Security", "Finance"}[i%5],
			"manager": mgr, "start_date": date(300 + g.rng.IntN(2000)), "end_date": end})
	case "idp.user":
		p := i % g.people
		addr := email(p)
		if i%3 == 0 {
			addr = strings.ToUpper(addr[:1]) + addr[1:] // case differs from the roster
		}
		if g.pct(2) {
			addr = fmt.Sprintf("shared-%d@example.com", i)
		}
		return res(typ, fmt.Sprintf("u%07d", i), addr, map[string]any{
			"email": addr, "mfa_enrolled": !g.bad(), "suspended": leaver(p) && !g.pct(30), "admin": g.pct(1),
			"last_login_days": float64(g.rng.IntN(120))})
	case "ldap.user":
		p := i % g.people
		return res(typ, fmt.Sprintf("uid=p%d,ou=people,dc=example,dc=com", i), fmt.Sprintf("p%d", i), map[string]any{
			"uid": fmt.Sprintf("p%d", i), "email": email(p), "disabled": leaver(p) && !g.pct(30), "groups": []any{"staff", "engineering"}})
	case "ldap.group":
		members := make([]any, 1+g.rng.IntN(8))
		for j := range members {
			members[j] = fmt.Sprintf("p%d", g.rng.IntN(g.people))
		}
		cn := fmt.Sprintf("team-%d", i)
		if i%10 == 0 {
			cn = fmt.Sprintf("admins-%d", i)
		}
		return res(typ, "cn="+cn+",ou=groups,dc=example,dc=com", cn, map[string]any{"cn": cn, "members": members})
	case "github.member":
		p := i % g.people
		addr := email(p)
		if g.pct(20) {
			addr = "" // GitHub shows no verified address for this one
		}
		login := fmt.Sprintf("dev%d", i)
		return res(typ, "example/"+login, login, map[string]any{"login": login, "email": addr, "role": map[bool]string{true: "admin", false: "member"}[g.pct(2)]})
	case "github.repository":
		name := fmt.Sprintf("example/repo-%d", i)
		bp := any(map[string]any{"required_approving_review_count": float64(1 + g.rng.IntN(2)), "dismiss_stale_reviews": !g.bad(),
			"required_status_checks": !g.bad(), "enforce_admins": !g.bad(), "allow_force_pushes": g.bad()})
		if g.pct(5) {
			bp = nil
		}
		crit := 0.0
		if g.bad() {
			crit = float64(1 + g.rng.IntN(3))
		}
		return res(typ, name, name, map[string]any{"full_name": name, "default_branch": "main", "archived": g.pct(5), "private": true,
			"branch_protection": bp, "dependabot_alerts_open_critical": crit, "secret_scanning_enabled": !g.bad()})
	case "github.pull_request":
		id := fmt.Sprintf("example/repo-%d#%d", i%80, 100+i)
		author := fmt.Sprintf("dev%d", i%60)
		approvers := []any{fmt.Sprintf("dev%d", (i+1)%60)}
		if g.bad() {
			approvers = []any{}
		}
		return res(typ, id, id, map[string]any{"repository": fmt.Sprintf("example/repo-%d", i%80), "number": float64(100 + i), "title": "Change " + id,
			"author": author, "merged_at": "2026-03-01T12:00:00Z", "approvers": approvers, "approved_by_other": len(approvers) > 0, "base": "main", "default_branch": "main"})
	case "git.repository":
		n := 0.0
		if g.bad() {
			n = float64(1 + g.rng.IntN(5))
		}
		return res(typ, fmt.Sprintf("/srv/git/repo-%d.git", i), fmt.Sprintf("repo-%d", i), map[string]any{"path": fmt.Sprintf("/srv/git/repo-%d.git", i), "default_branch": "main", "unreviewed_merges": n})
	case "aws.iam_user":
		keys := make([]any, g.rng.IntN(3))
		for j := range keys {
			last := any(float64(g.rng.IntN(120)))
			if g.pct(10) {
				last = nil
			}
			keys[j] = map[string]any{"id": fmt.Sprintf("AKIA%08d%d", i, j), "active": !g.pct(20), "age_days": float64(g.rng.IntN(200)), "last_used_days": last}
		}
		return res(typ, fmt.Sprintf("arn:aws:iam::123456789012:user/u%d", i), fmt.Sprintf("u%d", i), map[string]any{
			"arn": fmt.Sprintf("arn:aws:iam::123456789012:user/u%d", i), "mfa_active": !g.bad(), "console_access": g.pct(60), "access_keys": keys})
	case "aws.s3_bucket":
		return res(typ, fmt.Sprintf("arn:aws:s3:::bucket-%d", i), fmt.Sprintf("bucket-%d", i), map[string]any{
			"region": regions[i%len(regions)], "encrypted": !g.bad(), "public_access_blocked": !g.bad(), "versioning": !g.bad()})
	case "aws.rds_instance":
		return res(typ, fmt.Sprintf("arn:aws:rds:eu-west-1:123456789012:db:db-%d", i), fmt.Sprintf("db-%d", i), map[string]any{
			"region": regions[i%len(regions)], "engine": "postgres", "storage_encrypted": !g.bad(), "publicly_accessible": g.bad(),
			"backup_retention_days": float64(map[bool]int{true: 1, false: 14}[g.bad()]), "multi_az": !g.bad()})
	case "aws.cloudtrail":
		return res(typ, fmt.Sprintf("arn:aws:cloudtrail:eu-west-1:123456789012:trail/t%d", i), fmt.Sprintf("t%d", i), map[string]any{
			"name": fmt.Sprintf("t%d", i), "multi_region": !g.bad(), "log_file_validation": !g.bad(), "kms_key_id": map[bool]string{true: "", false: "arn:aws:kms:eu-west-1:123456789012:key/k"}[g.bad()]})
	case "aws.ebs_default":
		return res(typ, fmt.Sprintf("123456789012/%s-%d", regions[i%len(regions)], i), regions[i%len(regions)], map[string]any{"region": regions[i%len(regions)], "encryption_by_default": !g.bad()})
	case "aws.guardduty":
		return res(typ, fmt.Sprintf("123456789012/%s-%d", regions[i%len(regions)], i), regions[i%len(regions)], map[string]any{"region": regions[i%len(regions)], "enabled": !g.bad()})
	case "linux.host":
		nopw := []any{}
		if g.bad() {
			nopw = []any{"deploy"}
		}
		root := "no"
		if g.bad() {
			root = "prohibit-password"
		}
		updates := 0.0
		if g.bad() {
			updates = float64(1 + g.rng.IntN(20))
		}
		return res(typ, fmt.Sprintf("host-%07d", i), fmt.Sprintf("web-%d", i), map[string]any{
			"os": "Debian GNU/Linux 12 (bookworm)", "kernel": "6.1.0-18-amd64", "pending_security_updates": updates,
			"disk_encrypted": !g.bad(), "firewall_enabled": !g.bad(), "ssh_permit_root_login": root, "ssh_password_authentication": g.bad(),
			"time_synced": !g.bad(), "auto_updates": !g.bad(), "sudoers_nopasswd": nopw})
	case "postgres.server":
		return res(typ, fmt.Sprintf("pg-%d:5432", i), fmt.Sprintf("pg-%d:5432", i), map[string]any{"version": "16.4", "ssl": !g.bad(),
			"password_encryption": map[bool]string{true: "md5", false: "scram-sha-256"}[g.bad()], "log_connections": !g.bad(), "log_disconnections": !g.bad(),
			"log_statement": map[bool]string{true: "none", false: "ddl"}[g.bad()]})
	case "postgres.role":
		name := fmt.Sprintf("role_%d", i)
		return res(typ, fmt.Sprintf("pg-%d:5432/%s", i%50, name), name, map[string]any{"superuser": g.pct(3), "can_login": g.pct(70), "password_md5": g.bad()})
	case "mysql.server":
		return res(typ, fmt.Sprintf("my-%d:3306", i), fmt.Sprintf("my-%d:3306", i), map[string]any{"version": "10.11.6-MariaDB", "require_secure_transport": !g.bad(),
			"general_log": false, "tls_version": "TLSv1.2,TLSv1.3", "default_authentication_plugin": map[bool]string{true: "mysql_native_password", false: "caching_sha2_password"}[g.bad()]})
	case "mysql.user":
		host := "10.0.%"
		if g.bad() {
			host = "%"
		}
		user := fmt.Sprintf("app%d", i)
		return res(typ, fmt.Sprintf("my-%d:3306/'%s'@'%s'", i%50, user, host), fmt.Sprintf("'%s'@'%s'", user, host), map[string]any{
			"user": user, "host": host, "auth_plugin": map[bool]string{true: "mysql_native_password", false: "caching_sha2_password"}[g.bad()],
			"super": g.pct(2), "account_locked": false, "password_expired": false})
	}
	panic("synth: no generator for " + typ)
}
