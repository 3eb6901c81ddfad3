import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/cloud/layout';
import { FIXTURE, fixtureSuite, type Invocation, uniqueId, waitFor } from './support';

type OrderEvent = EventBridgeEvent<string, { id: string; amount: number }>;

const SCHEDULE_INPUT = { source: 'fixture-schedule' };

describe('local cloud: EventBridge rules and schedules', () => {
  const fixture = fixtureSuite();

  // A rule's targets receive the events its pattern matches, in the EventBridge event structure;
  // numeric matching: { "numeric": [">", 100] }.
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
  it('delivers a PutEvents event whose detail matches the rule (amount 150), not one that does not (50)', async () => {
    const small = { id: uniqueId('order-50'), amount: 50 };
    const large = { id: uniqueId('order-150'), amount: 150 };
    const entry = (detail: typeof small) => ({
      Source: 'fixture.orders',
      DetailType: 'Order Placed',
      Detail: JSON.stringify(detail),
    });

    const { Entries, FailedEntryCount } = await fixture.aws.eventBridge.send(
      new PutEventsCommand({ Entries: [entry(small), entry(large)] }),
    );

    expect(FailedEntryCount).to.equal(0);
    const ours = (all: Invocation[]) =>
      (all as unknown as OrderEvent[]).filter((event) => [small.id, large.id].includes(event.detail?.id));
    const events = ours(
      await waitFor(
        'the matching event',
        () => fixture.cloud.recordings('recordRule'),
        (all) => ours(all).some((event) => event.detail.id === large.id),
      ),
    );
    // The event that does not match was put first, in the same request: it would be there by now.
    expect(events).to.have.length(1);
    const [event] = events;
    expect(event).to.deep.include({
      version: '0',
      id: Entries?.[1]?.EventId,
      'detail-type': 'Order Placed',
      source: 'fixture.orders',
      account: fixture.cloud.description.accountId,
      region: 'us-east-1',
      resources: [],
      detail: large,
    });
    expect(event?.time).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  describe('npm run trigger -- fixture-service recordSchedule', () => {
    const scheduleInputs = async () =>
      (await fixture.cloud.recordings('recordSchedule')).filter(
        (event) => event.source === SCHEDULE_INPUT.source,
      );

    // A target's Input (constant JSON) replaces the event the rule would send.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
    it('fires the schedule now, and the function receives the constant Input of its target', async () => {
      const before = (await scheduleInputs()).length;

      const response = await fetch(
        `${fixture.cloud.description.controlUrl}/schedules/${FIXTURE}/recordSchedule`,
        {
          method: 'POST',
        },
      );

      expect(response.status, await response.clone().text()).to.equal(200);
      const received = await waitFor(
        'the scheduled invocation',
        scheduleInputs,
        (all) => all.length > before,
      );
      expect(received.slice(before)).to.deep.equal([SCHEDULE_INPUT]);
    });

    it('is what the trigger CLI does, pointed at this cloud with --state-dir', async () => {
      const before = (await scheduleInputs()).length;
      // The harness keeps the recordings in its state folder.
      const stateDir = dirname(fixture.cloud.recordingsDir);

      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--import',
          'tsx',
          join(REPO_ROOT, 'local', 'src', 'cli', 'trigger.ts'),
          FIXTURE,
          'recordSchedule',
          '--state-dir',
          stateDir,
        ],
        { cwd: REPO_ROOT, timeout: 30_000 },
      );

      const outcomes = (JSON.parse(stdout) as { outcomes: { status: string }[] }[]).flatMap(
        (fired) => fired.outcomes,
      );
      expect(outcomes.map((outcome) => outcome.status)).to.include('delivered');
      const received = await waitFor(
        'the scheduled invocation',
        scheduleInputs,
        (all) => all.length > before,
      );
      expect(received.slice(before)).to.deep.equal([SCHEDULE_INPUT]);
    });
  });
});
