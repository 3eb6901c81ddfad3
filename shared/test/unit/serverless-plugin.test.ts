import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';

type Template = Record<string, Record<string, unknown> | undefined>;
const plugin = createRequire(import.meta.url)('../../serverless-plugin/index.cjs') as {
  foldConstantConditions(template: Template): void;
  referencedLogicalIds(value: unknown): Set<string>;
  removeZipStaging(folder: string, processId: number): void;
};

/** What `${param:customDomainName, ''}` and friends leave in a packaged template. */
function packaged(domainName: string): Template {
  return {
    Conditions: {
      HasCustomDomain: { 'Fn::Not': [{ 'Fn::Equals': [domainName, ''] }] },
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      ProdWithDomain: { 'Fn::And': [{ Condition: 'HasCustomDomain' }, { Condition: 'IsProd' }] },
    },
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
      Domain: {
        Type: 'AWS::ApiGateway::DomainName',
        Condition: 'HasCustomDomain',
        Properties: { DomainName: domainName },
      },
      Distribution: {
        Type: 'AWS::CloudFront::Distribution',
        DependsOn: ['Domain', 'Api'],
        Properties: {
          Aliases: { 'Fn::If': ['HasCustomDomain', [domainName], { Ref: 'AWS::NoValue' }] },
          Origins: [{ Id: 'api', Extra: { 'Fn::If': ['HasCustomDomain', 'x', { Ref: 'AWS::NoValue' }] } }],
        },
      },
      Alarm: { Type: 'AWS::CloudWatch::Alarm', Condition: 'IsProd', Properties: {} },
    },
    Outputs: { DomainName: { Condition: 'HasCustomDomain', Value: { Ref: 'Domain' } } },
  };
}

describe('serverless plugin: template clean-up at package time', () => {
  it('drops what a false constant condition guards, and the condition', () => {
    const template = packaged('');

    plugin.foldConstantConditions(template);

    expect(template.Resources).to.not.have.property('Domain');
    expect(template.Outputs).to.deep.equal({});
    expect(template.Resources?.Distribution).to.deep.equal({
      Type: 'AWS::CloudFront::Distribution',
      DependsOn: ['Api'],
      Properties: { Origins: [{ Id: 'api' }] },
    });
    expect(Object.keys(template.Conditions ?? {})).to.deep.equal([
      'HasCustomDomain',
      'IsProd',
      'ProdWithDomain',
    ]);
  });

  it('keeps what a true constant condition guards, without the condition', () => {
    const template = packaged('api.example.com');

    plugin.foldConstantConditions(template);

    expect(template.Resources?.Domain).to.deep.equal({
      Type: 'AWS::ApiGateway::DomainName',
      Properties: { DomainName: 'api.example.com' },
    });
    expect(template.Outputs?.DomainName).to.deep.equal({ Value: { Ref: 'Domain' } });
    const distribution = template.Resources?.Distribution as { Properties: unknown } | undefined;
    expect(distribution?.Properties).to.deep.equal({
      Aliases: ['api.example.com'],
      Origins: [{ Id: 'api', Extra: 'x' }],
    });
  });

  it('leaves conditions that depend on a parameter, and those they still name', () => {
    const template = packaged('');

    plugin.foldConstantConditions(template);

    expect(template.Resources?.Alarm).to.have.property('Condition', 'IsProd');
    expect(template.Conditions).to.have.property('IsProd');
    // ProdWithDomain is false whatever the stage, but only CloudFormation may evaluate a Ref.
    expect(template.Conditions).to.have.property('HasCustomDomain');
  });

  it('finds the logical ids a value refers to through Ref, Fn::GetAtt and Fn::Sub', () => {
    const ids = plugin.referencedLogicalIds({
      Role: { 'Fn::GetAtt': ['FunctionRole', 'Arn'] },
      Table: { Ref: 'Table' },
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not JavaScript's
      Path: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/x/${Queue.Arn}' },
      Dotted: [{ 'Fn::GetAtt': 'Stream.Arn' }],
    });

    expect([...ids].sort()).to.deep.equal(['Bucket', 'FunctionRole', 'Queue', 'Stream', 'Table']);
  });
});

