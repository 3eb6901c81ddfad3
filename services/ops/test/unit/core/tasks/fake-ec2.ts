import type { SnapshotInventory, Tag, TaskSnapshot } from '../../../../src/core/tasks/task-executor';

/** One account and region of EC2, in memory, for the executor's tests. */
export class FakeEc2 implements SnapshotInventory {
  readonly volumesById = new Map<string, { tags: Tag[]; instanceIds: string[] }>();
  readonly instancesById = new Map<string, Tag[]>();
  readonly snapshots = new Map<string, TaskSnapshot>();
  /** Throttles the next N calls with RequestLimitExceeded. */
  throttleNext = 0;
  calls = 0;
  private nextId = 1;

  constructor(private readonly now: () => Date = () => new Date('2026-03-01T00:00:00Z')) {}

  private async call<T>(answer: () => T): Promise<T> {
    this.calls += 1;
    if (this.throttleNext > 0) {
      this.throttleNext -= 1;
      const error = new Error('Request limit exceeded.');
      error.name = 'RequestLimitExceeded';
      throw error;
    }
    return answer();
  }

  volume(volumeId: string, tags: Record<string, string> = {}, instanceIds: string[] = []) {
    this.volumesById.set(volumeId, { tags: toTags(tags), instanceIds });
    return this;
  }
  instance(instanceId: string, tags: Record<string, string> = {}) {
    this.instancesById.set(instanceId, toTags(tags));
    return this;
  }
  snapshot(volumeId: string, startTime: Date, tags: Record<string, string> = {}) {
    const snapshotId = `snap-${String(this.nextId++).padStart(17, '0')}`;
    this.snapshots.set(snapshotId, { snapshotId, volumeId, startTime, tags: toTags(tags) });
    return snapshotId;
  }

  volumes() {
    return this.call(() => [...this.volumesById].map(([volumeId, volume]) => ({ volumeId, ...volume })));
  }
  instances() {
    return this.call(() => [...this.instancesById].map(([instanceId, tags]) => ({ instanceId, tags })));
  }
  snapshotsCreatedBy(taskName: string) {
    return this.call(() =>
      [...this.snapshots.values()].filter((snapshot) =>
        snapshot.tags.some((tag) => tag.Key === 'OpsAutomatorCreatedBy' && tag.Value === taskName),
      ),
    );
  }
  createSnapshot(volumeId: string, _description: string, tags: Tag[]) {
    return this.call(() => {
      const snapshotId = `snap-${String(this.nextId++).padStart(17, '0')}`;
      const snapshot = { snapshotId, volumeId, startTime: this.now(), tags };
      this.snapshots.set(snapshotId, snapshot);
      return snapshot;
    });
  }
  deleteSnapshot(snapshotId: string) {
    return this.call(() =>
      this.snapshots.delete(snapshotId) ? ('deleted' as const) : ('already-absent' as const),
    );
  }
}

export function toTags(tags: Record<string, string>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
