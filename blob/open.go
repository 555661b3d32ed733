package blob

import (
	"context"
	"net/url"
	"strconv"
	"strings"

	"github.com/attest-dev/attest"
)

// Config selects and configures a Store.
type Config struct {
	// URL is a path, a file:// URL or an s3:// URL; see the package
	// documentation for the forms and their parameters.
	URL string
	// TempDir is where an S3 store spools uploads; empty means
	// os.TempDir(). An FS store always uses its own dir/tmp, on the same
	// filesystem as the blobs so that the final rename is atomic.
	TempDir string
}

// Open returns the Store that cfg.URL describes.
func Open(ctx context.Context, cfg Config) (Store, error) {
	raw := strings.TrimSpace(cfg.URL)
	switch {
	case raw == "":
		return nil, attest.Errorf(attest.EINVALID, "blob store is not configured")
	case strings.HasPrefix(raw, "s3://"):
		s3cfg, err := ParseS3URL(raw)
		if err != nil {
			return nil, err
		}
		s3cfg.TempDir = cfg.TempDir
		s, err := NewS3(ctx, s3cfg)
		if err != nil {
			return nil, err
		}
		return s, nil
	case strings.HasPrefix(raw, "file://"):
		u, err := url.Parse(raw)
		if err != nil || (u.Host != "" && u.Host != "localhost") || u.Path == "" {
			return nil, attest.Errorf(attest.EINVALID, "blob store URL %q: want file:///absolute/path", raw)
		}
		raw = u.Path
	case strings.Contains(raw, "://"):
		scheme, _, _ := strings.Cut(raw, "://")
		return nil, attest.Errorf(attest.EINVALID, "blob store URL scheme %q is not supported: use a path, file:// or s3://", scheme)
	}
	s, err := NewFS(raw)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// ParseS3URL turns s3://ACCESS:SECRET@host:port/bucket/prefix?ssl=…&region=…&create=…
// into an S3Config. Its errors never quote the URL, which holds a secret.
func ParseS3URL(raw string) (S3Config, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "s3" {
		// url.Error quotes the input, and an invalid escape may be in the
		// secret, so neither is passed on.
		return S3Config{}, attest.Errorf(attest.EINVALID, "malformed s3 URL (are special characters in the credentials percent-encoded?)")
	}
	bucket, prefix, _ := strings.Cut(strings.Trim(u.Path, "/"), "/")
	cfg := S3Config{Endpoint: u.Host, Bucket: bucket, Prefix: prefix, UseSSL: true}
	if cfg.Endpoint == "" || cfg.Bucket == "" {
		return S3Config{}, attest.Errorf(attest.EINVALID, "s3 URL needs a host and a bucket: s3://host:port/bucket")
	}
	if u.User != nil {
		cfg.AccessKey = u.User.Username()
		secret, ok := u.User.Password()
		if cfg.AccessKey == "" || !ok || secret == "" {
			return S3Config{}, attest.Errorf(attest.EINVALID, "s3 URL credentials must be ACCESS:SECRET@")
		}
		cfg.SecretKey = secret
	}
	for name, values := range u.Query() {
		v := values[len(values)-1]
		switch name {
		case "region":
			cfg.Region = v
		case "ssl", "create":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return S3Config{}, attest.Errorf(attest.EINVALID, "s3 URL parameter %s=%q: want true or false", name, v)
			}
			if name == "ssl" {
				cfg.UseSSL = b
			} else {
				cfg.CreateBucket = b
			}
		default:
			// Rejecting unknown names catches typos such as "sll=false",
			// which would otherwise silently keep the default.
			return S3Config{}, attest.Errorf(attest.EINVALID, "s3 URL parameter %q is not supported: use ssl, region or create", name)
		}
	}
	return cfg, nil
}
