package aws

import (
	"context"
	"fmt"

	"github.com/attest-dev/attest/collect"
	sdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Test asks STS who the credentials belong to.
func (c *collector) Test(ctx context.Context) error {
	_, err := sts.NewFromConfig(c.cfg, func(o *sts.Options) { o.APIOptions = append(o.APIOptions, xmlBody) }).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return c.fail(ctx, "sts GetCallerIdentity", err)
	}
	return nil
}

func (c *collector) Collect(ctx context.Context, emit func(collect.Resource) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("aws: %w", err)
	}
	if _, err := c.account(ctx, emit); err != nil {
		return err
	}
	steps := []func(context.Context, func(collect.Resource) error) error{c.users, c.trails, c.buckets}
	for _, step := range steps {
		if err := step(ctx, emit); err != nil {
			return err
		}
	}
	for _, region := range c.regions {
		for _, step := range []func(context.Context, string, func(collect.Resource) error) error{c.databases, c.ebsDefault, c.guardDuty} {
			if err := step(ctx, region, emit); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *collector) in(region string) sdk.Config {
	cfg := c.cfg.Copy()
	cfg.Region = region
	return cfg
}

func (c *collector) trails(ctx context.Context, emit func(collect.Resource) error) error {
	client := cloudtrail.NewFromConfig(c.cfg, func(o *cloudtrail.Options) { o.APIOptions = append(o.APIOptions, jsonBody) })
	out, err := client.DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: sdk.Bool(true)})
	if err != nil {
		return c.fail(ctx, "cloudtrail DescribeTrails", err)
	}
	now := c.now()
	for _, t := range out.TrailList {
		st, err := client.GetTrailStatus(ctx, &cloudtrail.GetTrailStatusInput{Name: t.TrailARN})
		if err != nil {
			return c.fail(ctx, "cloudtrail GetTrailStatus "+sdk.ToString(t.Name), err)
		}
		kms := sdk.ToString(t.KmsKeyId) // "" when the logs are not encrypted with KMS
		err = emit(collect.Resource{Type: "aws.cloudtrail", ID: sdk.ToString(t.TrailARN), Name: sdk.ToString(t.Name), CollectedAt: now, Attributes: map[string]any{
			"name": sdk.ToString(t.Name), "multi_region": sdk.ToBool(t.IsMultiRegionTrail), "log_file_validation": sdk.ToBool(t.LogFileValidationEnabled),
			"kms_key_id": kms, "is_logging": sdk.ToBool(st.IsLogging), "home_region": sdk.ToString(t.HomeRegion),
			"s3_bucket": sdk.ToString(t.S3BucketName), "organization_trail": sdk.ToBool(t.IsOrganizationTrail),
			"include_global_service_events": sdk.ToBool(t.IncludeGlobalServiceEvents),
		}})
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *collector) buckets(ctx context.Context, emit func(collect.Resource) error) error {
	client := s3.NewFromConfig(c.cfg, func(o *s3.Options) {
		o.UsePathStyle = c.cfg.BaseEndpoint != nil
		o.APIOptions = append(o.APIOptions, xmlBody)
	})
	now := c.now()
	pages := s3.NewListBucketsPaginator(client, &s3.ListBucketsInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return c.fail(ctx, "s3 ListBuckets", err)
		}
		for _, b := range page.Buckets {
			name := sdk.ToString(b.Name)
			// Each bucket answers in its own region.
			inRegion := func(o *s3.Options) {
				if b.BucketRegion != nil {
					o.Region = *b.BucketRegion
				}
			}
			a := map[string]any{"region": sdk.ToString(b.BucketRegion), "encrypted": false, "encryption": nil,
				"public_access_blocked": false, "versioning": false}
			enc, err := client.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: b.Name}, inRegion)
			switch {
			case err == nil && enc.ServerSideEncryptionConfiguration != nil:
				for _, r := range enc.ServerSideEncryptionConfiguration.Rules {
					if d := r.ApplyServerSideEncryptionByDefault; d != nil {
						a["encrypted"], a["encryption"] = true, string(d.SSEAlgorithm)
					}
				}
			case err != nil && !notFound(err, "ServerSideEncryptionConfigurationNotFoundError"):
				return c.fail(ctx, "s3 GetBucketEncryption "+name, err)
			}
			pab, err := client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: b.Name}, inRegion)
			switch {
			case err == nil && pab.PublicAccessBlockConfiguration != nil:
				p := pab.PublicAccessBlockConfiguration
				a["public_access_blocked"] = sdk.ToBool(p.BlockPublicAcls) && sdk.ToBool(p.IgnorePublicAcls) &&
					sdk.ToBool(p.BlockPublicPolicy) && sdk.ToBool(p.RestrictPublicBuckets)
			case err != nil && !notFound(err, "NoSuchPublicAccessBlockConfiguration"):
				return c.fail(ctx, "s3 GetPublicAccessBlock "+name, err)
			}
			ver, err := client.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b.Name}, inRegion)
			if err != nil {
				return c.fail(ctx, "s3 GetBucketVersioning "+name, err)
			}
			a["versioning"] = ver.Status == "Enabled"
			a["mfa_delete"] = ver.MFADelete == "Enabled"
			if err := emit(collect.Resource{Type: "aws.s3_bucket", ID: "arn:aws:s3:::" + name, Name: name, Attributes: a, CollectedAt: now}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *collector) databases(ctx context.Context, region string, emit func(collect.Resource) error) error {
	pages := rds.NewDescribeDBInstancesPaginator(rds.NewFromConfig(c.in(region), func(o *rds.Options) { o.APIOptions = append(o.APIOptions, xmlBody) }), &rds.DescribeDBInstancesInput{})
	now := c.now()
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return c.fail(ctx, "rds DescribeDBInstances "+region, err)
		}
		for _, d := range page.DBInstances {
			err := emit(collect.Resource{Type: "aws.rds_instance", ID: sdk.ToString(d.DBInstanceArn), Name: sdk.ToString(d.DBInstanceIdentifier), CollectedAt: now, Attributes: map[string]any{
				"region": region, "engine": sdk.ToString(d.Engine), "engine_version": sdk.ToString(d.EngineVersion),
				"storage_encrypted": sdk.ToBool(d.StorageEncrypted), "publicly_accessible": sdk.ToBool(d.PubliclyAccessible),
				"backup_retention_days": float64(sdk.ToInt32(d.BackupRetentionPeriod)), "multi_az": sdk.ToBool(d.MultiAZ),
				"deletion_protection": sdk.ToBool(d.DeletionProtection), "auto_minor_version_upgrade": sdk.ToBool(d.AutoMinorVersionUpgrade),
			}})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *collector) ebsDefault(ctx context.Context, region string, emit func(collect.Resource) error) error {
	out, err := ec2.NewFromConfig(c.in(region), func(o *ec2.Options) { o.APIOptions = append(o.APIOptions, xmlBody) }).GetEbsEncryptionByDefault(ctx, &ec2.GetEbsEncryptionByDefaultInput{})
	if err != nil {
		return c.fail(ctx, "ec2 GetEbsEncryptionByDefault "+region, err)
	}
	return emit(collect.Resource{Type: "aws.ebs_default", ID: c.accountID + "/" + region, Name: region, CollectedAt: c.now(),
		Attributes: map[string]any{"region": region, "encryption_by_default": sdk.ToBool(out.EbsEncryptionByDefault)}})
}

func (c *collector) guardDuty(ctx context.Context, region string, emit func(collect.Resource) error) error {
	client := guardduty.NewFromConfig(c.in(region), func(o *guardduty.Options) { o.APIOptions = append(o.APIOptions, jsonBody) })
	list, err := client.ListDetectors(ctx, &guardduty.ListDetectorsInput{})
	if err != nil {
		return c.fail(ctx, "guardduty ListDetectors "+region, err)
	}
	a := map[string]any{"region": region, "enabled": false, "detector_id": nil, "finding_publishing_frequency": nil}
	for _, id := range list.DetectorIds {
		d, err := client.GetDetector(ctx, &guardduty.GetDetectorInput{DetectorId: sdk.String(id)})
		if err != nil {
			return c.fail(ctx, "guardduty GetDetector "+region, err)
		}
		if d.Status == "ENABLED" {
			a["enabled"], a["detector_id"], a["finding_publishing_frequency"] = true, id, string(d.FindingPublishingFrequency)
		}
	}
	return emit(collect.Resource{Type: "aws.guardduty", ID: c.accountID + "/" + region, Name: region, Attributes: a, CollectedAt: c.now()})
}
