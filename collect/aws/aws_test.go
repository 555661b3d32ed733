package aws_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/attest-dev/attest/collect"
	"github.com/attest-dev/attest/collect/aws"
	"github.com/attest-dev/attest/collect/conformance"
)

const (
	keyID  = "AKIAATTESTEXAMPLE123"
	secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

var scope = regexp.MustCompile(`Credential=([A-Z0-9]+)/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request`)

// fixture routes SigV4-signed requests to testdata/ by service and action.
func fixture(t *testing.T) http.Handler {
	send := func(w http.ResponseWriter, status int, name, ctype string) {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Errorf("fixture %s: %v", name, err)
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("x-amzn-RequestId", "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
		w.WriteHeader(status)
		w.Write(b)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m := scope.FindStringSubmatch(r.Header.Get("Authorization"))
		if m == nil || m[1] != keyID {
			w.Header().Set("Content-Type", "text/xml")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>`)
			return
		}
		service := m[3]
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		action := form.Get("Action")
		switch service {
		case "sts", "iam", "rds", "ec2":
			name := service + "." + action
			switch action {
			case "ListUsers":
				name += map[bool]string{true: ".2", false: ".1"}[form.Get("Marker") != ""]
			case "ListMFADevices", "ListAccessKeys":
				name += "." + form.Get("UserName")
			case "GetLoginProfile":
				name += "." + form.Get("UserName")
				if form.Get("UserName") == "deploy" {
					send(w, 404, name+".xml", "text/xml")
					return
				}
			case "GetAccessKeyLastUsed":
				name += "." + form.Get("AccessKeyId")
			}
			send(w, 200, name+".xml", "text/xml")
		case "cloudtrail":
			target := r.Header.Get("X-Amz-Target")
			send(w, 200, "cloudtrail."+target[strings.LastIndex(target, ".")+1:]+".json", "application/x-amz-json-1.1")
		case "guardduty":
			if r.URL.Path == "/detector" {
				send(w, 200, "guardduty.ListDetectors.json", "application/json")
			} else {
				send(w, 200, "guardduty.GetDetector.json", "application/json")
			}
		case "s3":
			bucket := strings.Trim(r.URL.Path, "/")
			q := r.URL.Query()
			switch {
			case bucket == "":
				send(w, 200, "s3.ListBuckets.xml", "application/xml")
			case q.Has("encryption"):
				send(w, 200, "s3."+bucket+".encryption.xml", "application/xml")
			case q.Has("publicAccessBlock") && bucket == "acme-public-site":
				send(w, 404, "s3."+bucket+".publicAccessBlock.xml", "application/xml")
			case q.Has("publicAccessBlock"):
				send(w, 200, "s3."+bucket+".publicAccessBlock.xml", "application/xml")
			case q.Has("versioning"):
				send(w, 200, "s3."+bucket+".versioning.xml", "application/xml")
			default:
				t.Errorf("unexpected S3 request %s %s", r.Method, r.URL)
				w.WriteHeader(400)
			}
		default:
			t.Errorf("unexpected %s request %s %s", service, r.Method, r.URL)
			w.WriteHeader(400)
		}
	})
}

func settings() map[string]string {
	return map[string]string{"region": "us-east-1", "access_key_id": keyID}
}

var secrets = map[string]string{"secret_access_key": secret}

func TestConformance(t *testing.T) {
	conformance.RunHTTP(t, conformance.HTTP{
		Kind: aws.Kind, Settings: settings(), Secrets: secrets, BaseURLSetting: "endpoint_url",
		Handler: fixture(t), Want: 1 + 1 + 2 + 1 + 2 + 1 + 1 + 1,
	})
}

func TestAccount(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	s := settings()
	s["endpoint_url"] = srv
	rs, err := conformance.Run(t.Context(), t, aws.Kind, collect.Config{Settings: s, Secrets: secrets, Now: func() time.Time { return conformance.Now }})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, r := range rs {
		got[r.Type+" "+r.Name] = r.Attributes
	}
	tests := []struct {
		key  string
		want map[string]any
	}{
		{"aws.account 123456789012", map[string]any{"root_mfa_enabled": false, "root_access_keys": false}},
		{"aws.password_policy password policy", map[string]any{"exists": true, "minimum_length": 12.0, "reuse_prevention": 24.0, "max_age_days": nil}},
		{"aws.iam_user alice", map[string]any{"mfa_active": true, "console_access": true, "password_last_used_days": 1.0,
			"access_keys": []any{map[string]any{"id": "AKIAALICEKEYEXAMPLE1", "active": true, "age_days": 60.0, "last_used_days": 3.0}}}},
		{"aws.iam_user deploy", map[string]any{"mfa_active": false, "console_access": false, "password_last_used_days": nil,
			"access_keys": []any{
				map[string]any{"id": "AKIADEPLOYKEYEXAMP01", "active": true, "age_days": 400.0, "last_used_days": nil},
				map[string]any{"id": "AKIADEPLOYKEYEXAMP02", "active": false, "age_days": 651.0, "last_used_days": nil}}}},
		{"aws.cloudtrail acme-org-trail", map[string]any{"name": "acme-org-trail", "multi_region": true, "log_file_validation": true, "is_logging": true,
			"kms_key_id": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"}},
		{"aws.s3_bucket acme-logs", map[string]any{"encrypted": true, "encryption": "aws:kms", "public_access_blocked": true, "versioning": true}},
		{"aws.s3_bucket acme-public-site", map[string]any{"encrypted": true, "encryption": "AES256", "public_access_blocked": false, "versioning": false}},
		{"aws.rds_instance acme-prod-db", map[string]any{"storage_encrypted": true, "publicly_accessible": false, "backup_retention_days": 14.0, "multi_az": true}},
		{"aws.ebs_default us-east-1", map[string]any{"encryption_by_default": true, "region": "us-east-1"}},
		{"aws.guardduty us-east-1", map[string]any{"enabled": true, "region": "us-east-1"}},
	}
	for _, tt := range tests {
		a, ok := got[tt.key]
		if !ok {
			t.Errorf("%s not collected; have %v", tt.key, keys(got))
			continue
		}
		for k, v := range tt.want {
			if !reflect.DeepEqual(a[k], v) {
				t.Errorf("%s: %s = %#v, want %#v", tt.key, k, a[k], v)
			}
		}
	}
}

func TestRefusedKeys(t *testing.T) {
	srv := conformance.Serve(t, fixture(t))
	s := settings()
	s["endpoint_url"], s["access_key_id"] = srv, "AKIAWRONGWRONGWRONG1"
	_, err := conformance.Run(t.Context(), t, aws.Kind, collect.Config{Settings: s, Secrets: secrets})
	if err == nil || !strings.Contains(err.Error(), "InvalidClientTokenId") || strings.Contains(err.Error(), secret) {
		t.Fatalf("got %v", err)
	}
	if !isCredentials(err) {
		t.Fatalf("%v is not a credentials error", err)
	}
}

func TestSettingsValidated(t *testing.T) {
	for field, s := range map[string]map[string]string{
		"region":        {"region": "mars-1", "access_key_id": keyID},
		"regions":       {"region": "us-east-1", "regions": "eu-west-1, nowhere", "access_key_id": keyID},
		"access_key_id": {"region": "us-east-1", "access_key_id": "short"},
		"endpoint_url":  {"region": "us-east-1", "access_key_id": keyID, "endpoint_url": "localhost:9000"},
	} {
		_, err := aws.Kind.New(collect.Config{Settings: s, Secrets: secrets})
		if err == nil || !strings.HasPrefix(err.Error(), field) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: got %v", field, err)
		}
	}
}

func keys(m map[string]map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
