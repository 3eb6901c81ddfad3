import { expect } from 'chai';
import { functionNameFromArn } from '../../../src/lambda/function-arn';
import { InvalidEventPatternError } from '../../../src/triggers/eventbridge/errors';
import { rulesFromTemplate } from '../../../src/triggers/eventbridge/rules';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:probe-local-hello';

/**
 * What osls 4 packages for `schedule` and `eventBridge` function events, with Fn::GetAtt resolved:
 * `schedule: rate(5 minutes)`, `schedule: { rate: [cron(0 3 * * ? *)], enabled: false, input: { a: 1 } }`,
 * `schedule: { rate: rate(1 hour), inputPath: $.detail, name: my-named-rule }`, an inputTransformer,
 * `eventBridge: { pattern: { source: [aws.ec2] } }` and one on a custom bus with retry policy and DLQ.
 */
const resources = {
  HelloLambdaFunction: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'probe-local-hello' } },
  HelloEventsRuleSchedule1: {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [{ Arn: FUNCTION_ARN, Id: 'helloSchedule' }],
    },
  },
  HelloEventsRuleSchedule2: {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      State: 'DISABLED',
      Targets: [{ Input: '{"a":1}', Arn: FUNCTION_ARN, Id: 'helloSchedule' }],
    },
  },
  HelloEventsRuleSchedule3: {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: 'rate(1 hour)',
      State: 'ENABLED',
      Name: 'my-named-rule',
      Targets: [{ InputPath: '$.detail', Arn: FUNCTION_ARN, Id: 'helloSchedule' }],
    },
  },
  HelloEventsRuleSchedule4: {
    Type: 'AWS::Events::Rule',
    Properties: {
      ScheduleExpression: 'rate(2 hours)',
      State: 'ENABLED',
      Targets: [
        {
          InputTransformer: { InputTemplate: '{"time": <t>}', InputPathsMap: { t: '$.time' } },
          Arn: FUNCTION_ARN,
          Id: 'helloSchedule',
        },
      ],
    },
  },
  Probelocalhellorule5EventBridgeRule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventPattern: { source: ['aws.ec2'] },
      Name: 'probe-local-hello-rule-5',
      State: 'ENABLED',
      Targets: [{ Arn: FUNCTION_ARN, Id: 'probe-local-hello-rule-5-target' }],
    },
  },
  Probelocalhellorule6EventBridgeRule: {
    Type: 'AWS::Events::Rule',
    Properties: {
      EventBusName: 'custom-bus',
      EventPattern: '{"source":["my.app"]}',
      Name: 'probe-local-hello-rule-6',
      State: 'ENABLED',
      Targets: [
        {
          Arn: `${FUNCTION_ARN}:live`,
          Id: 'probe-local-hello-rule-6-target',
          RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
          DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
          Input: '{"k":"v"}',
        },
      ],
    },
  },
};

describe('rulesFromTemplate', () => {
  const rules = rulesFromTemplate(resources, {
    region: 'eu-west-1',
    accountId: '123456789012',
    nameOf: (logicalId) => `probe-local-${logicalId}`,
  });
  const rule = (name: string) => {
    const found = rules.find((candidate) => candidate.name === name);
    if (found === undefined)
      throw new Error(`no rule ${name} in ${rules.map((candidate) => candidate.name).join(', ')}`);
    return found;
  };

  it('reads every AWS::Events::Rule and nothing else', () => {
    expect(rules).to.have.length(6);
  });

  it('reads a schedule with its state and a target naming the function', () => {
    expect(rule('probe-local-HelloEventsRuleSchedule1')).to.deep.equal({
      name: 'probe-local-HelloEventsRuleSchedule1',
      arn: 'arn:aws:events:eu-west-1:123456789012:rule/probe-local-HelloEventsRuleSchedule1',
      eventBusName: 'default',
      scheduleExpression: 'rate(5 minutes)',
      state: 'ENABLED',
      targets: [{ id: 'helloSchedule', arn: FUNCTION_ARN }],
    });
  });

  it('keeps a disabled schedule with its constant Input', () => {
    const disabled = rule('probe-local-HelloEventsRuleSchedule2');

    expect(disabled.state).to.equal('DISABLED');
    expect(disabled.targets[0]?.input).to.equal('{"a":1}');
  });

  it('uses the Name the template sets, and reads InputPath and InputTransformer', () => {
    expect(rule('my-named-rule').targets[0]?.inputPath).to.equal('$.detail');
    expect(rule('probe-local-HelloEventsRuleSchedule4').targets[0]?.inputTransformer).to.deep.equal({
      InputTemplate: '{"time": <t>}',
      InputPathsMap: { t: '$.time' },
    });
  });

  it('reads event patterns, given as objects or JSON text, with their bus', () => {
    expect(rule('probe-local-hello-rule-5').eventPattern).to.deep.equal({ source: ['aws.ec2'] });
    const custom = rule('probe-local-hello-rule-6');
    expect(custom.eventPattern).to.deep.equal({ source: ['my.app'] });
    expect(custom.eventBusName).to.equal('custom-bus');
    expect(custom.arn).to.equal(
      'arn:aws:events:eu-west-1:123456789012:rule/custom-bus/probe-local-hello-rule-6',
    );
  });

  it('reads the retry policy and dead-letter queue of a target', () => {
    expect(rule('probe-local-hello-rule-6').targets[0]).to.deep.equal({
      id: 'probe-local-hello-rule-6-target',
      arn: `${FUNCTION_ARN}:live`,
      input: '{"k":"v"}',
      deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
      maximumRetryAttempts: 3,
      maximumEventAgeInSeconds: 3600,
    });
  });

  it('names a rule after its logical id when neither Name nor nameOf gives one', () => {
    const [only] = rulesFromTemplate({ MyRule: resources.HelloEventsRuleSchedule1 });

    expect(only?.name).to.equal('MyRule');
    expect(only?.arn).to.equal('arn:aws:events:us-east-1:000000000000:rule/MyRule');
  });

  it('reads an EventBusName given as an ARN', () => {
    const [only] = rulesFromTemplate({
      BusRule: {
        Type: 'AWS::Events::Rule',
        Properties: {
          EventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/orders',
          EventPattern: { a: ['b'] },
        },
      },
    });

    expect(only?.eventBusName).to.equal('orders');
  });

  it('refuses an EventPattern that is not a JSON object', () => {
    expect(() =>
      rulesFromTemplate({ Bad: { Type: 'AWS::Events::Rule', Properties: { EventPattern: '{"source":' } } }),
    ).to.throw(InvalidEventPatternError, /Bad/);
  });
});

describe('functionNameFromArn', () => {
  it('strips the alias or version of a function ARN', () => {
    expect(functionNameFromArn(FUNCTION_ARN)).to.equal('probe-local-hello');
    expect(functionNameFromArn(`${FUNCTION_ARN}:live`)).to.equal('probe-local-hello');
    expect(functionNameFromArn(`${FUNCTION_ARN}:7`)).to.equal('probe-local-hello');
  });

  it('gives nothing for other ARNs', () => {
    expect(functionNameFromArn('arn:aws:sqs:us-east-1:000000000000:queue')).to.equal(undefined);
  });
});
