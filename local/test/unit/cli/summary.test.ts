import { expect } from 'chai';
import { groupWarnings, SUMMARY_MAX_LINES, startupSummary } from '../../../src/cli/summary';
import type { CloudDescription } from '../../../src/cloud/cloud-description';

const PORTAL = 'http://127.0.0.1:8080';
const CLOUD_FILE = '/repo/.local/cloud.json';

/** `count` resources of `type` that a service's template declares and the local cloud does not emulate. */
const notEmulated = (service: string, type: string, count: number) =>
  Array.from(
    { length: count },
    (_, index) => `${service}: ${type.split('::').at(-1)}${index} (${type}) is not emulated`,
  );

// As `npm start` describes the five services today: 41 warnings, a log group and a Lambda version
// per function among the resources. Per service, the types (after AWS::) it does not emulate, with counts.
const NOT_EMULATED: Record<string, string> = {
  api:
    'CloudWatch::Alarm 9, CodeDeploy::DeploymentGroup 8, Lambda::Alias 8, ApiGateway::GatewayResponse 3, ' +
    'ApiGateway::Authorizer 2, ApiGateway::Stage 1, CloudFront::Distribution 1, ' +
    'CloudFront::OriginAccessControl 1, CodeDeploy::Application 1',
  'image-pipeline': 'ApiGateway::GatewayResponse 3, ApiGateway::Authorizer 1, Lambda::LayerVersion 1',
  clickstream: 'KinesisFirehose::DeliveryStream 1',
};
const WARNINGS = [
  'clickstream: TelemetryStream: on-demand stream emulated with 2 shards',
  ...Object.entries(NOT_EMULATED).flatMap(([key, types]) =>
    types.split(', ').flatMap((entry) => {
      const [type, count] = entry.split(' ');
      return notEmulated(key, `AWS::${type}`, Number(count));
    }),
  ),
];

function service(key: string, port: number, api: { basePath?: string; rootPaths?: string[] } | undefined) {
  const functions = Object.fromEntries(
    ['one', 'two', 'three'].map((fn) => [fn, `serverless-patterns-${key}-local-${fn}`]),
  );
  const resources = Object.fromEntries(
    Object.keys(functions).flatMap((fn) => [
      [`${fn}LogGroup`, `/aws/lambda/serverless-patterns-${key}-local-${fn}`],
      [`${fn}LambdaVersionAbc123`, `serverless-patterns-${key}-local-${fn}-version-abc123`],
    ]),
  );
  return {
    name: `serverless-patterns-${key}`,
    ...(api === undefined ? {} : { apiUrl: `http://127.0.0.1:${port}`, ...api }),
    lambdaEndpoint: `http://127.0.0.1:${port + 1}`,
    functions,
    resources,
    outputs: {},
  };
}

function description(overrides: Partial<CloudDescription> = {}): CloudDescription {
  const endpoint = (port: number) => `http://127.0.0.1:${port}`;
  return {
    stage: 'local',
    region: 'us-east-1',
    accountId: '000000000000',
    pid: 1,
    portalUrl: PORTAL,
    controlUrl: endpoint(4100),
    endpoints: {
      dynamodb: endpoint(8000),
      dynamodbStreams: endpoint(8000),
      s3: endpoint(4569),
      kinesis: endpoint(4567),
      sqs: endpoint(4576),
      sns: endpoint(4576),
      cognito: endpoint(9229),
      rekognition: endpoint(4011),
      stepfunctions: endpoint(8083),
      eventbridge: endpoint(4010),
    },
    environment: {},
    credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' },
    services: {
      api: service('api', 3000, { basePath: '', rootPaths: ['devices', 'me', 'admin'] }),
      catalog: service('catalog', 3002, undefined),
      clickstream: service('clickstream', 3004, undefined),
      'image-pipeline': service('image-pipeline', 3006, { basePath: '/images' }),
      ops: service('ops', 3008, undefined),
    },
    processes: [],
    skipped: [],
    warnings: WARNINGS,
    ...overrides,
  };
}

