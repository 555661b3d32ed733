// Package aws collects an AWS account's security posture with the
// official SDK: IAM users (MFA, console access, access-key age and last
// use), the root account's MFA and keys, the password policy, CloudTrail
// trails, S3 buckets (encryption, public access block, versioning), RDS
// instances, default EBS encryption and GuardDuty detectors. The endpoint
// is overridable, which is how the tests point it at loopback.
package aws

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/attest-dev/attest/collect"
	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Kind is the "aws" integration.
var Kind = collect.Kind{
	Name:  "aws",
	Title: "Amazon Web Services",
	Fields: []collect.Field{
		{Name: "region", Label: "Region", Required: true, Default: "us-east-1", Help: "Where CloudTrail is read and IAM and S3 are reached."},
		{Name: "regions", Label: "More regions", Help: "Comma-separated regions whose RDS, EBS default and GuardDuty are read too."},
		{Name: "access_key_id", Label: "Access key ID", Required: true, Help: "Of a user or role with the SecurityAudit policy."},
		{Name: "secret_access_key", Label: "Secret access key", Required: true, Secret: true},
		{Name: "session_token", Label: "Session token", Secret: true, Help: "Only for temporary credentials."},
		{Name: "endpoint_url", Label: "Endpoint URL", Help: "Overrides every service's endpoint (a proxy or a test server)."},
	},
	ResourceTypes: []string{"aws.account", "aws.password_policy", "aws.iam_user", "aws.cloudtrail", "aws.s3_bucket",
		"aws.rds_instance", "aws.ebs_default", "aws.guardduty"},
	New: newCollector,
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-\d$`)

type collector struct {
	accountID string // learnt from STS at the start of a run
	cfg       sdk.Config
	regions   []string
	now       func() time.Time
}

func newCollector(cfg collect.Config) (collect.Collector, error) {
	s := cfg.Settings
	region := strings.TrimSpace(s["region"])
	if !regionRE.MatchString(region) {
		return nil, fmt.Errorf("region: want a region such as us-east-1, got %q", region)
	}
	regions := []string{region}
	for _, r := range strings.Split(s["regions"], ",") {
		if r = strings.TrimSpace(r); r == "" || r == region {
			continue
		}
		if !regionRE.MatchString(r) {
			return nil, fmt.Errorf("regions: %q is not a region", r)
		}
		regions = append(regions, r)
	}
	id := strings.TrimSpace(s["access_key_id"])
	if !regexp.MustCompile(`^[A-Z0-9]{16,128}$`).MatchString(id) {
		return nil, errors.New("access_key_id: want an access key ID such as AKIAIOSFODNN7EXAMPLE")
	}
	if cfg.Secrets["secret_access_key"] == "" {
		return nil, errors.New("secret_access_key: required")
	}
	hc := cfg.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	ac := sdk.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(id, cfg.Secrets["secret_access_key"], cfg.Secrets["session_token"]),
		HTTPClient:  hc,
		Retryer:     func() sdk.Retryer { return retryer(cfg) },
	}
	if e := strings.TrimSpace(s["endpoint_url"]); e != "" {
		if !strings.HasPrefix(e, "https://") && !strings.HasPrefix(e, "http://") {
			return nil, errors.New("endpoint_url: want an http or https URL")
		}
		ac.BaseEndpoint = sdk.String(e)
	}
	return &collector{cfg: ac, regions: regions, now: cfg.Clock()}, nil
}

// retryer is the SDK's standard retryer that also retries HTTP 429 and
// honours Retry-After, and that waits through cfg.Sleep when a test sets
// it (the SDK then sees a zero delay).
func retryer(cfg collect.Config) sdk.Retryer {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = 4
		o.RateLimiter = ratelimit.None
		o.Retryables = append(o.Retryables, retry.IsErrorRetryableFunc(func(err error) sdk.Ternary {
			if status(err) == http.StatusTooManyRequests {
				return sdk.TrueTernary
			}
			return sdk.UnknownTernary
		}))
		backoff := retry.NewExponentialJitterBackoff(20 * time.Second)
		o.Backoff = retry.BackoffDelayerFunc(func(attempt int, err error) (time.Duration, error) {
			d, berr := backoff.BackoffDelay(attempt, err)
			var re *awshttp.ResponseError
			if errors.As(err, &re) && re.Response != nil {
				if s, perr := strconv.Atoi(re.Response.Header.Get("Retry-After")); perr == nil && s >= 0 {
					d = time.Duration(s) * time.Second
				}
			}
			if cfg.Sleep != nil {
				return 0, cfg.Sleep(context.Background(), d)
			}
			return d, berr
		})
	})
}

func status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// credentialCodes are the error codes AWS answers for keys it refuses.
var credentialCodes = map[string]bool{
	"InvalidClientTokenId": true, "SignatureDoesNotMatch": true, "AuthFailure": true, "UnrecognizedClientException": true,
	"InvalidAccessKeyId": true, "ExpiredToken": true, "ExpiredTokenException": true, "IncompleteSignature": true,
	"InvalidSignatureException": true,
}

// fail turns an SDK error into one of the shared kinds, naming the call.
func (c *collector) fail(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("aws %s: %w", op, ctx.Err())
	}
	var api smithy.APIError
	var de *smithy.DeserializationError
	var ne net.Error
	var send *smithyhttp.RequestSendError
	switch {
	case errors.As(err, &api) && credentialCodes[api.ErrorCode()], status(err) == http.StatusUnauthorized:
		return fmt.Errorf("aws %s: %w: %s", op, collect.ErrCredentials, apiMessage(err))
	case status(err) >= 400:
		return fmt.Errorf("aws %s: %s", op, apiMessage(err))
	case errors.As(err, &de):
		return fmt.Errorf("aws %s: %w: %v", op, collect.ErrMalformed, de.Err)
	case errors.As(err, &ne), errors.As(err, &send):
		return fmt.Errorf("aws %s: %w: %s", op, collect.ErrUnreachable, rootCause(err))
	}
	return fmt.Errorf("aws %s: %s", op, apiMessage(err))
}

func apiMessage(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		if code := status(err); code != 0 {
			return fmt.Sprintf("HTTP %d: %s: %s", code, api.ErrorCode(), api.ErrorMessage())
		}
		return api.ErrorCode() + ": " + api.ErrorMessage()
	}
	if code := status(err); code != 0 {
		return fmt.Sprintf("HTTP %d: %v", code, err)
	}
	return err.Error()
}

// notFound reports an API error with one of the codes (a missing
// password policy, login profile or bucket setting).
func notFound(err error, codes ...string) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	for _, c := range codes {
		if api.ErrorCode() == c {
			return true
		}
	}
	return false
}

func rootCause(err error) string {
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return err.Error()
		}
		err = u
	}
}
