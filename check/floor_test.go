package check

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
)

// The floor: two built-in checks written by hand in Go, reading the same
// resources through the same Source and giving the same rows. The
// benchmark measures the engine against them.

// floorLeaverSuspended is idp-leaver-suspended by hand.
func floorLeaverSuspended(ctx context.Context, src Source, now time.Time, emit func(Result) error) error {
	leavers := map[string]string{}
	err := src.Resources(ctx, "hr.person", func(r collect.Resource) error {
		end, _ := r.Attributes["end_date"].(string)
		if end == "" {
			return nil
		}
		t, err := parseTime(end)
		if err != nil || now.Sub(t) < 24*time.Hour {
			return nil
		}
		email, _ := r.Attributes["email"].(string)
		key := strings.ToLower(email)
		if _, dup := leavers[key]; !dup {
			leavers[key] = end
		}
		return nil
	})
	if err != nil {
		return err
	}
	return src.Resources(ctx, "idp.user", func(r collect.Resource) error {
		row := Result{CheckID: "idp-leaver-suspended", ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name, Status: Pass}
		suspended, ok1 := r.Attributes["suspended"].(bool)
		email, ok2 := r.Attributes["email"].(string)
		switch {
		case !ok1 || !ok2:
			row.Status, row.Reason = Error, "missing attribute"
		case suspended:
		default:
			if end, left := leavers[strings.ToLower(email)]; left {
				row.Status, row.Reason = Fail, email+" is active but left on "+end
			}
		}
		return emit(row)
	})
}

// floorKeyAge is aws-iam-key-age by hand.
func floorKeyAge(ctx context.Context, src Source, emit func(Result) error) error {
	return src.Resources(ctx, "aws.iam_user", func(r collect.Resource) error {
		row := Result{CheckID: "aws-iam-key-age", ResourceType: r.Type, ResourceID: r.ID, ResourceName: r.Name, Status: Pass}
		keys, ok := r.Attributes["access_keys"].([]any)
		if !ok {
			row.Status, row.Reason = Error, "missing attribute"
			return emit(row)
		}
		var old []string
		for _, k := range keys {
			km, _ := k.(map[string]any)
			active, _ := km["active"].(bool)
			age, _ := km["age_days"].(float64)
			if active && age > 90 {
				id, _ := km["id"].(string)
				old = append(old, fmt.Sprintf("%s (%d days)", id, int64(age)))
			}
		}
		if len(old) > 0 {
			row.Status, row.Reason = Fail, "keys older than 90 days: "+strings.Join(old, ", ")
		}
		return emit(row)
	})
}
