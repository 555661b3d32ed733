package attest

import (
	"strings"
	"testing"
)

// TestRecordCSVBadRows: every import names the line and column of its
// first bad row and returns nothing.
func TestRecordCSVBadRows(t *testing.T) {
	users := []*User{{ID: 1, Email: "ana@x.example", Name: "Ana", Role: RoleAdmin, Active: true}, {ID: 2, Email: "aud@x.example", Name: "Aud", Role: RoleAuditor, Active: true}}
	tests := []struct {
		name, csv, want string
		read            func(string) (int, error)
	}{
		{"roster ok", "name,email,start_date\nAna,ana@x.example,2026-01-05\nBo,bo@x.example,\n", "", roster},
		{"roster bad date", "name,email,start_date\nAna,ana@x.example,2026-01-05\nBo,bo@x.example,2026-02-30\n", "CSV line 3, column start_date", roster},
		{"roster bad email", "name,email\nAna,not-an-email\n", "CSV line 2, column email", roster},
		{"roster unknown column", "name,email,salary\n", "unknown column \"salary\"", roster},
		{"roster missing email column", "name\nAna\n", "column email is required", roster},
		{"roster NUL", "name,email\nA\x00na,ana@x.example\n", "CSV line 2, column name contains a NUL", roster},
		{"roster empty", "name,email\n", "no rows", roster},
		{"accounts duplicate", "account,email\nana,ana@x.example\nana,\n", "CSV line 3, column account: \"ana\" is listed on line 2", accounts},
		{"changes auditor approver", "title,implemented_on,approver\nFix,2026-01-02,aud@x.example\n", "CSV line 2, column approver", changes(users)},
		{"changes bad emergency", "title,implemented_on,emergency\nFix,2026-01-02,maybe\n", "CSV line 2, column emergency", changes(users)},
		{"changes no date", "title,implemented_on\nFix,\n", "CSV line 2, column implemented_on", changes(users)},
		{"changes ok", "title,implemented_on,requester,approver,emergency\nFix,2026-01-02,Ana,,yes\n", "", changes(users)},
		{"tests bad result", "control_id,period,result\nGOV-01,2026-Q1,passed\n", "CSV line 2, column result", tests(users)},
		{"tests result without sample", "control_id,period,result,procedure,tested_on\nGOV-01,2026-Q1,effective,inspection,2026-01-02\n", "CSV line 2, column sample", tests(users)},
		{"training no due", "title,due_date\nAwareness,\n", "CSV line 2, column due_date", training},
	}
	for _, tt := range tests {
		n, err := tt.read(tt.csv)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(ErrorMessage(err), tt.want) || ErrorCode(err) != EINVALID):
			t.Errorf("%s: error %v, want one containing %q", tt.name, err, tt.want)
		case tt.want != "" && n != 0:
			t.Errorf("%s: %d rows returned with the error", tt.name, n)
		}
	}
}

func roster(s string) (int, error) {
	x, err := ReadRosterCSV(strings.NewReader(s))
	return len(x), err
}

func accounts(s string) (int, error) {
	x, err := ReadAccountsCSV(strings.NewReader(s))
	if err != nil {
		return 0, err
	}
	return len(x), err
}

func changes(users []*User) func(string) (int, error) {
	return func(s string) (int, error) {
		x, err := ReadChangesCSV(strings.NewReader(s), users)
		if err != nil {
			return 0, err
		}
		return len(x), err
	}
}

func tests(users []*User) func(string) (int, error) {
	return func(s string) (int, error) {
		x, err := ReadControlTestsCSV(strings.NewReader(s), users)
		if err != nil {
			return 0, err
		}
		return len(x), err
	}
}

func training(s string) (int, error) {
	x, err := ReadTrainingCSV(strings.NewReader(s))
	if err != nil {
		return 0, err
	}
	return len(x), err
}
