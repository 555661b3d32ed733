package blob

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/attest-dev/attest"
)

func TestParseS3URL(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		url  string
		want S3Config
		code string // expected error code, "" for success
	}{
		{
			url:  "s3://AKIA:s3cr%2Ft+x@minio.local:9000/evidence?ssl=false&region=eu-west-1&create=true",
			want: S3Config{Endpoint: "minio.local:9000", Bucket: "evidence", AccessKey: "AKIA", SecretKey: "s3cr/t+x", Region: "eu-west-1", CreateBucket: true},
		},
		{
			url:  "s3://s3.amazonaws.com/acme-audit/prod/blobs/",
			want: S3Config{Endpoint: "s3.amazonaws.com", Bucket: "acme-audit", Prefix: "prod/blobs", UseSSL: true},
		},
		{url: "s3://host:9000", code: attest.EINVALID},
		{url: "s3:///bucket", code: attest.EINVALID},
		{url: "s3://AKIA@host/bucket", code: attest.EINVALID},
		{url: "s3://AKIA:hunter2@host/bucket?sll=false", code: attest.EINVALID},
		{url: "s3://AKIA:hunter2@host/bucket?ssl=maybe", code: attest.EINVALID},
		{url: "s3://AKIA:hunter2%zz@host/bucket", code: attest.EINVALID},
	} {
		got, err := ParseS3URL(tt.url)
		if code := attest.ErrorCode(err); code != tt.code {
			t.Errorf("ParseS3URL(%q) error %v, want code %q", tt.url, err, tt.code)
			continue
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseS3URL(%q) error quotes the secret: %v", tt.url, err)
		}
		if err == nil && got != tt.want {
			t.Errorf("ParseS3URL(%q) = %+v, want %+v", tt.url, got, tt.want)
		}
	}
}

func TestOpen(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	endpoint := startFakeS3(t)
	for _, tt := range []struct {
		url  string
		kind string // "fs", "s3" or an error code
	}{
		{dir + "/plain", "fs"},
		{"file://" + filepath.ToSlash(dir) + "/url", "fs"},
		{"  " + dir + "/spaces  ", "fs"},
		{"s3://key:topsecret@" + endpoint + "/made?ssl=false&region=us-east-1&create=true", "s3"},
		{"s3://key:topsecret@" + endpoint + "/missing?ssl=false&region=us-east-1", attest.EINTERNAL},
		{"", attest.EINVALID},
		{"file://otherhost/x", attest.EINVALID},
		{"gs://bucket", attest.EINVALID},
	} {
		s, err := Open(t.Context(), Config{URL: tt.url, TempDir: t.TempDir()})
		if err != nil && strings.Contains(err.Error(), "topsecret") {
			t.Errorf("Open error quotes the secret: %v", err)
		}
		switch s.(type) {
		case *FS:
			if tt.kind != "fs" {
				t.Errorf("Open(%q) = FS, want %s (err %v)", tt.url, tt.kind, err)
			}
		case *S3:
			if tt.kind != "s3" {
				t.Errorf("Open(%q) = S3, want %s", tt.url, tt.kind)
			}
			mustPut(t, s, []byte("via url"))
		default:
			if code := attest.ErrorCode(err); code != tt.kind {
				t.Errorf("Open(%q) error %v, want %s", tt.url, err, tt.kind)
			}
		}
	}
}
