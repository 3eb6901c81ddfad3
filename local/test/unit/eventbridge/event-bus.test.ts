import { EventBridgeClient, ListRulesCommand, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { expect } from 'chai';
import { InvalidEventPatternError } from '../../../src/triggers/eventbridge/errors';
import {
  type BusEvent,
  createEventBus,
  type EventBusServer,
  startEventBusServer,
} from '../../../src/triggers/eventbridge/event-bus';
import type { EventRule } from '../../../src/triggers/eventbridge/rules';
import { rawRequest } from '../../raw-request';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:ops-local-onThing';

function patternRule(
  name: string,
  eventPattern: Record<string, unknown>,
  overrides: Partial<EventRule> = {},
): EventRule {
  return {
    name,
    arn: `arn:aws:events:us-east-1:000000000000:rule/${name}`,
    eventBusName: 'default',
    eventPattern,
    state: 'ENABLED',
    targets: [{ id: 'target', arn: FUNCTION_ARN }],
    ...overrides,
  };
}

const rules = [
  patternRule('things', {
    source: ['my.app'],
    'detail-type': ['Thing Happened'],
    detail: { size: [{ numeric: ['>', 10] }] },
  }),
  patternRule('others', { source: ['other.app'] }),
  patternRule('custom-things', { source: ['my.app'] }, { eventBusName: 'orders' }),
  patternRule('disabled-things', { source: ['my.app'] }, { state: 'DISABLED' }),
];

const entry = (overrides: Record<string, unknown> = {}) => ({
  Source: 'my.app',
  DetailType: 'Thing Happened',
  Detail: JSON.stringify({ size: 42 }),
  ...overrides,
});

describe('event bus over the EventBridge wire protocol', () => {
  let server: EventBusServer;
  let client: EventBridgeClient;
  let delivered: Array<{ rule: string; event: BusEvent }>;
  const bus = createEventBus({
    rules,
    region: 'us-east-1',
    accountId: '000000000000',
    onEvent: (rule, event) => delivered.push({ rule: rule.name, event }),
  });

  before(async () => {
    server = await startEventBusServer({ bus, port: 0 });
    client = new EventBridgeClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' },
      maxAttempts: 1,
    });
  });

  after(async () => {
    client.destroy();
    await server.close();
  });

  beforeEach(() => {
    delivered = [];
  });

  it('listens on loopback', () => {
    expect(server.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('delivers a PutEvents entry to the matching rule and not to the others', async () => {
    const output = await client.send(
      new PutEventsCommand({
        Entries: [entry({ Resources: ['arn:aws:s3:::bucket'], Time: new Date('2026-03-10T08:00:00.250Z') })],
      }),
    );
    await bus.idle();

    expect(output.FailedEntryCount).to.equal(0);
    const eventId = output.Entries?.[0]?.EventId;
    expect(eventId).to.be.a('string');
    expect(delivered.map(({ rule }) => rule)).to.deep.equal(['things']);
    expect(delivered[0]?.event).to.deep.equal({
      version: '0',
      id: eventId,
      'detail-type': 'Thing Happened',
      source: 'my.app',
      account: '000000000000',
      time: '2026-03-10T08:00:00Z',
      region: 'us-east-1',
      resources: ['arn:aws:s3:::bucket'],
      detail: { size: 42 },
    });
  });

  it('does not deliver an event that no rule matches', async () => {
    const output = await client.send(new PutEventsCommand({ Entries: [entry({ Detail: '{"size":3}' })] }));
    await bus.idle();

    expect(output.FailedEntryCount).to.equal(0);
    expect(delivered).to.deep.equal([]);
  });

  it('delivers to the rules of the bus the entry names', async () => {
    await client.send(new PutEventsCommand({ Entries: [entry({ EventBusName: 'orders' })] }));
    await bus.idle();

    expect(delivered.map(({ rule }) => rule)).to.deep.equal(['custom-things']);
  });

  it('fails bad entries one by one and counts them', async () => {
    const output = await client.send(
      new PutEventsCommand({
        Entries: [
          entry(),
          entry({ DetailType: undefined }),
          entry({ Detail: '{not json' }),
          entry({ Source: 'aws.ec2' }),
        ],
      }),
    );
    await bus.idle();

    expect(output.FailedEntryCount).to.equal(3);
    expect(output.Entries?.[0]?.EventId).to.be.a('string');
    expect(output.Entries?.slice(1)).to.deep.equal([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' },
    ]);
    expect(delivered).to.have.length(1);
  });

  it('refuses more than 10 entries as a whole', async () => {
    const error = await client
      .send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry()) }))
      .then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );

    expect(error?.name).to.equal('ValidationException');
    expect(delivered).to.have.length(0);
  });

  it('refuses a request over 256 KB as a whole', async () => {
    const big = JSON.stringify({ size: 42, padding: 'x'.repeat(256 * 1024) });

    const error = await client.send(new PutEventsCommand({ Entries: [entry({ Detail: big })] })).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );

    expect(error?.name).to.equal('ValidationException');
  });

  it('answers other operations with UnknownOperationException', async () => {
    const error = await client.send(new ListRulesCommand({})).then(
      () => undefined,
      (reason: unknown) => reason as Error & { $metadata: { httpStatusCode?: number } },
    );

    expect(error?.name).to.equal('UnknownOperationException');
    expect(error?.$metadata.httpStatusCode).to.equal(400);
  });

  it('writes errors in the AWS JSON 1.1 format', async () => {
    const { status, headers, body } = await rawRequest(server.url, '/', {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.PutRule', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    const contentType = headers['content-type'];

    expect(status).to.equal(400);
    expect(contentType).to.equal('application/x-amz-json-1.1');
    expect(JSON.parse(body)).to.have.property('__type', 'UnknownOperationException');
    expect(JSON.parse(body)).to.have.property('message').that.is.a('string');
  });
});

describe('createEventBus in process', () => {
  it('lets the local emulators publish aws.* sources', async () => {
    const delivered: string[] = [];
    const bus = createEventBus({
      rules: [patternRule('ec2', { source: ['aws.ec2'] })],
      onEvent: (rule) => delivered.push(rule.name),
    });

    const refused = bus.putEvents([entry({ Source: 'aws.ec2' })]);
    const accepted = bus.putEvents([entry({ Source: 'aws.ec2' })], { fromAwsService: true });
    await bus.idle();

    expect(refused.FailedEntryCount).to.equal(1);
    expect(accepted.FailedEntryCount).to.equal(0);
    expect(delivered).to.deep.equal(['ec2']);
  });

  it('keeps delivering when a rule callback throws', async () => {
    const logged: string[] = [];
    const bus = createEventBus({
      rules: [patternRule('a', { source: ['my.app'] }), patternRule('b', { source: ['my.app'] })],
      onEvent: (rule) => {
        if (rule.name === 'a') throw new Error('target down');
        logged.push(rule.name);
      },
      log: (message) => logged.push(message),
    });

    bus.putEvents([entry()]);
    await bus.idle();

    expect(logged).to.have.members(['b', 'event delivery crashed']);
  });

  it('refuses an invalid pattern when created, naming the rule', () => {
    expect(() => createEventBus({ rules: [patternRule('bad', { source: 'my.app' })] })).to.throw(
      InvalidEventPatternError,
      /rule bad/,
    );
  });
});
