import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import {
  buildPortal,
  cacheControlOf,
  contentTypeOf,
  deployPortal,
  PortalDeployError,
  type PortalSettings,
  portalConfigFrom,
  publishPortal,
  type SdkClient,
  staleKeys,
  uploadOrder,
} from '../../../../shared/serverless-plugin/portal.cjs';
import { packageService, resolved, SERVICE_DIR } from './packaged-template';

// The portal's hosting: the packaged template's bucket, origin access control and distribution, and
// the upload step that `sls deploy` runs after the stack (shared/serverless-plugin/portal.cjs), against
// AWS clients that record what they are sent.

// CloudFormation's own ${...} placeholders, as they appear in the template.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const BUCKET_OBJECTS_SUB = '${PortalBucket.Arn}/*';
const DISTRIBUTION_ARN_SUB =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
  'arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${PortalDistribution}';
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const PORTAL_URL_SUB = 'https://${PortalDistribution.DomainName}';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SETTINGS: PortalSettings = { source: 'web', configFile: 'config.json' };
const STACK_OUTPUTS = {
  PortalBucketName: 'portal-bucket-1a2b3c',
  PortalDistributionId: 'E2EXAMPLE',
  PortalUrl: 'https://d111111abcdef8.cloudfront.net',
  UserPoolId: 'eu-west-1_AbCdEfGhI',
  UserPoolClientId: '4example5client6id',
  ServiceEndpoint: 'https://a1b2c3.execute-api.eu-west-1.amazonaws.com/dev',
};

interface Template {
  Conditions: Record<string, unknown>;
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs: Record<string, { Value: unknown }>;
}

interface SentCommand {
  name: string;
  input: Record<string, unknown>;
}

/**
 * CloudFormation and S3 clients that record every command in one list and answer DescribeStacks with
 * `outputs`, ListObjectsV2 with one page of `existingPages` per call, and DeleteObjects with `deleteErrors`.
 */
function createFakeAws(
  options: {
    outputs?: Record<string, string>;
    existingPages?: string[][];
    deleteErrors?: { Key: string; Code: string }[];
  } = {},
) {
  const { outputs = STACK_OUTPUTS, existingPages = [[]], deleteErrors } = options;
  const sent: SentCommand[] = [];
  let page = 0;
  const answer = (name: string): unknown => {
    switch (name) {
      case 'DescribeStacksCommand':
        return {
          Stacks: [
            {
              Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
                OutputKey,
                OutputValue,
              })),
            },
          ],
        };
      case 'ListObjectsV2Command': {
        const keys = existingPages[page] ?? [];
        page += 1;
        const more = page < existingPages.length;
        return {
          Contents: keys.map((Key) => ({ Key })),
          IsTruncated: more,
          ...(more ? { NextContinuationToken: `page-${page}` } : {}),
        };
      }
      case 'DeleteObjectsCommand':
        return deleteErrors === undefined ? {} : { Errors: deleteErrors };
      default:
        return {};
    }
  };
  const client: SdkClient = {
    send: async (command) => {
      const name = command.constructor.name;
      sent.push({ name, input: command.input as Record<string, unknown> });
      return answer(name);
    },
  };
  return { cloudFormation: client, s3: client, sent };
}

/** A build folder as Vite leaves it: index.html, hashed assets, and a file copied from public/. */
async function createBuild(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'portal-build-'));
  for (const [key, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, key)), { recursive: true });
    await writeFile(join(dir, key), content);
  }
  return dir;
}

const BUILD = {
  'index.html': '<!doctype html><script type="module" src="/assets/index-B1c2D3.js"></script>',
  'assets/index-B1c2D3.js': 'console.log("portal")',
  'assets/index-E4f5G6.css': 'body{}',
  'favicon.svg': '<svg/>',
};

function puts(sent: readonly SentCommand[]) {
  return sent.filter((command) => command.name === 'PutObjectCommand').map((command) => command.input);
}

function bodyText(body: unknown): string {
  return Buffer.from(body as Uint8Array).toString('utf8');
}

