import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse } from 'yaml';
import {
  type CloudFormationTemplate,
  checkTemplate,
  formatViolations,
} from '../template-policy/check-template';

// The delivery pipeline's own stack (pipeline/pipeline.yml) meets the same policy as the services'
// stacks; cfn-lint checks it in npm run lint:templates.
const ROOT = join(import.meta.dirname, '..', '..');

async function pipelineTemplate(): Promise<CloudFormationTemplate> {
  return parse(await readFile(join(ROOT, 'pipeline', 'pipeline.yml'), 'utf8')) as CloudFormationTemplate;
}

type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
function statementsOf(template: CloudFormationTemplate, roleId: string): Statement[] {
  const role = template.Resources?.[roleId];
  const policies = (role?.Properties?.Policies ?? []) as { PolicyDocument: { Statement: Statement[] } }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}
const actionsOf = (statements: Statement[]) => statements.flatMap((statement) => [statement.Action].flat());

describe('delivery pipeline template', () => {
  it('meets every template policy; the CloudFormation execution role is the one, explained, exception', async () => {
    const reason =
      'CloudFormation creates every resource type of the five stacks with it; only CloudFormation can assume it.';
    const violations = checkTemplate(await pipelineTemplate(), {
      exemptions: [
        { rule: 'no-wildcard-action', resource: 'CloudFormationExecutionRole', reason },
        { rule: 'wildcard-resource', resource: 'CloudFormationExecutionRole', reason },
      ],
    });

    expect(violations, formatViolations(violations)).to.deep.equal([]);
  });

  it('runs source, build and test, staging with its smoke test, a manual approval, then prod', async () => {
    const template = await pipelineTemplate();
    const stages = template.Resources?.Pipeline?.Properties?.Stages as {
      Name: string;
      Actions: { ActionTypeId: { Provider: string }; Configuration: Record<string, unknown> }[];
    }[];

    expect(
      stages.map(({ Name, Actions }) => [Name, Actions.map((action) => action.ActionTypeId.Provider)]),
    ).to.deep.equal([
      ['Source', ['CodeStarSourceConnection']],
      ['BuildAndTest', ['CodeBuild']],
      ['Staging', ['CodeBuild']],
      ['Approval', ['Manual']],
      ['Production', ['CodeBuild']],
    ]);
    const stageOf = (name: string) =>
      JSON.parse(
        String(stages.find((stage) => stage.Name === name)?.Actions[0]?.Configuration.EnvironmentVariables),
      );
    expect(stageOf('Staging')).to.deep.equal([{ name: 'STAGE', value: 'staging', type: 'PLAINTEXT' }]);
    expect(stageOf('Production')).to.deep.equal([{ name: 'STAGE', value: 'prod', type: 'PLAINTEXT' }]);
  });

  it("gives the deploy project CloudFormation on the project's stacks and the execution role to pass, nothing more", async () => {
    const template = await pipelineTemplate();
    const statements = statementsOf(template, 'DeployRole');

    expect(
      actionsOf(statements).filter((action) => !/^(cloudformation|s3|logs|kms|iam|cloudfront):/.test(action)),
    ).to.deep.equal([]);
    expect(actionsOf(statements).some((action) => action.endsWith(':*'))).to.equal(false);
    const passRole = statements.filter((statement) => actionsOf([statement]).includes('iam:PassRole'));
    expect(passRole).to.deep.equal([
      {
        Sid: 'HandOnlyTheExecutionRoleToCloudFormation',
        Effect: 'Allow',
        Action: 'iam:PassRole',
        Resource: { 'Fn::GetAtt': ['CloudFormationExecutionRole', 'Arn'] },
        Condition: { StringEquals: { 'iam:PassedToService': 'cloudformation.amazonaws.com' } },
      },
    ]);
    const stackStatement = statements.find((statement) => statement.Sid === 'TheProjectsStacks');
    expect(JSON.stringify(stackStatement?.Resource)).to.include(':stack/serverless-patterns-*');
  });

  it('lets the CloudFormation execution role create roles only under the project’s names', async () => {
    const statements = statementsOf(await pipelineTemplate(), 'CloudFormationExecutionRole');
    const iam = statements.filter((statement) =>
      actionsOf([statement]).some((action) => action.startsWith('iam:')),
    );

    // Fn::Sub of arn:<partition>:iam::<account>:role/<name>: only the names matter here.
    const roleNames = iam.map(
      (statement) => String((statement.Resource as { 'Fn::Sub': string })['Fn::Sub']).split(':role/')[1],
    );
    expect(roleNames).to.deep.equal(['serverless-patterns-*', 'aws-service-role/*']);
  });

  it('builds with the commands CI runs and deploys with the README’s deploy command', async () => {
    const build = await readFile(join(ROOT, 'pipeline', 'buildspec-build.yml'), 'utf8');
    const deploy = await readFile(join(ROOT, 'pipeline', 'buildspec-deploy.yml'), 'utf8');

    expect(parse(build).phases.build.commands).to.deep.equal([
      '.ci/run',
      'npm run package -- --stage staging',
    ]);
    expect(parse(deploy).phases.build.commands).to.include.members([
      'npm run deploy -- --stage "$STAGE"',
      'npm run smoke -- --stage "$STAGE"',
    ]);
  });
});
