// Package netguard keeps Attest's outbound requests (webhook deliveries,
// OpenID Connect discovery and token calls) away from the server's own
// network: loopback, link-local (cloud metadata at 169.254.169.254),
// private, unique-local, carrier-grade NAT and unspecified addresses are
// refused when a URL is saved and again when a connection is dialled, on
// the address actually resolved, so a name that later resolves elsewhere
// (DNS rebinding) is caught too. An operator who runs webhooks or an
// identity provider on the internal network turns the guard off.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/attest-dev/attest"
)

// blocked are the ranges no outbound request may reach, besides what
// netip classifies (loopback, private, link-local, multicast, unspecified).
var blocked = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64 (may embed any IPv4)
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local NAT64
	netip.MustParsePrefix("2002::/16"),       // 6to4 (embeds an IPv4)
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	netip.MustParsePrefix("100::/64"),        // discard
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("::ffff:0:0:0/96"), // IPv4-translated
}

// Internal reports whether ip is one an outbound request must not reach.
func Internal(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:127.0.0.1 is 127.0.0.1
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return true
	}
	for _, p := range blocked {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Resolver looks up a host's addresses; net.DefaultResolver is one.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// CheckURL returns EINVALID, naming what, when raw's host is or resolves
// to an internal address, in any spelling: a name such as localhost, an
// IPv6 literal, an IPv4-mapped address, or the decimal, octal and hex
// forms some resolvers accept (2130706433, 0x7f.1). A name that does not
// resolve now is let through: every connection is checked again as it is
// dialled.
func CheckURL(ctx context.Context, what, raw string, r Resolver) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Hostname() == "" {
		return attest.Errorf(attest.EINVALID, "%s needs an http:// or https:// URL with a host", what)
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	refuse := attest.Errorf(attest.EINVALID, "%s points into the server's own network (%s); Attest does not send requests there unless the operator allows internal targets", what, u.Hostname())
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || host == "" {
		return refuse
	}
	if ip, ok := literalIP(host); ok {
		if Internal(ip) {
			return refuse
		}
		return nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	addrs, err := r.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return nil // checked at dial time
	}
	for _, a := range addrs {
		if Internal(a) {
			return refuse
		}
	}
	return nil
}

// literalIP parses host as an IP address in any form a resolver might
// accept: standard IPv4 and IPv6 (with a zone), and the inet_aton forms
// with one to four parts in decimal, octal (leading 0) or hex (0x).
func literalIP(host string) (netip.Addr, bool) {
	if ip, err := netip.ParseAddr(strings.Trim(host, "[]")); err == nil {
		return ip.WithZone(""), true
	}
	parts := strings.Split(host, ".")
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	vals := make([]uint64, len(parts))
	for i, p := range parts {
		base, digits := 10, p
		switch {
		case strings.HasPrefix(p, "0x") || strings.HasPrefix(p, "0X"):
			base, digits = 16, p[2:]
		case len(p) > 1 && p[0] == '0':
			base, digits = 8, p[1:]
		}
		if digits == "" && base == 16 {
			digits = "0"
		}
		v, err := strconv.ParseUint(digits, base, 32)
		if err != nil {
			return netip.Addr{}, false
		}
		vals[i] = v
	}
	var n uint64
	last := len(vals) - 1
	for i := 0; i < last; i++ {
		if vals[i] > 255 {
			return netip.Addr{}, false
		}
		n |= vals[i] << (8 * (3 - i))
	}
	if vals[last] >= 1<<(8*(4-last)) {
		return netip.Addr{}, false
	}
	n |= vals[last]
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}), true
}

// ErrInternal is returned by a guarded dial to an internal address.
var ErrInternal = errors.New("refused to connect to an address of the server's own network")

// control is a net.Dialer Control function: it runs after the name is
// resolved, on the address about to be connected.
func control(network, address string, _ syscall.RawConn) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || Internal(ip) {
		return fmt.Errorf("dial %s: %w", address, ErrInternal)
	}
	return nil
}

// Dialer returns a dialer for outbound connections other than HTTP (the
// database and directory collectors) with timeout: unless allowInternal is
// set, a connection to an internal address fails with ErrInternal, checked
// on the address resolved, as Client's are.
func Dialer(timeout time.Duration, allowInternal bool) *net.Dialer {
	d := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	if !allowInternal {
		d.Control = control
	}
	return d
}

// Client returns an HTTP client for outbound requests with timeout. Unless
// allowInternal is set, its connections to internal addresses fail, and it
// uses no proxy from the environment (a proxy would dial on its behalf,
// unchecked).
func Client(timeout time.Duration, allowInternal bool) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	t := http.DefaultTransport.(*http.Transport).Clone()
	if !allowInternal {
		d.Control = control
		t.Proxy = nil
	}
	t.DialContext = d.DialContext
	return &http.Client{Timeout: timeout, Transport: t}
}
