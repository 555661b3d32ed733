// Package ldap collects users and groups from an LDAP directory (OpenLDAP,
// 389 Directory Server, Active Directory): each user's uid, email, groups,
// whether the account is disabled and whether it is an administrator by
// membership of an admin group. Searches are paged, so large directories
// are read whole despite server size limits.
package ldap

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	goldap "github.com/go-ldap/ldap/v3"
)

// Kind is the "ldap" integration.
var Kind = collect.Kind{
	Name:          "ldap",
	Title:         "Directory (LDAP)",
	Fields:        fields,
	ResourceTypes: []string{"ldap.user", "ldap.group"},
	New:           newCollector,
}

var fields = []collect.Field{
	{Name: "url", Label: "Server URL", Required: true, Help: "ldap://host:389 or ldaps://host:636."},
	{Name: "start_tls", Label: "Use StartTLS", Default: "false", Help: "true to upgrade an ldap:// connection to TLS."},
	{Name: "bind_dn", Label: "Bind DN", Required: true, Help: "A read-only account, e.g. cn=attest,ou=services,dc=example,dc=com."},
	{Name: "bind_password", Label: "Bind password", Secret: true, Required: true},
	{Name: "base_dn", Label: "Base DN", Required: true},
	{Name: "user_filter", Label: "User filter", Default: "(|(objectClass=inetOrgPerson)(objectClass=posixAccount)(objectClass=user))"},
	{Name: "group_filter", Label: "Group filter", Default: "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))"},
	{Name: "disabled_attribute", Label: "Disabled-account attribute", Default: "pwdAccountLockedTime",
		Help: "Present means disabled (pwdAccountLockedTime, nsAccountLock=TRUE); userAccountControl is read as Active Directory's flags."},
	{Name: "admin_groups", Label: "Admin groups", Default: "admins,administrators,domain admins",
		Help: "Comma-separated group names whose members are administrators."},
	{Name: "page_size", Label: "Page size", Default: "500"},
}

type collector struct {
	url                      *url.URL
	startTLS                 bool
	bindDN, password, baseDN string
	userFilter, groupFilter  string
	disabledAttr             string
	adminGroups              map[string]bool
	pageSize                 uint32
	now                      func() time.Time
	dialer                   *net.Dialer
}

func setting(s map[string]string, name string) string {
	if v := strings.TrimSpace(s[name]); v != "" {
		return v
	}
	for _, f := range fields {
		if f.Name == name {
			return f.Default
		}
	}
	return ""
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	s := cfg.Settings
	c := &collector{now: cfg.Clock(), password: cfg.Secrets["bind_password"], dialer: cfg.NetDialer()}
	u, err := url.Parse(setting(s, "url"))
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps") || u.Hostname() == "" {
		return nil, errors.New("url: want ldap://host:389 or ldaps://host:636")
	}
	c.url = u
	c.startTLS = setting(s, "start_tls") == "true"
	for _, req := range []string{"bind_dn", "base_dn"} {
		v := setting(s, req)
		if _, err := goldap.ParseDN(v); err != nil || v == "" {
			return nil, fmt.Errorf("%s: want a distinguished name such as dc=example,dc=com", req)
		}
	}
	if c.password == "" {
		return nil, errors.New("bind_password: required (anonymous reads are not enough to see accounts)")
	}
	c.bindDN, c.baseDN = setting(s, "bind_dn"), setting(s, "base_dn")
	c.userFilter, c.groupFilter = setting(s, "user_filter"), setting(s, "group_filter")
	for name, f := range map[string]string{"user_filter": c.userFilter, "group_filter": c.groupFilter} {
		if _, err := goldap.CompileFilter(f); err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
	}
	c.disabledAttr = setting(s, "disabled_attribute")
	c.adminGroups = map[string]bool{}
	for _, g := range strings.Split(setting(s, "admin_groups"), ",") {
		if g = strings.ToLower(strings.TrimSpace(g)); g != "" {
			c.adminGroups[g] = true
		}
	}
	n, err := strconv.Atoi(setting(s, "page_size"))
	if err != nil || n < 1 || n > 10000 {
		return nil, errors.New("page_size: want a number from 1 to 10000")
	}
	c.pageSize = uint32(n)
	return c, nil
}

// connect dials, upgrades to TLS if asked, and binds.
func (c *collector) connect(ctx context.Context) (*goldap.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ldap %s: %w", c.url.Host, err)
	}
	conn, err := goldap.DialURL(c.url.String(), goldap.DialWithDialer(c.dialer),
		goldap.DialWithTLSConfig(&tls.Config{ServerName: c.url.Hostname()}))
	if err != nil {
		return nil, fmt.Errorf("ldap %s: %w: %s", c.url.Host, collect.ErrUnreachable, cause(err))
	}
	// A cancelled run closes the connection, which ends any call in flight.
	context.AfterFunc(ctx, func() { conn.Close() })
	conn.SetTimeout(60 * time.Second)
	if c.startTLS {
		if err := conn.StartTLS(&tls.Config{ServerName: c.url.Hostname()}); err != nil {
			conn.Close()
			return nil, fmt.Errorf("ldap %s: StartTLS: %s", c.url.Host, cause(err))
		}
	}
	if err := conn.Bind(c.bindDN, c.password); err != nil {
		conn.Close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ldap %s: %w", c.url.Host, ctx.Err())
		}
		if goldap.IsErrorWithCode(err, goldap.LDAPResultInvalidCredentials) {
			return nil, fmt.Errorf("ldap %s: bind as %s: %w", c.url.Host, c.bindDN, collect.ErrCredentials)
		}
		return nil, fmt.Errorf("ldap %s: bind as %s: %s", c.url.Host, c.bindDN, cause(err))
	}
	return conn, nil
}

// cause is go-ldap's message without the packet dump it sometimes adds.
func cause(err error) string {
	var le *goldap.Error
	if errors.As(err, &le) && le.Err != nil && le.Err.Error() != "" {
		return le.Err.Error()
	}
	return err.Error()
}

// Test binds with the configured account.
func (c *collector) Test(ctx context.Context) error {
	conn, err := c.connect(ctx)
	if err != nil {
		return err
	}
	return conn.Close()
}
