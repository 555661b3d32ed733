package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/attest-dev/attest"
)

// The registers' routes in the authorization matrix and the API's route
// walk. Their placeholders name records seeded in both organizations by
// seedRecords: {person} with its onboarding {checklist} and first {item},
// {training} with {assignment}, {review} with {account}, {change} and
// {ctest}. Cases whose form the handler refuses for every caller it admits
// (invalid) show the route let the role through.
func init() {
	for k, v := range map[string][]mcase{
		"GET /people":                   {{path: "/people?status=active&sort=start_date&dir=desc"}},
		"GET /people.csv":               {{path: "/people.csv?q=pat"}},
		"POST /people":                  {{path: "/people", form: "name=&email=nobody%40matrix.example", invalid: 422}},
		"POST /people/import":           {{path: "/people/import", form: "csv=name%2Cemail%0AMatrix+Person%2Cmatrix%40matrix.example", loc: "/people"}},
		"POST /people/sync":             {{path: "/people/sync", loc: "/people"}},
		"GET /people/templates":         {{path: "/people/templates"}},
		"POST /people/templates/{kind}": {{path: "/people/templates/offboarding", form: "deadline_days=1&items=account%3A+Directory+account+disabled%0Adevice%3A+Laptop+returned", loc: "/people/templates"}},
		"GET /people/{id}":              {{path: "/people/{person}"}, {scope: scopeOther, path: "/people/{person}"}},
		"POST /people/{id}": {
			{path: "/people/{person}", form: "name=Pat+Person&email={personEmail}&employment_type=employee&start_date=2026-01-05", loc: "/people/{person}"},
			{scope: scopeOther, path: "/people/{person}", form: "name=Pat+Person&email=x%40y.example"},
		},
		"POST /checklists/{id}/items/{item}": {
			{path: "/checklists/{checklist}/items/{item}", form: "done_on=2026-01-05&note=matrix", loc: "/people/{person}#checklist-{checklist}"},
			{scope: scopeOther, path: "/checklists/{checklist}/items/{item}", form: "done_on=2026-01-05"},
		},
		"GET /training":      {{path: "/training?kind=awareness"}},
		"GET /training.csv":  {{path: "/training.csv"}},
		"POST /training":     {{path: "/training", form: "title=Matrix+training&due_date=2026-12-31"}},
		"GET /training/{id}": {{path: "/training/{training}"}, {scope: scopeOther, path: "/training/{training}"}},
		"POST /training/{id}/assign": {
			{path: "/training/{training}/assign", loc: "/training/{training}"},
			{scope: scopeOther, path: "/training/{training}/assign"},
		},
		// POST /people/sync and POST /training/{id}/assign come first in the
		// route table: every member is on the roster and assigned by now.
		"POST /training/{id}/acknowledge": {
			// Back to the campaign, or for employees (who see no registers)
			// to their own training.
			{path: "/training/{training}/acknowledge"},
			{scope: scopeOther, path: "/training/{training}/acknowledge"},
		},
		"GET /my-training": {{path: "/my-training"}},
		"POST /training-assignments/{id}": {
			{path: "/training-assignments/{assignment}", form: "method=acknowledgement&completed_on=2026-01-05", loc: "/training/{training}"},
			{scope: scopeOther, path: "/training-assignments/{assignment}", form: "method=acknowledgement"},
		},
		"GET /access-reviews":         {{path: "/access-reviews?status=open"}},
		"POST /changes/pull-requests": {{path: "/changes/pull-requests", form: "control_id=CHG-02", loc: "/changes?sort=implemented_on&dir=desc"}},
		"POST /access-review-schedules": {
			{path: "/access-review-schedules", form: "system=Matrix+schedule&integration={fresh}", fresh: "integration", loc: "/access-reviews#schedules"},
			{scope: scopeOther, path: "/access-review-schedules", form: "system=Matrix+schedule&integration={fresh}", fresh: "integration", deny: 422},
		},
		"POST /access-review-schedules/{id}/delete": {
			{path: "/access-review-schedules/{fresh}/delete", fresh: "schedule", loc: "/access-reviews#schedules"},
			{scope: scopeOther, path: "/access-review-schedules/{fresh}/delete", fresh: "schedule"},
		},
		"GET /access-reviews.csv": {{path: "/access-reviews.csv"}},
		"POST /access-reviews":    {{path: "/access-reviews", form: "system=Matrix&accounts=account%0Amatrix-user"}},
		"GET /access-reviews/{id}": {
			{path: "/access-reviews/{review}"}, {scope: scopeOther, path: "/access-reviews/{review}"},
		},
		"GET /access-reviews/{id}/record.csv": {
			{path: "/access-reviews/{review}/record.csv"}, {scope: scopeOther, path: "/access-reviews/{review}/record.csv"},
		},
		"POST /access-reviews/{id}/assign": {
			{path: "/access-reviews/{review}/assign", form: "reviewer={user}", loc: "/access-reviews/{review}"},
			{scope: scopeOther, path: "/access-reviews/{review}/assign", form: "reviewer={user}"},
		},
		"POST /access-reviews/{id}/accounts/{account}": {
			{path: "/access-reviews/{review}/accounts/{account}", form: "decision=maybe", invalid: 422},
			{scope: scopeOther, path: "/access-reviews/{review}/accounts/{account}", form: "decision=keep"},
		},
		"POST /access-reviews/{id}/accounts/{account}/resolve": {
			{path: "/access-reviews/{review}/accounts/{account}/resolve", form: "resolved_on=2026-01-05", invalid: 422},
			{scope: scopeOther, path: "/access-reviews/{review}/accounts/{account}/resolve", form: "resolved_on=2026-01-05"},
		},
		"POST /access-reviews/{id}/sign-off": {
			{path: "/access-reviews/{review}/sign-off", invalid: 422},
			{scope: scopeOther, path: "/access-reviews/{review}/sign-off"},
		},
		"GET /changes":      {{path: "/changes?unapproved=1&from=2026-01-01"}},
		"GET /changes.csv":  {{path: "/changes.csv"}},
		"POST /changes":     {{path: "/changes", form: "title=Matrix+change&implemented_on=2026-01-05"}},
		"GET /changes/{id}": {{path: "/changes/{change}"}, {scope: scopeUngranted, path: "/changes/{change2}"}, {scope: scopeOther, path: "/changes/{change}"}},
		"POST /changes/{id}/approve": {
			{path: "/changes/{change}/approve", loc: "/changes/{change}"},
			{scope: scopeOther, path: "/changes/{change}/approve"},
		},
		"GET /control-tests":      {{path: "/control-tests?result=planned"}},
		"GET /control-tests.csv":  {{path: "/control-tests.csv"}},
		"POST /control-tests":     {{path: "/control-tests", form: "control_id=GOV-01&period=2026-Q1"}},
		"GET /control-tests/{id}": {{path: "/control-tests/{ctest}"}, {scope: scopeOther, path: "/control-tests/{ctest}"}},
		"POST /control-tests/{id}": {
			{path: "/control-tests/{ctest}", form: "result=", loc: "/control-tests/{ctest}"},
			{scope: scopeOther, path: "/control-tests/{ctest}", form: "result="},
		},
		"GET /populations":     {{path: "/populations?kind=hires&from=2026-01-01&to=2026-06-30"}},
		"GET /populations.csv": {{path: "/populations.csv?kind=leavers&from=2026-01-01&to=2026-06-30"}},
	} {
		matrix[k] = v
	}
	writeBodies["POST /api/v1/people"] = `{"name":"Viewer person","email":"viewer.person@a.example"}`
	writeBodies["POST /api/v1/changes"] = `{"title":"Viewer change","implemented_on":"2026-01-05"}`
}

