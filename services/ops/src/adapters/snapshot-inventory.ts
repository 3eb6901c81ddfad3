import {
  CreateSnapshotCommand,
  DeleteSnapshotCommand,
  type EC2Client,
  paginateDescribeInstances,
  paginateDescribeSnapshots,
  paginateDescribeVolumes,
} from '@aws-sdk/client-ec2';
import { CREATED_BY_TAG } from '../core/tasks/task-definition';
import type { SnapshotInventory, TaskSnapshot } from '../core/tasks/task-executor';

/** Pages of the largest size EC2 allows, so that thousands of snapshots take few calls. */
const PAGE_SIZE = 1000;

/**
 * EC2 in one account and region. Every listing follows NextToken to its end (Ops Automator's #23: deletion
 * failed when there were many snapshots). Snapshots are found by their task tag, owned by this account.
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSnapshots.html
 */
export function createSnapshotInventory({ client }: { client: EC2Client }): SnapshotInventory {
  return {
    async volumes() {
      const volumes = [];
      for await (const page of paginateDescribeVolumes({ client, pageSize: 500 }, {})) {
        for (const volume of page.Volumes ?? []) {
          if (volume.VolumeId === undefined) continue;
          volumes.push({
            volumeId: volume.VolumeId,
            tags: volume.Tags ?? [],
            instanceIds: (volume.Attachments ?? []).flatMap((attachment) =>
              attachment.InstanceId === undefined ? [] : [attachment.InstanceId],
            ),
          });
        }
      }
      return volumes;
    },
    async instances() {
      const instances = [];
      for await (const page of paginateDescribeInstances({ client, pageSize: 500 }, {})) {
        for (const reservation of page.Reservations ?? []) {
          for (const instance of reservation.Instances ?? []) {
            if (instance.InstanceId !== undefined)
              instances.push({ instanceId: instance.InstanceId, tags: instance.Tags ?? [] });
          }
        }
      }
      return instances;
    },
    async snapshotsCreatedBy(taskName) {
      const snapshots: TaskSnapshot[] = [];
      const pages = paginateDescribeSnapshots(
        { client, pageSize: PAGE_SIZE },
        { OwnerIds: ['self'], Filters: [{ Name: `tag:${CREATED_BY_TAG}`, Values: [taskName] }] },
      );
      for await (const page of pages) {
        for (const snapshot of page.Snapshots ?? []) {
          if (snapshot.SnapshotId === undefined || snapshot.VolumeId === undefined) continue;
          snapshots.push({
            snapshotId: snapshot.SnapshotId,
            volumeId: snapshot.VolumeId,
            startTime: snapshot.StartTime ?? new Date(0),
            tags: snapshot.Tags ?? [],
          });
        }
      }
      return snapshots;
    },
    async createSnapshot(volumeId, description, tags) {
      const snapshot = await client.send(
        new CreateSnapshotCommand({
          VolumeId: volumeId,
          Description: description,
          TagSpecifications: [{ ResourceType: 'snapshot', Tags: tags }],
        }),
      );
      return {
        snapshotId: snapshot.SnapshotId ?? '',
        volumeId,
        startTime: snapshot.StartTime ?? new Date(),
        tags,
      };
    },
    async deleteSnapshot(snapshotId) {
      try {
        await client.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));
        return 'deleted';
      } catch (error) {
        if (error instanceof Error && error.name === 'InvalidSnapshot.NotFound') return 'already-absent';
        throw error;
      }
    },
  };
}