describe('serverless plugin: the deployment role from the environment', () => {
  const Plugin = createRequire(import.meta.url)('../../serverless-plugin/index.cjs') as new (
    serverless: unknown,
  ) => { hooks: Record<string, () => unknown> };
  const withRole = (role: string | undefined, deploy: (provider: Record<string, unknown>) => void) => {
    const saved = process.env.CLOUDFORMATION_EXECUTION_ROLE_ARN;
    if (role === undefined) delete process.env.CLOUDFORMATION_EXECUTION_ROLE_ARN;
    else process.env.CLOUDFORMATION_EXECUTION_ROLE_ARN = role;
    try {
      const provider: Record<string, unknown> = { iam: { role: { statements: [] } } };
      deploy(provider);
      return provider;
    } finally {
      if (saved === undefined) delete process.env.CLOUDFORMATION_EXECUTION_ROLE_ARN;
      else process.env.CLOUDFORMATION_EXECUTION_ROLE_ARN = saved;
    }
  };
  const run = (hook: string) => (provider: Record<string, unknown>) =>
    new Plugin({ service: { provider } }).hooks[hook]?.();

  it('hands CloudFormation the pipeline role on deploy and remove, keeping the functions’ role settings', () => {
    const role = 'arn:aws:iam::123456789012:role/serverless-patterns-pipeline-CloudFormationExecutionRole';
    for (const hook of ['before:deploy:deploy', 'before:remove:remove']) {
      expect(withRole(role, run(hook))).to.deep.equal({
        iam: { role: { statements: [] }, deploymentRole: role },
      });
    }
  });

  it('changes nothing for a person deploying by hand', () => {
    expect(withRole(undefined, run('before:deploy:deploy'))).to.deep.equal({
      iam: { role: { statements: [] } },
    });
  });
});

describe('serverless plugin: provisioned concurrency on the Live aliases', () => {
  const Plugin = createRequire(import.meta.url)('../../serverless-plugin/index.cjs') as new (
    serverless: unknown,
  ) => { provisionLiveAliases(): void };
  const withAliases = (liveProvisionedConcurrency: unknown) => {
    const Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> = {
      GetDeviceAliasLive: { Type: 'AWS::Lambda::Alias', Properties: { Name: 'Live' } },
      GetDeviceAliasOther: { Type: 'AWS::Lambda::Alias', Properties: { Name: 'provisioned' } },
    };
    new Plugin({
      service: {
        custom: { liveProvisionedConcurrency },
        provider: { compiledCloudFormationTemplate: { Resources } },
      },
    }).provisionLiveAliases();
    return Resources;
  };

  it('sets the count on every Live alias, from the stage parameter as osls resolves it', () => {
    const resources = withAliases('2');

    expect(resources.GetDeviceAliasLive?.Properties.ProvisionedConcurrencyConfig).to.deep.equal({
      ProvisionedConcurrentExecutions: 2,
    });
    expect(resources.GetDeviceAliasOther?.Properties).to.not.have.property('ProvisionedConcurrencyConfig');
  });

  it('leaves the aliases alone at 0, and refuses what is not a whole number', () => {
    expect(withAliases(0).GetDeviceAliasLive?.Properties).to.deep.equal({ Name: 'Live' });
    expect(() => withAliases('two')).to.throw(/liveProvisionedConcurrency must be a whole number/);
    expect(() => withAliases(-1)).to.throw(/whole number/);
  });
});

describe("serverless plugin: serverless-esbuild's zip staging removed", () => {
  let folder: string;
  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'zip-staging-'));
  });
  afterEach(() => rm(folder, { recursive: true, force: true }));

  it("removes the directories this process staged, and nothing of another process's", async () => {
    const staged = (name: string) => mkdir(join(folder, name, 'src', 'handlers'), { recursive: true });
    await staged('getDevice-4242-1796595419503-ba699058');
    await staged('listDevices-4242-1796595419511-0c1d2e3f');
    await staged('getDevice-4243-1796595419503-ba699058');
    await staged('getDevice-4242-notes');
    await writeFile(join(folder, 'report-4242-1796595419503-ba699058'), 'a file, not a staging directory');

    plugin.removeZipStaging(folder, 4242);

    expect((await readdir(folder)).sort()).to.deep.equal([
      'getDevice-4242-notes',
      'getDevice-4243-1796595419503-ba699058',
      'report-4242-1796595419503-ba699058',
    ]);
  });
});
