import { expect } from 'chai';
import type { CloudFormationResource } from './check-template';
import { packagedResources } from './package-service';

/**
 * The data lake's own security, as the catalog's packaged template declares it: the lake bucket's
 * KMS encryption (AWS managed key by default, the stack's own key with lakeCustomerKey=true), a
 * CloudTrail trail of the lake's S3 data events in a bucket of its own, AWS Config's rules against
 * public buckets with their alert, and Athena's bytes-scanned cutoff. check-template.ts checks what
 * every service must do; this suite what only the lake does.
 */
const packageCatalog = (params: Record<string, string> = {}) => packagedResources('catalog', params);

const ofType = (resources: Record<string, CloudFormationResource>, type: string) =>
  Object.entries(resources).filter(([, resource]) => resource.Type === type);
/** The value at a path in a resource's properties (a key of an object, an index of a list), or undefined. */
function at(
  resources: Record<string, CloudFormationResource>,
  id: string,
  ...path: (string | number)[]
): unknown {
  let value: unknown = resources[id]?.Properties;
  for (const step of path) value = (value as Record<string | number, unknown> | undefined)?.[step];
  return value;
}
const statementsOf = (resources: Record<string, CloudFormationResource>, id: string, ...path: string[]) =>
  (at(resources, id, ...path) ?? []) as {
    Sid?: string;
    Principal?: { Service?: string };
    Condition?: unknown;
  }[];

// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const LAKE_OBJECTS = 'arn:${AWS::Partition}:s3:::sp-${AWS::AccountId}-${AWS::Region}-policy-lake/';

describe('the data lake’s security, in the catalog’s packaged template', function () {
  // Two packagings of one service on a busy two-core machine.
  this.timeout(300_000);
  let resources: Record<string, CloudFormationResource>;
  let withCustomerKey: Record<string, CloudFormationResource>;

  before(async () => {
    resources = await packageCatalog();
    withCustomerKey = await packageCatalog({ lakeCustomerKey: 'true' });
  });

  it('encrypts the lake with SSE-KMS and S3 Bucket Keys, under the AWS managed key by default', () => {
    const rule = at(resources, 'LakeBucket', 'BucketEncryption', 'ServerSideEncryptionConfiguration', 0);

    expect(rule).to.deep.equal({
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' },
      BucketKeyEnabled: true,
    });
    expect(ofType(resources, 'AWS::KMS::Key').map(([id]) => id)).not.to.include('LakeKey');
  });

  it('encrypts the lake with its own rotated key when the stage asks for one, and grants it by alias', () => {
    const rule = at(
      withCustomerKey,
      'LakeBucket',
      'BucketEncryption',
      'ServerSideEncryptionConfiguration',
      0,
    );

    expect(rule).to.have.deep.property('ServerSideEncryptionByDefault', {
      SSEAlgorithm: 'aws:kms',
      KMSMasterKeyID: { 'Fn::GetAtt': ['LakeKey', 'Arn'] },
    });
    expect(at(withCustomerKey, 'LakeKey', 'EnableKeyRotation')).to.equal(true);
    expect(at(withCustomerKey, 'LakeKeyAlias', 'AliasName')).to.equal(
      'alias/serverless-patterns-catalog-policy-lake',
    );
    const grants = JSON.stringify(at(withCustomerKey, 'RunQueryIamRoleLambdaExecution', 'Policies'));
    expect(grants)
      .to.contain('kms:ResourceAliases')
      .and.contain('alias/serverless-patterns-catalog-policy-lake');
  });

  it('records every read and write of the lake’s objects in a trail of its own, validated, in its own bucket', () => {
    const [[trail] = []] = ofType(resources, 'AWS::CloudTrail::Trail');

    expect(at(resources, trail as string)).to.deep.include({
      IsLogging: true,
      EnableLogFileValidation: true,
      S3BucketName: { Ref: 'LakeAuditTrailBucket' },
    });
    expect(at(resources, trail as string, 'EventSelectors')).to.deep.equal([
      {
        ReadWriteType: 'All',
        IncludeManagementEvents: false,
        DataResources: [{ Type: 'AWS::S3::Object', Values: [{ 'Fn::Sub': LAKE_OBJECTS }] }],
      },
    ]);
    const statements = statementsOf(resources, 'LakeAuditTrailBucketPolicy', 'PolicyDocument', 'Statement');
    const write = statements.find((statement) => statement.Sid === 'CloudTrailWrite');
    expect(write?.Principal).to.deep.equal({ Service: 'cloudtrail.amazonaws.com' });
    expect(write?.Condition).to.have.nested.property('StringEquals.aws:SourceArn');
  });

  it('declares AWS Config’s managed rules against publicly readable and writable buckets', () => {
    const sources = ofType(resources, 'AWS::Config::ConfigRule').map(([id]) => at(resources, id, 'Source'));

    expect(sources).to.deep.equal([
      { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_PUBLIC_READ_PROHIBITED' },
      { Owner: 'AWS', SourceIdentifier: 'S3_BUCKET_PUBLIC_WRITE_PROHIBITED' },
    ]);
  });

  it('alerts on the operations alert topic when a bucket turns non-compliant', () => {
    expect(at(resources, 'PublicBucketFoundRule', 'EventPattern')).to.deep.include({
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
    });
    expect(
      at(resources, 'PublicBucketFoundRule', 'EventPattern', 'detail', 'newEvaluationResult'),
    ).to.deep.equal({
      complianceType: ['NON_COMPLIANT'],
    });
    expect(at(resources, 'PublicBucketFoundRule', 'Targets')).to.deep.equal([
      {
        Id: 'operations-alerts',
        Arn: { 'Fn::ImportValue': 'serverless-patterns-foundation-policy-OperationsAlertTopicArn' },
      },
    ]);
  });

  it('caps the bytes every Athena query of the lake’s workgroup may scan, whatever the client asks', () => {
    expect(at(resources, 'AthenaWorkGroup', 'WorkGroupConfiguration')).to.deep.include({
      EnforceWorkGroupConfiguration: true,
      BytesScannedCutoffPerQuery: 10737418240,
    });
  });
});
