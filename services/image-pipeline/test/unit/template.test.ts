import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { SERVICE } from './bundled-functions';

// The packaged CloudFormation template of this service, as `sls deploy` would send it: what tells an
// operator that an image failed, and the logs that say why.

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
}

interface Template {
  Resources: Record<string, Resource>;
}

const OSLS = join(SERVICE, '..', '..', 'node_modules', 'osls', 'bin', 'serverless.js');
const ALERT_TOPIC = { 'Fn::ImportValue': 'serverless-patterns-foundation-policy-OperationsAlertTopicArn' };
// What the issue asks every access log line to say.
const ACCESS_LOG_FIELDS = [
  'requestId',
  'ip',
  'caller',
  'httpMethod',
  'resourcePath',
  'status',
  'protocol',
  'responseLength',
  'integrationLatency',
];

async function packageService(): Promise<Template> {
  const output = await mkdtemp(join(tmpdir(), 'image-pipeline-template-'));
  try {
    await promisify(execFile)(process.execPath, [OSLS, 'package', '--stage', 'policy', '--package', output], {
      cwd: SERVICE,
      // Packaging calls no AWS API, but the SDK wants credentials to exist.
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'package-only', AWS_SECRET_ACCESS_KEY: 'package-only' },
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'));
  } finally {
    await rm(output, { recursive: true, force: true });
  }
}

describe('image-pipeline template', function () {
  // One packaging, with the sharp layer: about half a minute.
  this.timeout(300_000);
  let template: Template;
  const resource = (logicalId: string, type: string): Record<string, unknown> => {
    const found = template.Resources[logicalId];
    expect(found?.Type, logicalId).to.equal(type);
    return found?.Properties ?? {};
  };

  before(async () => {
    template = await packageService();
  });

  describe('state machine', () => {
    it('logs failed executions, without their input and output, to a log group of its own kept 30 days', () => {
      const { LoggingConfiguration } = resource(
        'ImageProcessingStateMachine',
        'AWS::StepFunctions::StateMachine',
      );

      expect(LoggingConfiguration).to.deep.equal({
        Level: 'ERROR',
        IncludeExecutionData: false,
        Destinations: [
          { CloudWatchLogsLogGroup: { LogGroupArn: { 'Fn::GetAtt': ['ImageProcessingLogGroup', 'Arn'] } } },
        ],
      });
      expect(resource('ImageProcessingLogGroup', 'AWS::Logs::LogGroup')).to.deep.equal({
        LogGroupName: '/aws/vendedlogs/states/serverless-patterns-image-pipeline-policy-process-image',
        RetentionInDays: 30,
      });
    });

    it('tells the operations alert topic when an execution fails', () => {
      expect(resource('ImageProcessingFailedAlarm', 'AWS::CloudWatch::Alarm')).to.deep.include({
        Namespace: 'AWS/States',
        MetricName: 'ExecutionsFailed',
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: 'ImageProcessingStateMachine' } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [ALERT_TOPIC],
      });
    });
  });

  it('tells the operations alert topic when an upload event parks in the failure queue', () => {
    expect(resource('ImagePipelineFailedEventsAlarm', 'AWS::CloudWatch::Alarm')).to.deep.include({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': ['ImagePipelineFailedEventsQueue', 'QueueName'] } },
      ],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [ALERT_TOPIC],
    });
  });

  describe('REST API', () => {
    it('has its stage declared, with tracing, and no longer created by the deployment', () => {
      const [deployment] = Object.values(template.Resources).filter(
        (candidate) => candidate.Type === 'AWS::ApiGateway::Deployment',
      );

      expect(deployment?.Properties).to.not.have.property('StageName');
      expect(resource('ApiGatewayStage', 'AWS::ApiGateway::Stage')).to.deep.include({
        StageName: 'policy',
        TracingEnabled: true,
      });
    });

    it('writes a JSON access log line per request to a log group kept 30 days', () => {
      const setting = resource('ApiGatewayStage', 'AWS::ApiGateway::Stage').AccessLogSetting as {
        DestinationArn: unknown;
        Format: string;
      };

      expect(setting.DestinationArn).to.deep.equal({ 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
      expect(Object.keys(JSON.parse(setting.Format))).to.include.members(ACCESS_LOG_FIELDS);
      expect(resource('ApiAccessLogGroup', 'AWS::Logs::LogGroup')).to.deep.include({ RetentionInDays: 30 });
    });
  });
});
