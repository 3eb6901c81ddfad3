import type { Retention } from './task-definition';

export interface SnapshotOfVolume {
  snapshotId: string;
  volumeId: string;
  startTime: Date;
}

const DAY_MS = 86_400_000;

/**
 * The snapshots past retention, per volume: beyond the `count` newest of their volume and older than
 * `days` (with both, a snapshot goes only when both say so; with one, that one decides). Snapshots the
 * run itself just created (`createdNow`) are the newest, whatever their start times say: EC2 times can tie
 * to the second with the previous run's. Other ties in time are broken by id, so the choice never depends
 * on the order DescribeSnapshots returned them in.
 */
export function expiredSnapshots<S extends SnapshotOfVolume>(
  snapshots: readonly S[],
  retention: Retention,
  now: Date,
  createdNow: ReadonlySet<string> = new Set(),
): S[] {
  const byVolume = new Map<string, S[]>();
  for (const snapshot of snapshots) {
    const list = byVolume.get(snapshot.volumeId) ?? [];
    list.push(snapshot);
    byVolume.set(snapshot.volumeId, list);
  }
  const expired: S[] = [];
  for (const list of byVolume.values()) {
    const isNew = (snapshot: S) => (createdNow.has(snapshot.snapshotId) ? 1 : 0);
    list.sort(
      (a, b) =>
        isNew(b) - isNew(a) ||
        b.startTime.getTime() - a.startTime.getTime() ||
        b.snapshotId.localeCompare(a.snapshotId),
    );
    list.forEach((snapshot, rank) => {
      const beyondCount = retention.count === undefined || rank >= retention.count;
      const tooOld =
        retention.days === undefined ||
        now.getTime() - snapshot.startTime.getTime() > retention.days * DAY_MS;
      if (beyondCount && tooOld) expired.push(snapshot);
    });
  }
  return expired;
}
