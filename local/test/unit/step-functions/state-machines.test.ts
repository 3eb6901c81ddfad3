import { expect } from 'chai';
import { stateMachinesFrom } from '../../../src/emulators/step-functions/state-machines';
import { assignPhysicalNames } from '../../../src/templates/physical-names';
import { type CloudFormationTemplate, createStack } from '../../../src/templates/stack';

const WORKER_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:local-fixture-local-stepWorker';

/** A stack as serverless-step-functions 3.31.2 packages it: the definition is an Fn::Sub of function ARNs. */
function packagedStack(resources: CloudFormationTemplate['Resources']) {
  const stack = createStack(
    'fixture',
    'local-fixture-local',
    {
      Resources: {
        StepWorkerLambdaFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: { FunctionName: 'local-fixture-local-stepWorker' },
        },
        MachineRole: { Type: 'AWS::IAM::Role' },
        ...resources,
      },
    },
    { region: 'us-east-1', exports: new Map() },
  );
  assignPhysicalNames(stack);
  return stack;
}

const definitionWith = (states: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...extra, StartAt: Object.keys(states)[0], States: states }, null, 2);

describe('step functions: state machines from the packaged templates', () => {
  it('names the state machine, gives its Ref the ARN and resolves the function ARNs in its definition', () => {
    const stack = packagedStack({
      InvokeShapesMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'local-fixture-local-invoke-shapes',
          RoleArn: { 'Fn::GetAtt': ['MachineRole', 'Arn'] },
          DefinitionString: {
            'Fn::Sub': [
              // biome-ignore lint/suspicious/noTemplateCurlyInString: an Fn::Sub placeholder, not JavaScript's
              definitionWith({ Plain: { Type: 'Task', Resource: '${fn}', End: true } }),
              { fn: { 'Fn::GetAtt': ['StepWorkerLambdaFunction', 'Arn'] } },
            ],
          },
        },
      },
      // No StateMachineName: CloudFormation generates one; Fn::Join as older templates write it.
      JoinedMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          RoleArn: { 'Fn::GetAtt': ['MachineRole', 'Arn'] },
          StateMachineType: 'EXPRESS',
          DefinitionString: {
            'Fn::Join': [
              '',
              [
                '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
                { 'Fn::GetAtt': ['StepWorkerLambdaFunction', 'Arn'] },
                '","End":true}}}',
              ],
            ],
          },
        },
      },
    });

    const { stateMachines, warnings } = stateMachinesFrom([stack]);

    expect(warnings).to.deep.equal([]);
    expect(stack.context.refs.get('InvokeShapesMachine')).to.equal(
      'arn:aws:states:us-east-1:000000000000:stateMachine:local-fixture-local-invoke-shapes',
    );
    expect(stateMachines.map(({ name, arn, type, roleArn }) => ({ name, arn, type, roleArn }))).to.deep.equal(
      [
        {
          name: 'local-fixture-local-invoke-shapes',
          arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:local-fixture-local-invoke-shapes',
          type: 'STANDARD',
          roleArn: 'arn:aws:iam::000000000000:role/local-fixture-local-MachineRole',
        },
        {
          name: 'local-fixture-local-JoinedMachine',
          arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:local-fixture-local-JoinedMachine',
          type: 'EXPRESS',
          roleArn: 'arn:aws:iam::000000000000:role/local-fixture-local-MachineRole',
        },
      ],
    );
    expect(stateMachines[0]?.definition.States.Plain?.Resource).to.equal(WORKER_ARN);
    expect(stateMachines[1]?.definition.States.A?.Resource).to.equal(WORKER_ARN);
  });

  it('refuses JSONata and invalid definitions, and warns of Tasks that are not Lambda, naming the state machine', () => {
    const stack = packagedStack({
      JsonataMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'jsonata',
          DefinitionString: definitionWith(
            { A: { Type: 'Pass', Output: '{% 1 %}', End: true } },
            { QueryLanguage: 'JSONata' },
          ),
        },
      },
      BrokenMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'broken',
          DefinitionString: definitionWith({ A: { Type: 'Pass', Next: 'Nowhere' } }),
        },
      },
      TableMachine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'table',
          DefinitionString: definitionWith({
            Put: {
              Type: 'Task',
              Resource: 'arn:aws:states:::dynamodb:putItem',
              Parameters: { TableName: 't' },
              End: true,
            },
          }),
        },
      },
    });

    const { stateMachines, warnings } = stateMachinesFrom([stack]);

    expect(stateMachines.map((machine) => [machine.name, machine.refusal !== undefined])).to.deep.equal([
      ['jsonata', true],
      ['broken', true],
      ['table', false],
    ]);
    expect(warnings[0]).to.match(
      /^fixture: state machine jsonata is not run locally: .*JSONata \(top level\)/,
    );
    expect(warnings[1]).to.match(/^fixture: state machine broken has an invalid definition/);
    expect(warnings[2]).to.match(
      /^fixture: state machine table has Task states .*Put \(arn:aws:states:::dynamodb:putItem\)/,
    );
  });
});
