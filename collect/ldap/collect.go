package ldap

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/attest-dev/attest/collect"
	goldap "github.com/go-ldap/ldap/v3"
)

type group struct {
	dn, cn  string
	members []string // member DNs and memberUids, as stored
	admin   bool
}

var (
	userAttrs  = []string{"uid", "sAMAccountName", "cn", "displayName", "mail", "memberOf"}
	groupAttrs = []string{"cn", "member", "uniqueMember", "memberUid"}
)

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	conn, err := c.connect(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	now := c.now()

	var groups []*group
	byMember := map[string][]*group{} // normalised member DN or uid → groups
	err = c.search(ctx, conn, c.groupFilter, groupAttrs, func(e *goldap.Entry) error {
		g := &group{dn: e.DN, cn: e.GetAttributeValue("cn")}
		g.admin = c.adminGroups[strings.ToLower(g.cn)]
		for _, a := range []string{"member", "uniqueMember", "memberUid"} {
			for _, m := range e.GetAttributeValues(a) {
				g.members = append(g.members, m)
				byMember[normDN(m)] = append(byMember[normDN(m)], g)
			}
		}
		groups = append(groups, g)
		return nil
	})
	if err != nil {
		return err
	}
	dnUID := map[string]string{} // normalised user DN → uid, for group members
	attrs := append(append([]string(nil), userAttrs...), c.disabledAttr)
	err = c.search(ctx, conn, c.userFilter, attrs, func(e *goldap.Entry) error {
		uid := firstNonEmpty(e.GetAttributeValue("uid"), e.GetAttributeValue("sAMAccountName"), e.GetAttributeValue("cn"))
		dnUID[normDN(e.DN)] = uid
		names := map[string]bool{}
		admin := false
		for _, key := range []string{normDN(e.DN), normDN(uid)} {
			for _, g := range byMember[key] {
				names[g.cn] = true
				admin = admin || g.admin
			}
		}
		for _, dn := range e.GetAttributeValues("memberOf") { // Active Directory
			if cn := firstRDN(dn); cn != "" {
				names[cn] = true
				admin = admin || c.adminGroups[strings.ToLower(cn)]
			}
		}
		var gs []string
		for n := range names {
			gs = append(gs, n)
		}
		a := map[string]any{
			"uid":      uid,
			"dn":       e.DN,
			"email":    e.GetAttributeValue("mail"),
			"name":     firstNonEmpty(e.GetAttributeValue("displayName"), e.GetAttributeValue("cn")),
			"disabled": c.disabled(e),
			"groups":   collect.Strings(gs),
			"admin":    admin,
		}
		return emit(collect.Resource{Type: "ldap.user", ID: e.DN, Name: firstNonEmpty(uid, e.DN), Attributes: a, CollectedAt: now})
	})
	if err != nil {
		return err
	}
	for _, g := range groups {
		// Members as uids: a member DN of a collected user gives its uid,
		// another DN its first RDN's value, a memberUid stays as it is.
		uids := make([]string, 0, len(g.members))
		for _, m := range g.members {
			switch uid, ok := dnUID[normDN(m)]; {
			case ok:
				uids = append(uids, uid)
			case strings.Contains(m, "="):
				uids = append(uids, firstNonEmpty(firstRDN(m), m))
			default:
				uids = append(uids, m)
			}
		}
		a := map[string]any{"cn": g.cn, "dn": g.dn, "members": collect.Strings(uids),
			"member_count": float64(len(g.members)), "admin": g.admin}
		if err := emit(collect.Resource{Type: "ldap.group", ID: g.dn, Name: firstNonEmpty(g.cn, g.dn), Attributes: a, CollectedAt: now}); err != nil {
			return err
		}
	}
	return nil
}

// disabled reads the configured attribute: Active Directory's
// userAccountControl by its ACCOUNTDISABLE flag, nsAccountLock as a
// boolean, anything else (pwdAccountLockedTime) by its presence.
func (c *collector) disabled(e *goldap.Entry) bool {
	v := e.GetEqualFoldAttributeValue(c.disabledAttr)
	switch strings.ToLower(c.disabledAttr) {
	case "useraccountcontrol":
		n, _ := strconv.Atoi(v)
		return n&2 != 0
	case "nsaccountlock":
		return strings.EqualFold(v, "true")
	}
	return v != "" && !strings.EqualFold(v, "false") && v != "0"
}

// search runs a paged subtree search under the base DN, calling fn per
// entry as pages arrive.
func (c *collector) search(ctx context.Context, conn *goldap.Conn, filter string, attrs []string, fn func(*goldap.Entry) error) error {
	paging := goldap.NewControlPaging(c.pageSize)
	for {
		req := goldap.NewSearchRequest(c.baseDN, goldap.ScopeWholeSubtree, goldap.NeverDerefAliases, 0, 0, false,
			filter, attrs, []goldap.Control{paging})
		resp := conn.SearchAsync(ctx, req, 64)
		for resp.Next() {
			if resp.Entry() == nil {
				continue // a referral, not followed
			}
			if err := fn(resp.Entry()); err != nil {
				return err
			}
		}
		if ctx.Err() != nil { // cancellation is not reported by Err
			return fmt.Errorf("ldap %s: %w", c.url.Host, ctx.Err())
		}
		if err := resp.Err(); err != nil {
			return fmt.Errorf("ldap %s: search %s: %s", c.url.Host, filter, cause(err))
		}
		p, ok := goldap.FindControl(resp.Controls(), goldap.ControlTypePaging).(*goldap.ControlPaging)
		if !ok || len(p.Cookie) == 0 {
			return nil
		}
		paging.SetCookie(p.Cookie)
	}
}

// normDN lower-cases a DN and drops the spaces around its separators, so
// "uid=Alice, ou=People,dc=example,dc=com" matches its stored form; a
// plain uid is lower-cased.
func normDN(s string) string {
	dn, err := goldap.ParseDN(s)
	if err != nil || len(dn.RDNs) == 0 || !strings.Contains(s, "=") {
		return strings.ToLower(strings.TrimSpace(s))
	}
	parts := make([]string, len(dn.RDNs))
	for i, r := range dn.RDNs {
		var av []string
		for _, a := range r.Attributes {
			av = append(av, strings.ToLower(a.Type)+"="+strings.ToLower(a.Value))
		}
		parts[i] = strings.Join(av, "+")
	}
	return strings.Join(parts, ",")
}

func firstRDN(dn string) string {
	d, err := goldap.ParseDN(dn)
	if err != nil || len(d.RDNs) == 0 || len(d.RDNs[0].Attributes) == 0 {
		return ""
	}
	return d.RDNs[0].Attributes[0].Value
}

func firstNonEmpty(s ...string) string {
	for _, e := range s {
		if e != "" {
			return e
		}
	}
	return ""
}
