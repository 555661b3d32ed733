package demo

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/attest-dev/attest"
	"github.com/attest-dev/attest/blob"
	"github.com/attest-dev/attest/store"
)

// demoFile is a generated evidence file for the first period of one need.
type demoFile struct {
	control string
	need    int
	name    string
	body    func(people []string, period [2]attest.Date) string
}

// demoFiles are small CSV and text exports of the kind teams upload, so
// that the demo's auditor package holds real files.
var demoFiles = []demoFile{
	{"ACC-01", 1, "user-list.csv", func(people []string, p [2]attest.Date) string {
		var b strings.Builder
		b.WriteString("email,name,mfa,status\n")
		for _, n := range people {
			first, _, _ := strings.Cut(strings.ToLower(n), " ")
			fmt.Fprintf(&b, "%s@northwind.example,%s,enrolled,active\n", first, n)
		}
		return b.String()
	}},
	{"ACC-05", 0, "access-review.csv", func(people []string, p [2]attest.Date) string {
		var b strings.Builder
		b.WriteString("system,account,reviewer,decision,reviewed_on\n")
		for i, n := range people {
			first, _, _ := strings.Cut(strings.ToLower(n), " ")
			decision := "keep"
			if i%4 == 3 {
				decision = "remove"
			}
			fmt.Fprintf(&b, "Production AWS account,%s,Marcus Lee,%s,%s\n", first, decision, p[1])
		}
		return b.String()
	}},
	{"CHG-01", 0, "merged-pull-requests.csv", func(people []string, p [2]attest.Date) string {
		var b strings.Builder
		b.WriteString("pull_request,author,approved_by,merged_on\n")
		for i := range 12 {
			fmt.Fprintf(&b, "#%d,%s,%s,%s\n", 1400+i, people[i%len(people)], people[(i+1)%len(people)], p[0].AddDays(i*5))
		}
		return b.String()
	}},
	{"OPS-01", 0, "monitoring-alert-rules.txt", func(people []string, p [2]attest.Date) string {
		return "Alert rules exported from the monitoring system on " + string(p[1]) + ":\n" +
			"- API error rate above 2% for 5 minutes: page the on-call engineer\n" +
			"- Database CPU above 85% for 15 minutes: page the on-call engineer\n" +
			"- Failed sign-ins above 50 a minute: notify security\n"
	}},
}

// AttachFiles stores the demo's generated evidence files in blobs and
// records them for the first period of their needs, so the demo's request
// list and auditor package have files as well as links.
func AttachFiles(ctx context.Context, db *store.DB, blobs blob.Store, res *Result) error {
	orgID := res.Organization.ID
	users, err := db.FindUsers(ctx, orgID)
	if err != nil {
		return err
	}
	var people []string
	for _, u := range users {
		people = append(people, u.Name)
	}
	sort.Strings(people)
	reqs, err := db.Requests(ctx, orgID, res.Engagement.ID)
	if err != nil {
		return err
	}
	for _, f := range demoFiles {
		var period [2]attest.Date
		for _, r := range reqs {
			if r.ControlID == f.control && r.Need == f.need && len(r.Slots) > 0 {
				period = [2]attest.Date{r.Slots[0].Start, r.Slots[0].End}
			}
		}
		if period[0].IsZero() {
			return fmt.Errorf("demo file %s: control %s has no need %d in scope", f.name, f.control, f.need)
		}
		data := []byte(f.body(people, period))
		info, err := blobs.Put(ctx, bytes.NewReader(data), blob.DefaultLimit)
		if err != nil {
			return fmt.Errorf("demo file %s: %w", f.name, err)
		}
		item := &attest.Evidence{Kind: attest.EvidenceFile, Title: strings.TrimSuffix(f.name, ".csv"), SHA256: info.SHA256, Size: info.Size,
			FileName: f.name, ContentType: http.DetectContentType(data), PeriodStart: period[0], PeriodEnd: period[1],
			CollectedAt: collected(period[0].Time().AddDate(0, 0, 5), db.Now()),
			Links:       []attest.EvidenceLinkRef{{ControlID: f.control, Need: f.need}}}
		if err := db.CreateEvidence(ctx, orgID, item); err != nil {
			return fmt.Errorf("demo file %s: %w", f.name, err)
		}
	}
	return nil
}
