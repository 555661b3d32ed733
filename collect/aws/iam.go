package aws

import (
	"context"
	"math"
	"time"

	"github.com/attest-dev/attest/collect"
	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// days is the whole days from t to now; nil for a time never set.
func days(t *time.Time, now time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return math.Floor(now.Sub(*t).Hours() / 24)
}

// account emits the account (root MFA and keys) and its password policy.
func (c *collector) account(ctx context.Context, emit func(collect.Resource) error) (string, error) {
	now := c.now()
	who, err := sts.NewFromConfig(c.cfg, func(o *sts.Options) { o.APIOptions = append(o.APIOptions, xmlBody) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", c.fail(ctx, "sts GetCallerIdentity", err)
	}
	account := sdk.ToString(who.Account)
	c.accountID = account
	client := iam.NewFromConfig(c.cfg, iamOptions)
	sum, err := client.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
	if err != nil {
		return "", c.fail(ctx, "iam GetAccountSummary", err)
	}
	m := sum.SummaryMap
	err = emit(collect.Resource{Type: "aws.account", ID: account, Name: account, CollectedAt: now, Attributes: map[string]any{
		"account_id":       account,
		"root_mfa_enabled": m["AccountMFAEnabled"] > 0,
		"root_access_keys": m["AccountAccessKeysPresent"] > 0,
		"users":            float64(m["Users"]),
		"mfa_devices":      float64(m["MFADevicesInUse"]),
	}})
	if err != nil {
		return "", err
	}
	// Without a policy every setting is null (AWS then applies its own
	// default rules, which no check should take for a policy).
	pp := map[string]any{"exists": false, "minimum_length": nil, "reuse_prevention": nil, "require_symbols": nil,
		"require_numbers": nil, "require_uppercase": nil, "require_lowercase": nil, "max_age_days": nil, "hard_expiry": nil}
	out, err := client.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	switch {
	case err == nil && out.PasswordPolicy != nil:
		p := out.PasswordPolicy
		pp["exists"] = true
		pp["minimum_length"] = float64(sdk.ToInt32(p.MinimumPasswordLength))
		pp["reuse_prevention"] = float64(sdk.ToInt32(p.PasswordReusePrevention))
		pp["require_symbols"], pp["require_numbers"] = p.RequireSymbols, p.RequireNumbers
		pp["require_uppercase"], pp["require_lowercase"] = p.RequireUppercaseCharacters, p.RequireLowercaseCharacters
		pp["hard_expiry"] = sdk.ToBool(p.HardExpiry)
		if p.ExpirePasswords {
			pp["max_age_days"] = float64(sdk.ToInt32(p.MaxPasswordAge))
		}
	case err != nil && !notFound(err, "NoSuchEntity"):
		return "", c.fail(ctx, "iam GetAccountPasswordPolicy", err)
	}
	return account, emit(collect.Resource{Type: "aws.password_policy", ID: account, Name: "password policy", Attributes: pp, CollectedAt: now})
}

// users emits every IAM user with MFA, console access and access keys.
func (c *collector) users(ctx context.Context, emit func(collect.Resource) error) error {
	client := iam.NewFromConfig(c.cfg, iamOptions)
	now := c.now()
	pages := iam.NewListUsersPaginator(client, &iam.ListUsersInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return c.fail(ctx, "iam ListUsers", err)
		}
		for _, u := range page.Users {
			r, err := c.user(ctx, client, u, now)
			if err != nil {
				return err
			}
			if err := emit(r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *collector) user(ctx context.Context, client *iam.Client, u types.User, now time.Time) (collect.Resource, error) {
	name := sdk.ToString(u.UserName)
	mfa, err := client.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: u.UserName})
	if err != nil {
		return collect.Resource{}, c.fail(ctx, "iam ListMFADevices "+name, err)
	}
	console := true
	if _, err := client.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: u.UserName}); err != nil {
		if !notFound(err, "NoSuchEntity") {
			return collect.Resource{}, c.fail(ctx, "iam GetLoginProfile "+name, err)
		}
		console = false
	}
	keysOut, err := client.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: u.UserName})
	if err != nil {
		return collect.Resource{}, c.fail(ctx, "iam ListAccessKeys "+name, err)
	}
	keys := []any{}
	for _, k := range keysOut.AccessKeyMetadata {
		last, err := client.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: k.AccessKeyId})
		if err != nil {
			return collect.Resource{}, c.fail(ctx, "iam GetAccessKeyLastUsed", err)
		}
		var used *time.Time
		if last.AccessKeyLastUsed != nil {
			used = last.AccessKeyLastUsed.LastUsedDate
		}
		keys = append(keys, map[string]any{
			"id": sdk.ToString(k.AccessKeyId), "active": k.Status == types.StatusTypeActive,
			"age_days": days(k.CreateDate, now), "last_used_days": days(used, now),
		})
	}
	return collect.Resource{Type: "aws.iam_user", ID: sdk.ToString(u.Arn), Name: name, CollectedAt: now, Attributes: map[string]any{
		"user_name": name, "arn": sdk.ToString(u.Arn), "mfa_active": len(mfa.MFADevices) > 0, "console_access": console,
		"password_last_used_days": days(u.PasswordLastUsed, now), "age_days": days(u.CreateDate, now), "access_keys": keys,
	}}, nil
}

func iamOptions(o *iam.Options) { o.APIOptions = append(o.APIOptions, xmlBody) }