describe('portal hosting', () => {
  describe('packaged template', function () {
    // One packaging, with the portal's custom domain: about half a minute.
    this.timeout(300_000);
    const parameters = {
      portalDomainName: 'portal.example.com',
      portalCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-portal',
      portalPriceClass: 'PriceClass_200',
    };
    let template: Template;
    const properties = (logicalId: string, type: string): Record<string, unknown> => {
      const resource = template.Resources[logicalId];
      expect(resource?.Type, logicalId).to.equal(type);
      return resource?.Properties ?? {};
    };
    const distributionConfig = () =>
      properties('PortalDistribution', 'AWS::CloudFront::Distribution').DistributionConfig as Record<
        string,
        unknown
      >;

    before(async () => {
      template = await packageService<Template>(parameters);
    });

    it('keeps the bucket private: encrypted, every public access blocked, owner-enforced, versioned', () => {
      expect(properties('PortalBucket', 'AWS::S3::Bucket')).to.deep.include({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('lets only this distribution read the bucket, and only over TLS', () => {
      const policy = properties('PortalBucketPolicy', 'AWS::S3::BucketPolicy');

      expect(policy.Bucket).to.deep.equal({ Ref: 'PortalBucket' });
      expect(policy.PolicyDocument).to.deep.include({
        Statement: [
          {
            Sid: 'AllowPortalDistributionRead',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: { 'Fn::Sub': BUCKET_OBJECTS_SUB },
            Condition: {
              StringEquals: {
                'AWS:SourceArn': { 'Fn::Sub': DISTRIBUTION_ARN_SUB },
              },
            },
          },
          {
            Sid: 'DenyInsecureTransport',
            Effect: 'Deny',
            Principal: '*',
            Action: 's3:*',
            Resource: [{ 'Fn::GetAtt': ['PortalBucket', 'Arn'] }, { 'Fn::Sub': BUCKET_OBJECTS_SUB }],
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      });
    });

    it('has CloudFront sign every request to the bucket with origin access control', () => {
      const accessControl = properties('PortalOriginAccessControl', 'AWS::CloudFront::OriginAccessControl');

      expect(accessControl.OriginAccessControlConfig).to.deep.include({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
        SigningProtocol: 'sigv4',
      });
      expect(distributionConfig().Origins).to.deep.equal([
        {
          Id: 'portal-bucket',
          DomainName: { 'Fn::GetAtt': ['PortalBucket', 'RegionalDomainName'] },
          OriginAccessControlId: { 'Fn::GetAtt': ['PortalOriginAccessControl', 'Id'] },
          S3OriginConfig: { OriginAccessIdentity: '' },
        },
      ]);
    });

    it('serves the single-page application over HTTPS, with index.html for every page address', () => {
      const config = distributionConfig();

      expect(config).to.deep.include({
        DefaultRootObject: 'index.html',
        HttpVersion: 'http2and3',
        PriceClass: 'PriceClass_200',
        CustomErrorResponses: [
          { ErrorCode: 403, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 10 },
          { ErrorCode: 404, ResponseCode: 200, ResponsePagePath: '/index.html', ErrorCachingMinTTL: 10 },
        ],
      });
      expect(config.DefaultCacheBehavior).to.deep.include({
        TargetOriginId: 'portal-bucket',
        ViewerProtocolPolicy: 'redirect-to-https',
        CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
      });
    });

    describe('security headers', () => {
      // What CloudFormation resolves for a stack in eu-west-1 of account 123456789012.
      const deployedIn = {
        'AWS::AccountId': '123456789012',
        'AWS::Region': 'eu-west-1',
        'AWS::URLSuffix': 'amazonaws.com',
        'AWS::StackName': 'serverless-patterns-api-policy',
        ApiGatewayRestApi: 'a1b2c3d4e5',
      };
      const policyConfig = () =>
        properties('PortalResponseHeadersPolicy', 'AWS::CloudFront::ResponseHeadersPolicy')
          .ResponseHeadersPolicyConfig as {
          Name: unknown;
          SecurityHeadersConfig: Record<string, Record<string, unknown>>;
        };
      const securityHeaders = () => policyConfig().SecurityHeadersConfig;

      it('are sent with every file of the portal', () => {
        expect(distributionConfig().DefaultCacheBehavior).to.deep.include({
          ResponseHeadersPolicyId: { Ref: 'PortalResponseHeadersPolicy' },
        });
      });

      it('let the page run only its own script and styles, and reach only its API, Cognito and the images bucket', () => {
        const policy = securityHeaders().ContentSecurityPolicy;

        expect(policy?.Override).to.equal(true);
        expect(resolved(policy?.ContentSecurityPolicy, deployedIn).split('; ')).to.deep.equal([
          "default-src 'none'",
          "script-src 'self'",
          "style-src 'self'",
          "font-src 'self'",
          "img-src 'self' data: blob: https://sp-123456789012-eu-west-1-policy-images.s3.eu-west-1.amazonaws.com",
          "connect-src 'self' https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com " +
            'https://cognito-idp.eu-west-1.amazonaws.com ' +
            'https://cognito-identity.eu-west-1.amazonaws.com ' +
            'https://sp-123456789012-eu-west-1-policy-images.s3.eu-west-1.amazonaws.com',
          "form-action 'self'",
          "base-uri 'none'",
          "object-src 'none'",
          "frame-ancestors 'none'",
        ]);
      });

      it('keep browsers on HTTPS for two years, and forbid sniffing, framing and cross-site referrers', () => {
        expect(securityHeaders()).to.deep.include({
          StrictTransportSecurity: {
            Override: true,
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { Override: true, FrameOption: 'DENY' },
          ReferrerPolicy: { Override: true, ReferrerPolicy: 'strict-origin-when-cross-origin' },
        });
      });

      it('have a name of their own in the account, as CloudFront requires', () => {
        expect(resolved(policyConfig().Name, deployedIn)).to.equal(
          'serverless-patterns-api-policy-eu-west-1-portal',
        );
      });
    });

    it('answers on the custom domain the stage names, with its certificate', () => {
      const config = distributionConfig();

      // Stage parameters are known when the service is packaged, so the template holds the outcome.
      expect(template).to.not.have.property('Conditions');
      expect(config.Aliases).to.deep.equal(['portal.example.com']);
      expect(config.ViewerCertificate).to.deep.equal({
        AcmCertificateArn: parameters.portalCertificateArn,
        SslSupportMethod: 'sni-only',
        MinimumProtocolVersion: 'TLSv1.2_2021',
      });
    });

    it('outputs what the upload step and the portal need', () => {
      expect(template.Outputs).to.include.keys(
        'PortalBucketName',
        'PortalDistributionId',
        'PortalUrl',
        'UserPoolId',
        'UserPoolClientId',
        'ServiceEndpoint',
      );
      expect(template.Outputs.PortalUrl?.Value).to.deep.equal({ 'Fn::Sub': PORTAL_URL_SUB });
    });
  });

  describe('content type and caching', () => {
    it('caches hashed assets for a year and has index.html and config.json checked on every use', () => {
      expect(cacheControlOf('assets/index-B1c2D3.js')).to.equal(IMMUTABLE);
      expect(cacheControlOf('index.html')).to.equal('no-cache');
      expect(cacheControlOf('config.json')).to.equal('no-cache');
      expect(cacheControlOf('favicon.svg')).to.equal('no-cache');
    });

    it('names the content type from the extension, whatever its case', () => {
      expect(contentTypeOf('index.html')).to.equal('text/html; charset=utf-8');
      expect(contentTypeOf('assets/index-B1c2D3.js')).to.equal('text/javascript; charset=utf-8');
      expect(contentTypeOf('assets/index-E4f5G6.CSS')).to.equal('text/css; charset=utf-8');
      expect(contentTypeOf('config.json')).to.equal('application/json');
      expect(contentTypeOf('assets/logo-9a8b.svg')).to.equal('image/svg+xml');
      expect(contentTypeOf('LICENSE')).to.equal('application/octet-stream');
    });

    it('uploads hashed assets first and index.html last', () => {
      expect(
        uploadOrder(['index.html', 'config.json', 'assets/b.js', 'favicon.svg', 'assets/a.css']),
      ).to.deep.equal(['assets/a.css', 'assets/b.js', 'config.json', 'favicon.svg', 'index.html']);
    });

    it('deletes only the keys the new build does not have', () => {
      expect(
        staleKeys(
          ['index.html', 'assets/old-1.js', 'config.json', 'assets/new-2.js'],
          ['index.html', 'assets/new-2.js', 'config.json'],
        ),
      ).to.deep.equal(['assets/old-1.js']);
    });
  });

  describe('config.json', () => {
    it("points the portal at the stack's user pool, Cognito's regional endpoint and the API's endpoint", () => {
      expect(portalConfigFrom(STACK_OUTPUTS, { region: 'eu-west-1' })).to.deep.equal({
        region: 'eu-west-1',
        userPoolId: 'eu-west-1_AbCdEfGhI',
        userPoolClientId: '4example5client6id',
        cognitoEndpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/',
        apiBaseUrl: 'https://a1b2c3.execute-api.eu-west-1.amazonaws.com/dev',
      });
    });

    it("uses the API's custom domain when it has one", () => {
      const config = portalConfigFrom(STACK_OUTPUTS, {
        region: 'eu-west-1',
        apiDomainName: 'api.example.com',
      });

      expect(config.apiBaseUrl).to.equal('https://api.example.com');
    });

    it('names the outputs it cannot do without', () => {
      const { UserPoolClientId: _client, ServiceEndpoint: _endpoint, ...outputs } = STACK_OUTPUTS;

      expect(() => portalConfigFrom(outputs, { region: 'eu-west-1' }))
        .to.throw(PortalDeployError)
        .with.property('message')
        .that.contains('UserPoolClientId, ServiceEndpoint');
    });
  });

  describe('upload after deploy', () => {
    let buildDir: string;

    beforeEach(async () => {
      buildDir = await createBuild(BUILD);
    });

    afterEach(async () => {
      await rm(buildDir, { recursive: true, force: true });
    });

    /** Publishes the build of `buildDir` after a deploy of the stack `api-dev` in eu-west-1. */
    function publish(
      aws: Pick<Parameters<typeof publishPortal>[0], 'cloudFormation' | 's3'>,
      options: Partial<Parameters<typeof publishPortal>[0]> = {},
    ) {
      return publishPortal({
        ...aws,
        stackName: 'api-dev',
        region: 'eu-west-1',
        buildDir,
        settings: SETTINGS,
        ...options,
      });
    }

    it('reads the outputs, lists the bucket, uploads assets then config.json then index.html, deletes stale files', async () => {
      // Prepare
      const aws = createFakeAws({
        existingPages: [
          ['index.html', 'config.json', 'assets/index-Old111.js'],
          ['assets/index-E4f5G6.css', 'assets/index-Old222.css'],
        ],
      });

      // Act
      const published = await publish(aws);

      // Assess
      expect(
        aws.sent.map(({ name, input }) =>
          `${name} ${String(input.Key ?? input.ContinuationToken ?? '')}`.trim(),
        ),
      ).to.deep.equal([
        'DescribeStacksCommand',
        'ListObjectsV2Command',
        'ListObjectsV2Command page-1',
        'PutObjectCommand assets/index-B1c2D3.js',
        'PutObjectCommand assets/index-E4f5G6.css',
        'PutObjectCommand config.json',
        'PutObjectCommand favicon.svg',
        'PutObjectCommand index.html',
        'DeleteObjectsCommand',
      ]);
      expect(aws.sent[0]?.input).to.deep.equal({ StackName: 'api-dev' });
      expect(aws.sent.at(-1)?.input).to.deep.equal({
        Bucket: 'portal-bucket-1a2b3c',
        Delete: {
          Objects: [{ Key: 'assets/index-Old111.js' }, { Key: 'assets/index-Old222.css' }],
          Quiet: true,
        },
      });
      expect(published).to.deep.equal({
        bucket: 'portal-bucket-1a2b3c',
        uploaded: [
          'assets/index-B1c2D3.js',
          'assets/index-E4f5G6.css',
          'config.json',
          'favicon.svg',
          'index.html',
        ],
        deleted: ['assets/index-Old111.js', 'assets/index-Old222.css'],
        url: 'https://d111111abcdef8.cloudfront.net',
      });
    });

    it('uploads every file to the portal bucket with its content type and cache header', async () => {
      const aws = createFakeAws();

      await publish(aws);

      const headers = puts(aws.sent).map(({ Bucket, Key, ContentType, CacheControl }) => ({
        Bucket,
        Key,
        ContentType,
        CacheControl,
      }));
      expect(headers).to.deep.equal([
        {
          Bucket: 'portal-bucket-1a2b3c',
          Key: 'assets/index-B1c2D3.js',
          ContentType: 'text/javascript; charset=utf-8',
          CacheControl: IMMUTABLE,
        },
        {
          Bucket: 'portal-bucket-1a2b3c',
          Key: 'assets/index-E4f5G6.css',
          ContentType: 'text/css; charset=utf-8',
          CacheControl: IMMUTABLE,
        },
        {
          Bucket: 'portal-bucket-1a2b3c',
          Key: 'config.json',
          ContentType: 'application/json',
          CacheControl: 'no-cache',
        },
        {
          Bucket: 'portal-bucket-1a2b3c',
          Key: 'favicon.svg',
          ContentType: 'image/svg+xml',
          CacheControl: 'no-cache',
        },
        {
          Bucket: 'portal-bucket-1a2b3c',
          Key: 'index.html',
          ContentType: 'text/html; charset=utf-8',
          CacheControl: 'no-cache',
        },
      ]);
      expect(bodyText(puts(aws.sent).find(({ Key }) => Key === 'index.html')?.Body)).to.equal(
        BUILD['index.html'],
      );
    });

    it('uploads config.json made from the stack outputs', async () => {
      const aws = createFakeAws();

      await publish(aws, { settings: { ...SETTINGS, apiDomainName: 'api.example.com' } });

      const config = puts(aws.sent).find(({ Key }) => Key === 'config.json');
      expect(JSON.parse(bodyText(config?.Body))).to.deep.equal({
        region: 'eu-west-1',
        userPoolId: 'eu-west-1_AbCdEfGhI',
        userPoolClientId: '4example5client6id',
        cognitoEndpoint: 'https://cognito-idp.eu-west-1.amazonaws.com/',
        apiBaseUrl: 'https://api.example.com',
      });
    });

    it('deletes nothing when the bucket holds only files of this build', async () => {
      const aws = createFakeAws({ existingPages: [Object.keys(BUILD)] });

      const published = await publish(aws);

      expect(aws.sent.map(({ name }) => name)).to.not.include('DeleteObjectsCommand');
      expect(published.deleted).to.deep.equal([]);
    });

    it('deletes stale files 1,000 at a time, the most S3 takes in one request', async () => {
      const stale = Array.from(
        { length: 1001 },
        (_, index) => `assets/old-${String(index).padStart(4, '0')}.js`,
      );
      const aws = createFakeAws({ existingPages: [stale] });

      await publish(aws);

      const deletes = aws.sent
        .filter(({ name }) => name === 'DeleteObjectsCommand')
        .map(({ input }) => (input.Delete as { Objects: unknown[] }).Objects.length);
      expect(deletes).to.deep.equal([1000, 1]);
    });

    it('fails the deploy, naming the files, when S3 refuses to delete some', async () => {
      const aws = createFakeAws({
        existingPages: [['assets/old.js']],
        deleteErrors: [{ Key: 'assets/old.js', Code: 'AccessDenied' }],
      });

      const failure = await publish(aws).catch((error: unknown) => error);

      expect(failure).to.be.instanceOf(PortalDeployError);
      expect((failure as Error).message).to.contain('assets/old.js (AccessDenied)');
    });

    it('uploads nothing when the stack has no portal bucket', async () => {
      const { PortalBucketName: _bucket, ...outputs } = STACK_OUTPUTS;
      const aws = createFakeAws({ outputs });

      const failure = await publish(aws).catch((error: unknown) => error);

      expect(failure).to.be.instanceOf(PortalDeployError);
      expect((failure as Error).message).to.contain('PortalBucketName');
      expect(aws.sent.map(({ name }) => name)).to.deep.equal(['DescribeStacksCommand']);
    });

    it('publishes the real portal build: index.html, its hashed script and stylesheet', async function () {
      this.timeout(60_000);
      const outDir = await mkdtemp(join(tmpdir(), 'portal-vite-'));
      try {
        const aws = createFakeAws();

        await buildPortal(join(SERVICE_DIR, 'web'), outDir);
        await publish(aws, { buildDir: outDir });

        const uploaded = puts(aws.sent);
        const html = bodyText(uploaded.at(-1)?.Body);
        const assets = uploaded.filter(({ Key }) => String(Key).startsWith('assets/'));
        expect(uploaded.at(-1)?.Key).to.equal('index.html');
        expect(assets.map(({ ContentType }) => ContentType)).to.have.members([
          'text/javascript; charset=utf-8',
          'text/css; charset=utf-8',
        ]);
        for (const { Key } of assets) expect(html).to.contain(`/${String(Key)}`);
      } finally {
        await rm(outDir, { recursive: true, force: true });
      }
    });

    it('does nothing for a service without custom.portal', async () => {
      const serverless = {
        service: { custom: {} },
        getProvider: () => {
          throw new Error('no AWS call expected');
        },
      };

      await deployPortal(serverless);
    });
  });
});