// seedRecords makes one record of each register in both organizations
// and names them in u.ids.
func (u *uiEnv) seedRecords(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	for _, org := range []int64{u.orgA, u.orgB} {
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("seed records: %v", err)
			}
		}
		email := fmt.Sprintf("pat@org%d.example", org)
		p := &attest.RosterPerson{Name: "Pat Person", Email: email, StartDate: "2026-01-05"}
		must(u.db.CreateRosterPerson(ctx, org, p))
		cs, err := u.db.FindChecklists(ctx, org, p.ID)
		must(err)
		c := &attest.TrainingCampaign{Title: "Awareness", DueDate: "2026-06-30"}
		must(u.db.CreateTrainingCampaign(ctx, org, c))
		_, err = u.db.AssignTraining(ctx, org, c.ID, []int64{p.ID})
		must(err)
		as, err := u.db.FindTrainingAssignments(ctx, org, c.ID)
		must(err)
		rv := &attest.AccessReview{System: "Directory", PeriodStart: "2026-01-01", PeriodEnd: "2026-03-31", DueDate: "2026-04-15"}
		must(u.db.CreateAccessReview(ctx, org, rv, []*attest.AccessAccount{{Account: "pat", Email: email}}))
		accts, err := u.db.FindAccessAccounts(ctx, org, rv.ID)
		must(err)
		ch := &attest.ChangeRecord{Title: "Seeded change", ImplementedOn: "2026-01-05"}
		must(u.db.CreateChange(ctx, org, ch))
		ct := &attest.ControlTest{ControlID: "GOV-01", Period: "2026-Q1", DueDate: "2026-03-31"}
		// A change after the auditor's window: hidden from them.
		ch2 := &attest.ChangeRecord{Title: "Autumn change", ImplementedOn: "2026-10-02"}
		must(u.db.CreateChange(ctx, org, ch2))
		u.ids[org]["{change2}"] = fmt.Sprint(ch2.ID)
		must(u.db.CreateControlTest(ctx, org, ct))
		for k, v := range map[string]int64{"{person}": p.ID, "{checklist}": cs[0].ID, "{item}": cs[0].Items[0].ID, "{training}": c.ID, "{assignment}": as[0].ID,
			"{review}": rv.ID, "{account}": accts[0].ID, "{change}": ch.ID, "{ctest}": ct.ID} {
			u.ids[org][k] = fmt.Sprint(v)
		}
		u.ids[org]["{personEmail}"] = email
	}
}

