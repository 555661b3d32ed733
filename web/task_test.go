package web

import "testing"

func TestTasksAPI(t *testing.T) {
	const (
		list = "/api/v1/tasks"
		one  = "/api/v1/tasks/{task}"
	)
	runCases(t, []apiCase{
		{name: "list", method: "GET", path: list, token: viewerA, status: 200,
			want:  []string{`"title": "A secret task"`, `"status": "open"`, `"control_id": "GOV-01"`, `"engagement_id": {eng}`},
			check: arrayLen(1, "id", "title", "status", "created_at")},
		{name: "filter open", method: "GET", path: list + "?open=true", token: viewerA, status: 200, check: arrayLen(1)},
		{name: "filter status open", method: "GET", path: list + "?status=open", token: viewerA, status: 200, check: arrayLen(1)},
		{name: "filter status done", method: "GET", path: list + "?status=done", token: viewerA, status: 200, check: arrayLen(0)},
		{name: "filter owner", method: "GET", path: list + "?owner=" + ownerA, token: viewerA, status: 200, check: arrayLen(1)},
		{name: "filter other owner", method: "GET", path: list + "?owner=bob", token: viewerA, status: 200, check: arrayLen(0)},
		{name: "filter control", method: "GET", path: list + "?control=GOV-01", token: viewerA, status: 200, check: arrayLen(1)},
		{name: "filter other control", method: "GET", path: list + "?control=GOV-02", token: viewerA, status: 200, check: arrayLen(0)},
		{name: "filter engagement", method: "GET", path: list + "?engagement={eng}", token: viewerA, status: 200, check: arrayLen(1)},
		{name: "filter other engagement", method: "GET", path: list + "?engagement={engB}", token: viewerA, status: 200, check: arrayLen(0)},
		{name: "filter unknown status", method: "GET", path: list + "?status=closed", token: viewerA, status: 400, code: "invalid"},
		{name: "filter malformed engagement", method: "GET", path: list + "?engagement=abc", token: viewerA, status: 400, code: "invalid"},

		{name: "create", method: "POST", path: list, token: adminA,
			body:     `{"title":"Write the access policy","owner":"` + ownerA + `","due_date":"2026-04-01","control_id":"GOV-02","engagement_id":{eng}}`,
			status:   201,
			want:     []string{`"title": "Write the access policy"`, `"status": "open"`, `"control_id": "GOV-02"`, `"due_date": "2026-04-01"`, `"name": "Alice Owner"`},
			unwanted: []string{`"closed_at"`},
			check:    both(arrayLenAt(list, 2), arrayLenAt(list+"?control=GOV-02", 1))},
		{name: "create overdue shows in readiness", method: "POST", path: list, token: adminA,
			body:   `{"title":"Late review","due_date":"2020-01-01","engagement_id":{eng}}`,
			status: 201, check: reread("/api/v1/engagements/{eng}/readiness", `"kind": "overdue_task"`, "Late review")},
		{name: "create already done", method: "POST", path: list, token: adminA, body: `{"title":"X","status":"done"}`,
			status: 400, code: "invalid", same: []string{list}},
		{name: "create for unknown control", method: "POST", path: list, token: adminA, body: `{"title":"X","control_id":"NOPE-99"}`,
			status: 400, code: "invalid", want: []string{"NOPE-99"}, same: []string{list}},
		{name: "create for unknown engagement", method: "POST", path: list, token: adminA, body: `{"title":"X","engagement_id":999999}`,
			status: 400, code: "invalid", same: []string{list}},
		{name: "create without title", method: "POST", path: list, token: adminA, body: `{"owner":"` + ownerA + `"}`,
			status: 400, code: "invalid", same: []string{list}},
		{name: "create for someone who is not a member", method: "POST", path: list, token: adminA, body: `{"title":"X","owner":"bob@b.example"}`,
			status: 400, code: "invalid", want: []string{"not a member"}, same: []string{list}},
		{name: "create for a namesake by name", method: "POST", path: list, token: adminA, body: `{"title":"X","owner":"Nobody Called This"}`,
			status: 400, code: "invalid", same: []string{list}},
		{name: "create with bad due date", method: "POST", path: list, token: adminA, body: `{"title":"X","due_date":"01/04/2026"}`,
			status: 400, code: "invalid", same: []string{list}},

		{name: "get", method: "GET", path: one, token: viewerA, status: 200,
			want: []string{`"id": {task}`, `"title": "A secret task"`, `"email": "` + ownerA + `"`}},
		{name: "get unknown", method: "GET", path: "/api/v1/tasks/999999", token: viewerA, status: 404, code: "not_found"},
		{name: "get malformed ID", method: "GET", path: "/api/v1/tasks/abc", token: viewerA, status: 404, code: "not_found"},
		{name: "patch", method: "PATCH", path: one, token: adminA, body: `{"status":"in_progress","notes":"started","due_date":"2026-05-01"}`,
			status: 200, want: []string{`"status": "in_progress"`},
			check: reread(one, `"status": "in_progress"`, `"notes": "started"`, `"due_date": "2026-05-01"`)},
		{name: "patch unknown status", method: "PATCH", path: one, token: adminA, body: `{"status":"closed"}`,
			status: 400, code: "invalid", same: []string{one}},
		{name: "patch empty title", method: "PATCH", path: one, token: adminA, body: `{"title":""}`,
			status: 400, code: "invalid", same: []string{one}},
		{name: "patch unknown", method: "PATCH", path: "/api/v1/tasks/999999", token: adminA, body: `{"notes":"x"}`,
			status: 404, code: "not_found", same: []string{list}},
		{name: "close", method: "POST", path: one + "/close", token: adminA, status: 200,
			want:  []string{`"status": "done"`, `"closed_at"`},
			check: both(reread(one, `"status": "done"`, `"closed_at"`), arrayLenAt(list+"?open=true", 0))},
		{name: "close unknown", method: "POST", path: "/api/v1/tasks/999999/close", token: adminA, status: 404, code: "not_found"},
	})
}
