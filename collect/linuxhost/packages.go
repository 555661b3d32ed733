package linuxhost

import (
	"bufio"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/pierrec/lz4/v4"
)

var notifierRE = regexp.MustCompile(`(\d+) (?:of these )?(?:updates? )?(?:is |are )?(?:a )?(?:standard )?security updates?`)

// pendingSecurityUpdates counts installed packages with a newer version
// in a security archive: from Ubuntu's update-notifier summary when there
// is one, else by comparing dpkg's status with the security archives' apt
// lists. It returns nil when neither is readable (unknown, not zero).
func pendingSecurityUpdates(ctx context.Context, fsys fs.FS) (any, string) {
	if s := readFile(fsys, "var/lib/update-notifier/updates-available"); s != "" {
		n := 0
		for _, m := range notifierRE.FindAllStringSubmatch(s, -1) {
			v, _ := strconv.Atoi(m[1])
			n += v
		}
		return float64(n), "update-notifier"
	}
	lists, _ := fs.Glob(fsys, "var/lib/apt/lists/*security*_Packages*")
	installed := dpkgInstalled(fsys)
	if len(lists) == 0 || len(installed) == 0 {
		return nil, ""
	}
	pending := map[string]bool{}
	for _, name := range lists {
		if ctx.Err() != nil {
			return nil, ""
		}
		eachStanza(fsys, name, func(st map[string]string) {
			if have, ok := installed[st["Package"]]; ok && compareVersions(st["Version"], have) > 0 {
				pending[st["Package"]] = true
			}
		})
	}
	return float64(len(pending)), "apt"
}

// dpkgInstalled maps each installed package to its version.
func dpkgInstalled(fsys fs.FS) map[string]string {
	m := map[string]string{}
	eachStanza(fsys, "var/lib/dpkg/status", func(st map[string]string) {
		if strings.HasSuffix(st["Status"], " installed") {
			m[st["Package"]] = st["Version"]
		}
	})
	return m
}

// eachStanza calls fn with the Package, Version and Status fields of each
// stanza of a Debian control file, plain, gzip or lz4 compressed.
func eachStanza(fsys fs.FS, name string, fn func(map[string]string)) {
	f, err := fsys.Open(name)
	if err != nil {
		return
	}
	defer f.Close()
	var r io.Reader = f
	switch path.Ext(name) {
	case ".lz4":
		r = lz4.NewReader(f)
	case ".gz":
		gz, err := gzip.NewReader(f)
		if err != nil {
			return
		}
		r = gz
	case "", ".txt":
	default:
		if !strings.HasSuffix(name, "status") {
			return // a compression we do not read (xz): unknown
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	st := map[string]string{}
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			if len(st) > 0 {
				fn(st)
			}
			st = map[string]string{}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if ok && (k == "Package" || k == "Version" || k == "Status") {
			st[k] = strings.TrimSpace(v)
		}
	}
	if len(st) > 0 {
		fn(st)
	}
}

// compareVersions orders Debian versions ([epoch:]upstream[-revision]) as
// dpkg does.
func compareVersions(a, b string) int {
	ea, ua, ra := splitVersion(a)
	eb, ub, rb := splitVersion(b)
	if ea != eb {
		if ea < eb {
			return -1
		}
		return 1
	}
	if c := compareFragment(ua, ub); c != 0 {
		return c
	}
	return compareFragment(ra, rb)
}

func splitVersion(v string) (int, string, string) {
	epoch := 0
	if e, rest, ok := strings.Cut(v, ":"); ok {
		epoch, _ = strconv.Atoi(e)
		v = rest
	}
	rev := ""
	if i := strings.LastIndex(v, "-"); i >= 0 {
		v, rev = v[:i], v[i+1:]
	}
	return epoch, v, rev
}

// order ranks a character for dpkg's comparison: ~ before everything
// (even the end), letters before other characters.
func order(c byte) int {
	switch {
	case c == '~':
		return -1
	case c >= '0' && c <= '9':
		return 0
	case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z':
		return int(c)
	case c == 0:
		return 0
	}
	return int(c) + 256
}

func compareFragment(a, b string) int {
	for a != "" || b != "" {
		// Non-digit prefix.
		for (a != "" && !isDigit(a[0])) || (b != "" && !isDigit(b[0])) {
			ca, cb := byte(0), byte(0)
			if a != "" && !isDigit(a[0]) {
				ca = a[0]
			}
			if b != "" && !isDigit(b[0]) {
				cb = b[0]
			}
			if oa, ob := order(ca), order(cb); oa != ob {
				if oa < ob {
					return -1
				}
				return 1
			}
			if ca != 0 {
				a = a[1:]
			}
			if cb != 0 {
				b = b[1:]
			}
		}
		// Digit run, compared as numbers.
		na, nb := 0, 0
		for a != "" && isDigit(a[0]) {
			na = na*10 + int(a[0]-'0')
			a = a[1:]
		}
		for b != "" && isDigit(b[0]) {
			nb = nb*10 + int(b[0]-'0')
			b = b[1:]
		}
		if na != nb {
			if na < nb {
				return -1
			}
			return 1
		}
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