func init() {
	for k, v := range map[string][]isoCase{
		"GET /api/v1/people": {{path: "/api/v1/people", status: 200, want: []string{`[]`}}},
		"POST /api/v1/people": {
			{path: "/api/v1/people", body: `{"name":"B person","email":"b.person@b.example","manager_id":1}`, status: 400},
			{path: "/api/v1/people", body: `{"name":"B person","email":"b.person@b.example"}`, status: 201, want: []string{`"b.person@b.example"`}},
		},
		"GET /api/v1/training":       {{path: "/api/v1/training", status: 200, want: []string{`[]`}}},
		"GET /api/v1/access-reviews": {{path: "/api/v1/access-reviews", status: 200, want: []string{`[]`}}},
		"GET /api/v1/changes":        {{path: "/api/v1/changes", status: 200, want: []string{`[]`}}},
		"POST /api/v1/changes": {
			{path: "/api/v1/changes", body: `{"title":"B change","implemented_on":"2026-01-05","approver_ref":1}`, status: 400},
		},
		"GET /api/v1/control-tests": {{path: "/api/v1/control-tests", status: 200, want: []string{`[]`}}},
		"GET /api/v1/populations":   {{path: "/api/v1/populations?kind=changes&from=2026-01-01&to=2026-12-31", status: 200, want: []string{`"rows": []`}}},
	} {
		isolationCases[k] = v
	}
}
