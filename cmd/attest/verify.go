package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/store"
)

// VerifyCmd checks the audit log's hash chains and the stored evidence
// files, or, given a file, an evidence package offline.
type VerifyCmd struct {
	jsonFlag
	File string `arg:"" optional:"" type:"path" help:"An evidence package (.zip) to check offline, without the database." placeholder:"FILE.zip"`
	Key  string `help:"With a package: the organization's public key (base64) or its fingerprint; a package signed by any other key fails." placeholder:"KEY"`
}

// Run checks a package when given one. Otherwise it checks every
// organization's audit chain and every stored evidence file. Any problem is
// a failed threshold (exit 1), so a scheduled job or CI step notices
// tampering.
func (c *VerifyCmd) Run(a *App) error {
	if c.File != "" {
		return c.verifyPackage(a)
	}
	if c.Key != "" {
		return attest.Errorf(attest.EINVALID, "--key checks a package: attest verify FILE.zip --key KEY")
	}
	db, err := a.DB()
	if err != nil {
		return err
	}
	check, err := db.CheckAuditLog(a.ctx)
	if err != nil {
		return err
	}
	blobs, err := a.checkBlobs()
	if err != nil {
		return err
	}
	intact := len(check.Problems) == 0 && len(blobs.Problems) == 0
	size := fmt.Sprintf("%s in %s", plural(check.Entries, "entry", "entries"), plural(check.Organizations, "organization", "organizations"))
	if c.JSON {
		if err := a.printJSON(struct {
			Intact bool `json:"intact"`
			*store.AuditCheck
			Blobs *blobCheck `json:"blobs"`
		}{intact, check, blobs}); err != nil {
			return err
		}
	} else {
		if len(check.Problems) == 0 {
			fprintf(a.out, "audit log: %s, intact\n", size)
		}
		for _, p := range check.Problems {
			fprintf(a.out, "%s: %s\n", p.Kind, p.Message)
		}
		blobs.print(a)
	}
	var msgs []string
	if len(check.Problems) > 0 {
		msgs = append(msgs, fmt.Sprintf("audit log: %s found in %s: it was altered outside Attest",
			plural(int64(len(check.Problems)), "problem", "problems"), size))
	}
	if len(blobs.Problems) > 0 {
		msgs = append(msgs, fmt.Sprintf("evidence files: %s in %s: restore them from a backup",
			plural(int64(len(blobs.Problems)), "problem", "problems"), plural(int64(blobs.Checked), "file", "files")))
	}
	if len(msgs) > 0 {
		return &thresholdError{strings.Join(msgs, "; ")}
	}
	return nil
}

// AuditCmd browses the audit log.
type AuditCmd struct {
	jsonFlag
	Actor    string `help:"Only changes by this actor, such as cli:root or token:ci."`
	Action   string `help:"Only this action, such as control.update or task.create."`
	Entity   string `help:"Only changes to this kind of thing: control, engagement, system, task, token, user, organization, control_library."`
	EntityID string `name:"entity-id" help:"Only changes to the thing with this ID (use with --entity)." placeholder:"ID"`
	Before   int64  `help:"Only entries before this sequence number, to page back." placeholder:"SEQ"`
	Limit    int    `default:"100" help:"At most this many entries, newest first (at most 1000)."`
}

// Run lists the matching entries of the organization's log, newest first.
func (c *AuditCmd) Run(a *App) error {
	orgID, err := a.OrgID()
	if err != nil {
		return err
	}
	if c.Limit < 1 {
		return attest.Errorf(attest.EINVALID, "--limit must be at least 1")
	}
	entries, err := a.db.FindAuditLog(a.ctx, orgID, attest.AuditFilter{
		Actor: c.Actor, Action: c.Action, Entity: c.Entity, EntityID: c.EntityID, BeforeSeq: c.Before, Limit: c.Limit,
	})
	if err != nil {
		return err
	}
	if c.JSON {
		return a.printJSON(entries)
	}
	if len(entries) == 0 {
		fprintf(a.out, "No audit entries match.\n")
		return nil
	}
	tw := a.table()
	fprintf(tw, "SEQ\tAT\tACTOR\tACTION\tENTITY\n")
	for _, e := range entries {
		fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", e.Seq, e.At.Format(time.DateTime), e.Actor, e.Action, strings.TrimSpace(e.Entity+" "+e.EntityID))
	}
	return tw.Flush()
}

// plural formats n with the singular or plural noun.
func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
