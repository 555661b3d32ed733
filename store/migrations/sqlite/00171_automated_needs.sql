-- +goose Up
-- The built-in library marks the evidence needs that checks can prove
-- (automated: true); organizations created earlier get the mark on the
-- needs they kept as the library wrote them.
UPDATE controls SET evidence = json_set(evidence, '$[1].automated', json('true')) WHERE id = 'ACC-01' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[1].what') = 'User list showing each account belongs to a named person';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'ACC-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Identity provider policy settings requiring MFA';
UPDATE controls SET evidence = json_set(evidence, '$[1].automated', json('true')) WHERE id = 'ACC-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[1].what') = 'Report of user MFA enrollment status';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'ACC-09' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Identity provider authentication policy configuration';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'ACC-11' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Cloud account settings showing MFA on root and no root access keys';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'NET-01' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Network configuration export showing separate environments and private subnets';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'NET-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Security group and firewall rule configuration';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'NET-05' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Configuration of the administrative access gateway and its authentication settings';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'NET-06' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Threat detection service enabled in all production accounts and regions';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'END-03' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Encryption status report for all managed laptops';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'END-05' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Monthly patch compliance report from device management';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'CRY-01' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Configuration report showing encryption enabled on each production data store';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'CRY-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'TLS configuration scan results for public endpoints';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'CRY-04' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Secret scanning settings on code repositories';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'OPS-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Log retention and immutability settings';
UPDATE controls SET evidence = json_set(evidence, '$[1].automated', json('true')) WHERE id = 'OPS-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[1].what') = 'Cloud audit trail configuration for all accounts and regions';
UPDATE controls SET evidence = json_set(evidence, '$[1].automated', json('true')) WHERE id = 'OPS-10' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[1].what') = 'Drift detection results';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'CHG-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Branch protection and required status check settings for production repositories';
UPDATE controls SET evidence = json_set(evidence, '$[1].automated', json('true')) WHERE id = 'CHG-02' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[1].what') = 'Sample of merged pull requests showing independent approval';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'CHG-08' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'CI configuration showing static analysis on pull requests';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'BCP-03' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Backup configuration and retention settings';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'BCP-06' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Configuration showing multi-zone deployment of production components';
UPDATE controls SET evidence = json_set(evidence, '$[0].automated', json('true')) WHERE id = 'CON-06' AND NOT custom AND json_valid(evidence) AND json_extract(evidence, '$[0].what') = 'Sharing settings in collaboration tools';

-- +goose Down
SELECT 1;
