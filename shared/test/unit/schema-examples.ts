import type {
  Device,
  DeviceRegistration,
  ImageMetadata,
  ImageRecord,
  OpsRun,
  OpsTask,
  SecurityFinding,
  ThresholdUpdate,
} from '../../src/schemas/api';
import type {
  Alert,
  CatalogEntry,
  ClickEvent,
  TelemetryReading,
  WindowAggregate,
} from '../../src/schemas/events';

// Realistic, valid examples of every cross-service schema. Each builder takes overrides so that a
// test states only the field it is about; tests of other packages can reuse them too.

export function exampleClickEvent(overrides: Partial<ClickEvent> = {}): ClickEvent {
  return {
    eventId: '3f1c9a52-6d2b-4e8f-9a7c-1b2d3e4f5a6b',
    sessionId: 'sess-7f3a9c',
    userId: 'user-42',
    type: 'add_to_cart',
    page: '/products/espresso-machine',
    productId: 'sku-ESP-200',
    // 2026-11-29T09:30:00.000Z
    timestamp: 1_795_944_600_000,
    referrer: 'https://www.example.com/search?q=espresso',
    userAgent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari/605.1.15',
    ...overrides,
  };
}

export function exampleTelemetryReading(overrides: Partial<TelemetryReading> = {}): TelemetryReading {
  return {
    deviceId: 'thermostat-living-room',
    readingId: 'rd-20261129T093000Z-0001',
    temperatureC: 21.5,
    humidity: 43,
    recordedAt: '2026-11-29T09:30:00.000Z',
    ...overrides,
  };
}

export function exampleDeviceRegistration(overrides: Partial<DeviceRegistration> = {}): DeviceRegistration {
  return { name: 'Living room', location: 'Ground floor, north wall', thresholdC: 26, ...overrides };
}

export function exampleThresholdUpdate(overrides: Partial<ThresholdUpdate> = {}): ThresholdUpdate {
  return { thresholdC: 24.5, ...overrides };
}

export function exampleDevice(overrides: Partial<Device> = {}): Device {
  return {
    ...exampleDeviceRegistration(),
    deviceId: 'thermostat-living-room',
    ownerId: 'a1b2c3d4-owner',
    createdAt: '2026-11-01T08:00:00.000Z',
    updatedAt: '2026-11-29T09:30:00+01:00',
    ...overrides,
  };
}

export function exampleWindowAggregate(overrides: Partial<WindowAggregate> = {}): WindowAggregate {
  return {
    deviceId: 'thermostat-living-room',
    windowStart: '2026-11-29T09:30:00.000Z',
    windowEnd: '2026-11-29T09:35:00.000Z',
    count: 4,
    sum: 86,
    min: 20.5,
    max: 22.5,
    average: 21.5,
    ...overrides,
  };
}

export function exampleAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    alertId: 'alert-thermostat-living-room-20261129T0930Z',
    deviceId: 'thermostat-living-room',
    ownerId: 'a1b2c3d4-owner',
    kind: 'ABOVE_THRESHOLD',
    thresholdC: 26,
    average: 27.25,
    windowStart: '2026-11-29T09:30:00.000Z',
    windowEnd: '2026-11-29T09:35:00.000Z',
    raisedAt: '2026-11-29T09:35:02.118Z',
    ...overrides,
  };
}

export function exampleImageMetadata(overrides: Partial<ImageMetadata> = {}): ImageMetadata {
  return {
    format: 'jpeg',
    width: 4032,
    height: 3024,
    orientation: 6,
    sizeBytes: 2_481_337,
    exif: {
      make: 'Apple',
      model: 'iPhone 15',
      takenAt: '2026-11-28T16:42:11+01:00',
      exposureTime: 0.008,
      iso: 64,
    },
    gps: { latitude: 45.764, longitude: 4.8357 },
    ...overrides,
  };
}

