package linuxhost

import (
	"io/fs"
	"path"
	"sort"
	"strings"
)

// sshd is the effective global configuration of the SSH daemon.
type sshd struct {
	installed       bool
	permitRootLogin string // yes, no, prohibit-password, forced-commands-only
	passwordAuth    bool
}

// readSSHD reads etc/ssh/sshd_config as sshd does: the first value of a
// keyword wins, Include pulls in files (globs, relative to /etc/ssh) in
// place, and Match blocks (conditional) are not the global setting. The
// defaults are OpenSSH's: root login without a password only, password
// authentication on.
func readSSHD(fsys fs.FS) sshd {
	s := sshd{permitRootLogin: "prohibit-password", passwordAuth: true}
	if _, err := fs.Stat(fsys, "etc/ssh/sshd_config"); err != nil {
		return s
	}
	s.installed = true
	got := map[string]string{}
	var read func(name string, depth int) bool
	read = func(name string, depth int) bool {
		if depth > 16 {
			return false
		}
		for _, line := range strings.Split(readFile(fsys, name), "\n") {
			fields := strings.Fields(strings.ReplaceAll(strings.TrimSpace(line), "=", " "))
			if len(fields) < 2 || strings.HasPrefix(fields[0], "#") {
				continue
			}
			key := strings.ToLower(fields[0])
			switch key {
			case "match":
				return false // the rest of the file is conditional
			case "include":
				for _, pat := range fields[1:] {
					pat = strings.TrimPrefix(pat, "/")
					if !strings.HasPrefix(pat, "etc/") {
						pat = "etc/ssh/" + pat
					}
					matches, _ := fs.Glob(fsys, pat)
					sort.Strings(matches)
					for _, m := range matches {
						if !read(m, depth+1) {
							return false
						}
					}
				}
			default:
				if _, ok := got[key]; !ok {
					got[key] = strings.ToLower(fields[1])
				}
			}
		}
		return true
	}
	read("etc/ssh/sshd_config", 0)
	if v, ok := got["permitrootlogin"]; ok {
		if v == "without-password" {
			v = "prohibit-password"
		}
		s.permitRootLogin = v
	}
	if v, ok := got["passwordauthentication"]; ok {
		s.passwordAuth = v == "yes"
	}
	return s
}

// sudoNopasswd lists the users, %groups and aliases granted sudo without
// a password in etc/sudoers and the files it includes.
func sudoNopasswd(fsys fs.FS) []string {
	seen := map[string]bool{}
	var out []string
	var read func(name string, depth int)
	read = func(name string, depth int) {
		if depth > 8 {
			return
		}
		text := strings.ReplaceAll(readFile(fsys, name), "\\\n", " ")
		for _, line := range strings.Split(text, "\n") {
			line = strings.TrimSpace(line)
			fields := strings.Fields(line)
			if len(fields) == 0 {
				continue
			}
			switch fields[0] {
			case "#includedir", "@includedir":
				if len(fields) > 1 {
					dir := strings.TrimPrefix(fields[1], "/")
					entries, _ := fs.ReadDir(fsys, dir)
					for _, e := range entries {
						// sudo skips names ending in ~ or holding a dot.
						if e.IsDir() || strings.HasSuffix(e.Name(), "~") || strings.Contains(e.Name(), ".") {
							continue
						}
						read(path.Join(dir, e.Name()), depth+1)
					}
				}
				continue
			case "#include", "@include":
				if len(fields) > 1 {
					read(strings.TrimPrefix(fields[1], "/"), depth+1)
				}
				continue
			}
			if strings.HasPrefix(line, "#") || strings.HasPrefix(fields[0], "Defaults") ||
				strings.HasSuffix(fields[0], "_Alias") || !strings.Contains(line, "NOPASSWD:") {
				continue
			}
			if !seen[fields[0]] {
				seen[fields[0]] = true
				out = append(out, fields[0])
			}
		}
	}
	read("etc/sudoers", 0)
	return out
}