describe("npm start's summary", () => {
  it(`fits on one screen (at most ${SUMMARY_MAX_LINES} lines) for the five services`, () => {
    const lines = startupSummary(description(), 35_000, CLOUD_FILE).split('\n');

    expect(lines.length).to.be.at.most(SUMMARY_MAX_LINES);
  });

  it('names the portal and each API where the front door serves it, and the services without routes', () => {
    const lines = startupSummary(description(), 35_000, CLOUD_FILE).split('\n');
    const lineOf = (key: string) => lines.find((line) => line.trimStart().startsWith(`${key} `)) ?? '';

    expect(lineOf('portal')).to.include(`${PORTAL}/`);
    expect(lineOf('api')).to.include(`${PORTAL}/{devices,me,admin}`).and.include('http://127.0.0.1:3001');
    expect(lineOf('image-pipeline')).to.include(`${PORTAL}/images`);
    for (const key of ['catalog', 'clickstream', 'ops']) {
      expect(lineOf(key)).to.include('no HTTP routes');
      expect(lineOf(key)).not.to.include(
        `http://127.0.0.1:${{ catalog: 3002, clickstream: 3004, ops: 3008 }[key]}`,
      );
    }
  });

  it('gives every AWS endpoint, one line per address, and how to point a shell at them', () => {
    const summary = startupSummary(description(), 35_000, CLOUD_FILE);

    for (const url of Object.values(description().endpoints)) expect(summary).to.include(url);
    expect(summary).to.match(/dynamodb, dynamodbStreams\s+http:\/\/127\.0\.0\.1:8000/);
    expect(summary).to.include('eval "$(npm run --silent env)"');
    expect(summary).to.include(CLOUD_FILE);
  });

  it('leaves function names, log groups and Lambda versions to cloud.json', () => {
    const summary = startupSummary(description(), 35_000, CLOUD_FILE);

    for (const described of Object.values(description().services)) {
      for (const name of [...Object.values(described.functions), ...Object.values(described.resources)])
        expect(summary).not.to.include(name);
    }
  });

  it('groups the warnings by kind, with their counts and services, the most frequent first', () => {
    const lines = startupSummary(description(), 35_000, CLOUD_FILE).split('\n');
    const warnings = lines.slice(lines.findIndex((line) => line.startsWith('Not emulated')));

    expect(warnings[0]).to.include(`(${WARNINGS.length}, by kind)`);
    expect(warnings[1]).to.match(/^\s+9 {2}AWS::CloudWatch::Alarm is not emulated \(api\)$/);
    expect(lines).to.include('  6  AWS::ApiGateway::GatewayResponse is not emulated (api, image-pipeline)');
    expect(lines).to.include('  1  clickstream: TelemetryStream: on-demand stream emulated with 2 shards');
  });

  it('names every emulator that did not start, and still fits when the warnings are many', () => {
    const many = Array.from({ length: 80 }, (_, index) => `ops: a warning of kind ${index}`);
    const skipped = [
      { name: 'dynamodb', reason: 'DynamoDB Local needs Java 17+. Install Java 17 or newer.' },
      { name: 'moto', reason: 'moto_server is not on the PATH' },
    ];

    const lines = startupSummary(description({ warnings: many, skipped }), 35_000, CLOUD_FILE).split('\n');

    expect(lines.length).to.be.at.most(SUMMARY_MAX_LINES);
    for (const { name, reason } of skipped) expect(lines).to.include(`  - ${name}: ${reason}`);
    expect(lines.find((line) => line.includes('more kinds'))).to.match(/and \d+ more kinds/);
    expect(lines.at(-1)).to.include(CLOUD_FILE);
  });

  it('counts resources not emulated by type, and keeps any other warning as a kind of its own', () => {
    expect(
      groupWarnings([
        'api: A (AWS::CloudWatch::Alarm) is not emulated',
        'ops: B (AWS::CloudWatch::Alarm) is not emulated',
        'api: C (AWS::CloudWatch::Alarm) is not emulated',
        'ops: the schedule rate(1 minute) is polled every 5 ms',
      ]),
    ).to.deep.equal([
      { kind: 'AWS::CloudWatch::Alarm is not emulated', count: 3, services: ['api', 'ops'] },
      { kind: 'ops: the schedule rate(1 minute) is polled every 5 ms', count: 1, services: [] },
    ]);
  });
});
