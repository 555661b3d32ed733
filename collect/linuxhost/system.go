package linuxhost

import (
	"io/fs"
	"path"
	"regexp"
	"strings"

	"golang.org/x/sys/unix"
)

// firewall names what filters inbound traffic, "" when nothing does: ufw
// enabled in its configuration, an nftables ruleset with a dropping input
// chain that systemd loads at boot, or saved iptables rules whose INPUT
// policy drops.
func firewall(fsys fs.FS) string {
	if strings.EqualFold(keyValues(readFile(fsys, "etc/ufw/ufw.conf"))["ENABLED"], "yes") {
		return "ufw"
	}
	if enabled(fsys, "nftables.service") {
		rules := readFile(fsys, "etc/nftables.conf")
		if regexp.MustCompile(`hook\s+input[^;]*;\s*policy\s+drop`).MatchString(rules) {
			return "nftables"
		}
	}
	for _, f := range []string{"etc/iptables/rules.v4", "etc/sysconfig/iptables"} {
		if regexp.MustCompile(`(?m)^:INPUT (DROP|REJECT)`).MatchString(readFile(fsys, f)) {
			return "iptables"
		}
	}
	if enabled(fsys, "firewalld.service") {
		return "firewalld"
	}
	return ""
}

// enabled reports whether systemd starts unit at boot (a wants link).
func enabled(fsys fs.FS, unit string) bool {
	m, _ := fs.Glob(fsys, "etc/systemd/system/*.wants/"+unit)
	return len(m) > 0
}

// ntpDaemons are processes that keep the clock synchronised.
var ntpDaemons = map[string]bool{"chronyd": true, "ntpd": true, "systemd-timesyn": true, "openntpd": true, "timesyncd": true}

// timeSync reports whether the clock is kept synchronised, and how it
// knows: the kernel's own flag (live only, what timedatectl shows as
// "System clock synchronized"), systemd-timesyncd's synchronized marker,
// or a running NTP daemon.
func timeSync(fsys fs.FS, live bool) (bool, string) {
	if live {
		var tx unix.Timex
		if state, err := unix.Adjtimex(&tx); err == nil && state != unix.TIME_ERROR && tx.Status&unix.STA_UNSYNC == 0 {
			return true, "kernel"
		}
	}
	if _, err := fs.Stat(fsys, "run/systemd/timesync/synchronized"); err == nil {
		return true, "systemd-timesyncd"
	}
	procs, _ := fs.Glob(fsys, "proc/[0-9]*/comm")
	for _, p := range procs {
		if name := strings.TrimSpace(readFile(fsys, p)); ntpDaemons[name] {
			return true, name
		}
	}
	return false, ""
}

// diskEncryption reports whether the root filesystem sits on a dm-crypt
// (LUKS) device, and names the encrypted devices found.
func diskEncryption(fsys fs.FS) (bool, []string) {
	var names []string
	crypt := map[string]bool{}
	uuids, _ := fs.Glob(fsys, "sys/block/dm-*/dm/uuid")
	for _, u := range uuids {
		if strings.HasPrefix(strings.TrimSpace(readFile(fsys, u)), "CRYPT-") {
			dev := path.Base(path.Dir(path.Dir(u)))
			name := strings.TrimSpace(readFile(fsys, path.Join(path.Dir(u), "name")))
			names = append(names, firstNonEmpty(name, dev))
			crypt["/dev/"+dev] = true
			if name != "" {
				crypt["/dev/mapper/"+name] = true
			}
		}
	}
	// The root filesystem's device, or the device-mapper stack under it
	// (LVM on LUKS): an encrypted device among the root's slaves counts.
	for _, line := range strings.Split(readFile(fsys, "proc/mounts"), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[1] != "/" {
			continue
		}
		if crypt[f[0]] {
			return true, names
		}
		for _, u := range uuids {
			dev := path.Base(path.Dir(path.Dir(u)))
			name := strings.TrimSpace(readFile(fsys, path.Join(path.Dir(u), "name")))
			if f[0] != "/dev/"+dev && f[0] != "/dev/mapper/"+name {
				continue
			}
			slaves, _ := fs.ReadDir(fsys, path.Join("sys/block", dev, "slaves"))
			for _, s := range slaves {
				if crypt["/dev/"+s.Name()] {
					return true, names
				}
			}
		}
	}
	return false, names
}

// autoUpdates reports whether security updates install themselves:
// unattended-upgrades enabled by APT::Periodic, or dnf-automatic applying
// updates.
func autoUpdates(fsys fs.FS) bool {
	files, _ := fs.Glob(fsys, "etc/apt/apt.conf.d/*")
	periodic := regexp.MustCompile(`(?m)^\s*APT::Periodic::Unattended-Upgrade\s+"([0-9a-z]+)"`)
	on := false
	for _, f := range files {
		for _, m := range periodic.FindAllStringSubmatch(readFile(fsys, f), -1) {
			on = m[1] != "0" && m[1] != "false" // later files override earlier ones
		}
	}
	if on {
		if _, err := fs.Stat(fsys, "usr/bin/unattended-upgrade"); err == nil {
			return true
		}
		if _, err := fs.Stat(fsys, "etc/apt/apt.conf.d/50unattended-upgrades"); err == nil {
			return true
		}
	}
	conf := readFile(fsys, "etc/dnf/automatic.conf")
	return regexp.MustCompile(`(?m)^\s*apply_updates\s*=\s*(yes|true|1)`).MatchString(conf) && enabled(fsys, "dnf-automatic.timer")
}
