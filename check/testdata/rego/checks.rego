# Twelve of the built-in checks written in Rego, for the benchmark that
# compares the check engine with `opa eval` (check/bench_opa_test.go).
# Each rule gives the failing resources of one check with the same reason
# the CEL check gives; summary counts them, so the benchmark can also
# confirm that both engines find the same failures.
package attest

import rego.v1

res(t) := object.get(input.resources, t, [])

day_ns := 86400000000000

leavers := {lower(p.attributes.email): d |
	some p in res("hr.person")
	d := p.attributes.end_date
	is_string(d)
	d != ""
	input.now_ns - time.parse_ns("2006-01-02", d) >= day_ns
}

fails["idp-leaver-suspended"] := [{"id": u.id, "reason": sprintf("%s is active but left on %s", [u.attributes.email, leavers[lower(u.attributes.email)]])} |
	some u in res("idp.user")
	u.attributes.suspended != true
	leavers[lower(u.attributes.email)]
]

fails["ldap-leaver-disabled"] := [{"id": u.id, "reason": sprintf("%s is enabled but %s left on %s", [u.name, u.attributes.email, leavers[lower(u.attributes.email)]])} |
	some u in res("ldap.user")
	u.attributes.email != ""
	u.attributes.disabled != true
	leavers[lower(u.attributes.email)]
]

fails["github-leaver-removed"] := [{"id": m.id, "reason": sprintf("%s is still a member; %s left on %s", [m.attributes.login, m.attributes.email, leavers[lower(m.attributes.email)]])} |
	some m in res("github.member")
	m.attributes.email != null
	m.attributes.email != ""
	leavers[lower(m.attributes.email)]
]

fails["idp-mfa"] := [{"id": u.id, "reason": sprintf("%s has no MFA enrolled", [u.attributes.email])} |
	some u in res("idp.user")
	u.attributes.suspended == false
	u.attributes.mfa_enrolled != true
]

fails["aws-iam-console-mfa"] := [{"id": u.id, "reason": sprintf("%s can sign in to the console without MFA", [u.name])} |
	some u in res("aws.iam_user")
	u.attributes.console_access == true
	u.attributes.mfa_active != true
]

old_keys(u) := [sprintf("%s (%d days)", [k.id, k.age_days]) |
	some k in u.attributes.access_keys
	k.active == true
	k.age_days > 90
]

fails["aws-iam-key-age"] := [{"id": u.id, "reason": concat("", ["keys older than 90 days: ", concat(", ", old)])} |
	some u in res("aws.iam_user")
	old := old_keys(u)
	count(old) > 0
]

fails["linux-ssh-root-login"] := [{"id": h.id, "reason": sprintf("sshd PermitRootLogin is %s", [h.attributes.ssh_permit_root_login])} |
	some h in res("linux.host")
	h.attributes.ssh_permit_root_login != "no"
]

fails["linux-security-updates"] := [{"id": h.id, "reason": sprintf("%d security updates are waiting to be installed", [h.attributes.pending_security_updates])} |
	some h in res("linux.host")
	h.attributes.pending_security_updates != 0
]

fails["aws-s3-public-access"] := [{"id": b.id, "reason": sprintf("public access is not fully blocked on %s", [b.name])} |
	some b in res("aws.s3_bucket")
	b.attributes.public_access_blocked != true
]

fails["aws-rds-backups"] := [{"id": d.id, "reason": sprintf("%s keeps backups for %d days", [d.name, d.attributes.backup_retention_days])} |
	some d in res("aws.rds_instance")
	d.attributes.backup_retention_days < 7
]

unreviewed(r) if r.attributes.branch_protection == null

unreviewed(r) if r.attributes.branch_protection.required_approving_review_count < 1

fails["github-branch-reviews"] := [{"id": r.id, "reason": sprintf("%s is not protected or merges without an approving review", [r.attributes.default_branch])} |
	some r in res("github.repository")
	r.attributes.archived == false
	unreviewed(r)
]

fails["postgres-role-md5"] := [{"id": r.id, "reason": sprintf("the role %s still has an MD5 password hash", [r.name])} |
	some r in res("postgres.role")
	r.attributes.can_login == true
	r.attributes.password_md5 != false
]

summary[c] := count(f) if some c, f in fails
