import {
  DeleteSnapshotCommand,
  DescribeSnapshotsCommand,
  type DescribeSnapshotsCommandInput,
  EC2Client,
  type Snapshot,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import fc from 'fast-check';
import { createSnapshotInventory } from '../../../../src/adapters/snapshot-inventory';
import { expiredSnapshots } from '../../../../src/core/tasks/retention';
import { CREATED_BY_TAG, type StoredTask } from '../../../../src/core/tasks/task-definition';
import { createTaskExecutor } from '../../../../src/core/tasks/task-executor';

const NOW = new Date('2026-03-01T00:00:00Z');
const DAY = 86_400_000;
const ROLE = 'arn:aws:iam::111111111111:role/ops-automator-task';

interface Generated {
  snapshotId: string;
  volumeId: string;
  owner: 'cleanup-of' | 'other-task' | 'untagged';
  startTime: Date;
}

/** Up to `count` snapshots over `volumes` volumes: most the task's, some another task's, some untagged. */
const snapshotsArbitrary = (count: number, volumes: number) =>
  fc
    .array(
      fc.record({
        volume: fc.integer({ min: 0, max: volumes - 1 }),
        owner: fc.constantFrom('cleanup-of', 'cleanup-of', 'cleanup-of', 'other-task', 'untagged'),
        ageMinutes: fc.integer({ min: 0, max: 60 * 24 * 120 }),
      }),
      { minLength: count, maxLength: count },
    )
    .map((items) =>
      items.map(
        (item, index): Generated => ({
          snapshotId: `snap-${String(index).padStart(17, '0')}`,
          volumeId: `vol-${String(item.volume).padStart(17, '0')}`,
          owner: item.owner as Generated['owner'],
          startTime: new Date(NOW.getTime() - item.ageMinutes * 60_000),
        }),
      ),
    );

/**
 * EC2's DescribeSnapshots over a list, as EC2 pages it (MaxResults, NextToken) and filters it by tag,
 * and DeleteSnapshot removing from it: the executor and the adapter run unchanged on top of it.
 */
function ec2Over(snapshots: Generated[]) {
  const held = new Map(snapshots.map((snapshot) => [snapshot.snapshotId, snapshot]));
  const client = new EC2Client({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  const mock = mockClient(client);
  let pages = 0;
  mock.on(DescribeSnapshotsCommand).callsFake((input: DescribeSnapshotsCommandInput) => {
    pages += 1;
    const wanted = input.Filters?.find((filter) => filter.Name === `tag:${CREATED_BY_TAG}`)?.Values?.[0];
    const matching = [...held.values()].filter(
      (snapshot) => snapshot.owner !== 'untagged' && snapshot.owner === wanted,
    );
    const start = Number(input.NextToken ?? 0);
    const size = input.MaxResults ?? 1000;
    const page: Snapshot[] = matching.slice(start, start + size).map((snapshot) => ({
      SnapshotId: snapshot.snapshotId,
      VolumeId: snapshot.volumeId,
      StartTime: snapshot.startTime,
      Tags: [{ Key: CREATED_BY_TAG, Value: snapshot.owner }],
    }));
    return {
      Snapshots: page,
      ...(start + size < matching.length ? { NextToken: String(start + size) } : {}),
    };
  });
  mock.on(DeleteSnapshotCommand).callsFake(({ SnapshotId }: { SnapshotId: string }) => {
    held.delete(SnapshotId);
    return {};
  });
  return { client, held, restore: () => mock.restore(), pages: () => pages };
}

describe('retention, as properties', () => {
  it('keeps exactly the N newest snapshots of each volume, over every page; never touches untagged or other tasks’ snapshots', async function () {
    this.timeout(60_000);
    await fc.assert(
      fc.asyncProperty(
        snapshotsArbitrary(1500, 40),
        fc.integer({ min: 1, max: 50 }),
        async (snapshots, keep) => {
          const ec2 = ec2Over(snapshots);
          const cleanup: StoredTask = {
            name: 'cleanup',
            action: 'DeleteSnapshots',
            snapshotsOf: 'cleanup-of',
            tagKey: 'OpsAutomatorTaskList',
            schedule: '0 4 * * *',
            retention: { count: keep },
            accounts: [ROLE],
            regions: ['eu-west-1'],
            dryRun: false,
            enabled: true,
            createdAt: '2026-01-01T00:00:00Z',
          };
          const executor = createTaskExecutor({
            tasks: { get: async () => cleanup },
            inventoryFor: () => createSnapshotInventory({ client: ec2.client }),
            runLog: { recordTarget: async () => undefined },
            notifier: { publish: async () => undefined },
            clock: () => NOW,
            backoff: { sleep: async () => undefined },
          });
          try {
            const result = await executor.execute({
              taskName: 'cleanup',
              runId: 'r',
              roleArn: ROLE,
              region: 'eu-west-1',
            });

            const mine = snapshots.filter((snapshot) => snapshot.owner === 'cleanup-of');
            // Two pages at least: the task owns more than one page's worth (1,000) in most cases.
            if (mine.length > 1000) expect(ec2.pages()).to.be.greaterThan(1);
            for (const volumeId of new Set(snapshots.map((snapshot) => snapshot.volumeId))) {
              const newest = mine
                .filter((snapshot) => snapshot.volumeId === volumeId)
                .sort(
                  (a, b) =>
                    b.startTime.getTime() - a.startTime.getTime() || b.snapshotId.localeCompare(a.snapshotId),
                )
                .slice(0, keep)
                .map((snapshot) => snapshot.snapshotId)
                .sort();
              const kept = [...ec2.held.values()]
                .filter((snapshot) => snapshot.volumeId === volumeId && snapshot.owner === 'cleanup-of')
                .map((snapshot) => snapshot.snapshotId)
                .sort();
              expect(kept).to.deep.equal(newest);
            }
            const untouched = snapshots.filter((snapshot) => snapshot.owner !== 'cleanup-of');
            expect(untouched.every((snapshot) => ec2.held.has(snapshot.snapshotId))).to.equal(true);
            expect(result.deleted).to.equal(snapshots.length - ec2.held.size);
          } finally {
            ec2.restore();
          }
        },
      ),
      { numRuns: 15 },
    );
  });

  it('with days, deletes exactly the snapshots older than the days; with both, only what both let go', () => {
    fc.assert(
      fc.property(
        snapshotsArbitrary(300, 10),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 1, max: 20 }),
        (generated, days, count) => {
          const snapshots = generated.filter((snapshot) => snapshot.owner === 'cleanup-of');
          const old = (snapshot: Generated) => NOW.getTime() - snapshot.startTime.getTime() > days * DAY;

          const byDays = expiredSnapshots(snapshots, { days }, NOW);
          const byBoth = new Set(expiredSnapshots(snapshots, { days, count }, NOW));
          const byCount = new Set(expiredSnapshots(snapshots, { count }, NOW));

          const ids = (list: Iterable<Generated>) => [...list].map((snapshot) => snapshot.snapshotId).sort();
          expect(ids(byDays)).to.deep.equal(ids(snapshots.filter(old)));
          expect([...byBoth].every((snapshot) => old(snapshot) && byCount.has(snapshot))).to.equal(true);
          expect(snapshots.filter((snapshot) => old(snapshot) && byCount.has(snapshot)).length).to.equal(
            byBoth.size,
          );
        },
      ),
    );
  });

  it('keeps what the run just created when its start time ties with the previous run’s', () => {
    const sameSecond = new Date('2026-03-01T03:00:00Z');
    // The earlier run's id sorts after this run's: without createdNow, the tie would keep the earlier one.
    const earlier = { snapshotId: 'snap-ffff', volumeId: 'vol-1', startTime: sameSecond };
    const justCreated = { snapshotId: 'snap-0000', volumeId: 'vol-1', startTime: sameSecond };

    expect(expiredSnapshots([earlier, justCreated], { count: 1 }, NOW, new Set(['snap-0000']))).to.deep.equal(
      [earlier],
    );
    expect(expiredSnapshots([earlier, justCreated], { count: 1 }, NOW)).to.deep.equal([justCreated]);
  });
});