export function exampleImageRecord(overrides: Partial<ImageRecord> = {}): ImageRecord {
  return {
    imageId: 'img-01JDZ3K8Q4',
    ownerId: 'a1b2c3d4-owner',
    bucket: 'sp-123456789012-eu-west-1-dev-uploads',
    key: 'uploads/a1b2c3d4-owner/img-01JDZ3K8Q4.jpg',
    status: 'READY',
    metadata: exampleImageMetadata(),
    labels: [
      { name: 'Bridge', confidence: 98.2 },
      { name: 'River', confidence: 91.4 },
    ],
    thumbnails: {
      square: 'thumbnails/a1b2c3d4-owner/img-01JDZ3K8Q4-square.webp',
      preview: 'thumbnails/a1b2c3d4-owner/img-01JDZ3K8Q4-preview.webp',
    },
    createdAt: '2026-11-29T09:30:00.000Z',
    updatedAt: '2026-11-29T09:30:04.512Z',
    ...overrides,
  };
}

export function exampleCatalogEntry(overrides: Partial<CatalogEntry> = {}): CatalogEntry {
  return {
    bucket: 'sp-123456789012-eu-west-1-dev-lake',
    key: 'raw/clickstream/year=2026/month=11/day=29/clicks-1-2026-11-29-09-30-00-abcd.jsonl.gz',
    zone: 'raw',
    dataset: 'clickstream',
    partitions: { year: '2026', month: '11', day: '29' },
    format: 'jsonl',
    compression: 'gzip',
    sizeBytes: 18_204,
    etag: '0123456789abcdef0123456789abcdef',
    registeredAt: '2026-11-29T09:31:02.000Z',
    ...overrides,
  };
}

export function exampleOpsTask(overrides: Partial<OpsTask> = {}): OpsTask {
  return {
    taskId: 'nightly-ebs-snapshots',
    name: 'Nightly EBS snapshots of production volumes',
    action: 'create-snapshots',
    tagSelector: { key: 'backup', value: 'nightly' },
    schedule: 'cron(0 3 * * ? *)',
    retentionDays: 14,
    accounts: ['123456789012', '210987654321'],
    regions: ['eu-west-1', 'us-east-1'],
    dryRun: false,
    enabled: true,
    ...overrides,
  };
}

export type OpsRunResource = OpsRun['resources'][number];

export function exampleOpsRunResource(overrides: Partial<OpsRunResource> = {}): OpsRunResource {
  return {
    account: '123456789012',
    region: 'eu-west-1',
    resourceId: 'vol-0a1b2c3d4e5f60718',
    action: 'create-snapshots',
    outcome: 'DONE',
    ...overrides,
  };
}

export function exampleOpsRun(overrides: Partial<OpsRun> = {}): OpsRun {
  return {
    runId: 'run-20261129T030000Z',
    taskId: 'nightly-ebs-snapshots',
    status: 'PARTIAL',
    dryRun: false,
    startedAt: '2026-11-29T03:00:00.000Z',
    endedAt: '2026-11-29T03:02:41.000Z',
    resources: [
      exampleOpsRunResource(),
      exampleOpsRunResource({
        account: '210987654321',
        region: 'us-east-1',
        resourceId: 'vol-0f1e2d3c4b5a69788',
        outcome: 'FAILED',
        error: 'SnapshotLimitExceeded',
      }),
    ],
    ...overrides,
  };
}

export function exampleSecurityFinding(overrides: Partial<SecurityFinding> = {}): SecurityFinding {
  return {
    findingId: 'finding-sgr-0123456789abcdef0',
    groupId: 'sg-0123456789abcdef0',
    ruleId: 'sgr-0123456789abcdef0',
    protocol: 'tcp',
    fromPort: 22,
    toPort: 22,
    cidr: '0.0.0.0/0',
    reason: 'SSH open to the world',
    action: 'REVOKED',
    sourceEventId: '6f1e4a2b-8c3d-4e5f-a6b7-c8d9e0f1a2b3',
    detectedAt: '2026-11-29T09:30:00.000Z',
    ...overrides,
  };
}
