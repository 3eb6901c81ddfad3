import { expect } from 'chai';
import type * as z from 'zod';
import {
  deviceRegistrationSchema,
  deviceSchema,
  imageRecordSchema,
  opsRunSchema,
  opsTaskSchema,
  securityFindingSchema,
  thresholdUpdateSchema,
} from '../../src/schemas/api';
import {
  alertSchema,
  catalogEntrySchema,
  clickEventSchema,
  lakeClickSchema,
  telemetryReadingSchema,
  windowAggregateSchema,
} from '../../src/schemas/events';
import {
  exampleAlert,
  exampleCatalogEntry,
  exampleClickEvent,
  exampleDevice,
  exampleDeviceRegistration,
  exampleImageMetadata,
  exampleImageRecord,
  exampleOpsRun,
  exampleOpsRunResource,
  exampleOpsTask,
  exampleSecurityFinding,
  exampleTelemetryReading,
  exampleThresholdUpdate,
  exampleWindowAggregate,
} from './schema-examples';

/**
 * The fields a schema complains about, as dotted paths; an unknown field is named by its own path.
 * Empty when the value is accepted, so a rejection test fails if the value gets through.
 */
function rejectedFields(schema: z.ZodType, value: unknown): string[] {
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => [...path, key].join('.'));
    return [path.join('.') || '(root)'];
  });
}

type Rejection = readonly [description: string, value: unknown, fields: readonly string[]];

function itRejects(schema: z.ZodType, rejections: readonly Rejection[]): void {
  for (const [description, value, fields] of rejections) {
    it(`rejects ${description}, naming ${fields.join(', ')}`, () => {
      const rejected = rejectedFields(schema, value);

      expect(rejected).to.deep.equal(fields);
    });
  }
}

describe('schemas', () => {
  describe('clickEventSchema', () => {
    it('accepts a complete beacon as sent by the browser', () => {
      const click = exampleClickEvent();

      expect(clickEventSchema.parse(click)).to.deep.equal(click);
    });

    it('accepts an anonymous page view with only the required fields', () => {
      const { userId, productId, referrer, userAgent, ...pageView } = exampleClickEvent({
        type: 'page_view',
      });

      expect(clickEventSchema.safeParse(pageView).success).to.equal(true);
    });

    itRejects(clickEventSchema, [
      ['an unknown field', { ...exampleClickEvent(), price: 199 }, ['price']],
      ['an eventId that is not a uuid', exampleClickEvent({ eventId: 'evt-123' }), ['eventId']],
      ['a page that is not a path', exampleClickEvent({ page: 'products/espresso-machine' }), ['page']],
      ['a full URL as page', exampleClickEvent({ page: 'https://shop.example.com/' }), ['page']],
      [
        'an ISO string as timestamp',
        { ...exampleClickEvent(), timestamp: '2026-11-29T09:30:00Z' },
        ['timestamp'],
      ],
      ['a timestamp in fractional seconds', exampleClickEvent({ timestamp: 1_795_944_600.5 }), ['timestamp']],
      ['a negative timestamp', exampleClickEvent({ timestamp: -1 }), ['timestamp']],
      ['an unknown event type', { ...exampleClickEvent(), type: 'hover' }, ['type']],
      ['a session id with a path separator', exampleClickEvent({ sessionId: 'sess/1' }), ['sessionId']],
      ['a missing sessionId', { ...exampleClickEvent(), sessionId: undefined }, ['sessionId']],
    ]);
  });

  describe('lakeClickSchema', () => {
    it('describes what the transformation writes: ISO time, and the product when known', () => {
      const { timestamp, ...click } = exampleClickEvent();
      const lakeClick = {
        ...click,
        time: '2026-11-29T09:30:00.000Z',
        product: { name: 'Aria Smart Thermostat', category: 'smart', price: 199 },
      };

      expect(lakeClickSchema.parse(lakeClick)).to.deep.equal(lakeClick);
      expect(lakeClickSchema.safeParse({ ...lakeClick, timestamp }).success).to.equal(false);
    });
  });

  describe('telemetryReadingSchema', () => {
    it('accepts a thermostat reading', () => {
      const reading = exampleTelemetryReading();

      expect(telemetryReadingSchema.parse(reading)).to.deep.equal(reading);
    });

    it('accepts the bounds of the temperature range and a time with an offset', () => {
      for (const temperatureC of [-50, 100]) {
        const reading = exampleTelemetryReading({ temperatureC, recordedAt: '2026-11-29T10:30:00+01:00' });

        expect(telemetryReadingSchema.safeParse(reading).success, `${temperatureC}°C`).to.equal(true);
      }
    });

    itRejects(telemetryReadingSchema, [
      ['an unknown field', { ...exampleTelemetryReading(), battery: 80 }, ['battery']],
      ['a temperature above 100°C', exampleTelemetryReading({ temperatureC: 100.1 }), ['temperatureC']],
      ['a temperature below -50°C', exampleTelemetryReading({ temperatureC: -51 }), ['temperatureC']],
      ['a NaN temperature', exampleTelemetryReading({ temperatureC: Number.NaN }), ['temperatureC']],
      ['an infinite temperature', exampleTelemetryReading({ temperatureC: Infinity }), ['temperatureC']],
      [
        'a temperature sent as a string',
        { ...exampleTelemetryReading(), temperatureC: '21.5' },
        ['temperatureC'],
      ],
      ['a humidity above 100%', exampleTelemetryReading({ humidity: 101 }), ['humidity']],
      [
        'a time that is not ISO 8601',
        exampleTelemetryReading({ recordedAt: '29/11/2026 09:30' }),
        ['recordedAt'],
      ],
      [
        'a time with a space instead of T',
        exampleTelemetryReading({ recordedAt: '2026-11-29 09:30:00Z' }),
        ['recordedAt'],
      ],
      [
        'a time without a zone',
        exampleTelemetryReading({ recordedAt: '2026-11-29T09:30:00' }),
        ['recordedAt'],
      ],
      ['a missing readingId', { ...exampleTelemetryReading(), readingId: undefined }, ['readingId']],
    ]);
  });

  describe('deviceRegistrationSchema', () => {
    it('accepts a registration and trims the name and location', () => {
      const registration = exampleDeviceRegistration({ name: '  Bedroom ', location: ' First floor\n' });

      expect(deviceRegistrationSchema.parse(registration)).to.deep.equal({
        name: 'Bedroom',
        location: 'First floor',
        thresholdC: 26,
      });
    });

    itRejects(deviceRegistrationSchema, [
      [
        'an owner chosen by the caller',
        { ...exampleDeviceRegistration(), ownerId: 'someone-else' },
        ['ownerId'],
      ],
      ['a blank name', exampleDeviceRegistration({ name: '   ' }), ['name']],
      ['a name longer than 64 characters', exampleDeviceRegistration({ name: 'x'.repeat(65) }), ['name']],
      ['a threshold above 80°C', exampleDeviceRegistration({ thresholdC: 81 }), ['thresholdC']],
      ['a threshold below -40°C', exampleDeviceRegistration({ thresholdC: -41 }), ['thresholdC']],
      ['a NaN threshold', exampleDeviceRegistration({ thresholdC: Number.NaN }), ['thresholdC']],
      ['a missing location', { ...exampleDeviceRegistration(), location: undefined }, ['location']],
    ]);
  });

  describe('thresholdUpdateSchema', () => {
    it('accepts a new threshold, the bounds included', () => {
      for (const thresholdC of [exampleThresholdUpdate().thresholdC, -40, 80]) {
        expect(thresholdUpdateSchema.parse({ thresholdC })).to.deep.equal({ thresholdC });
      }
    });

    itRejects(thresholdUpdateSchema, [
      ['a rename smuggled into the update', { ...exampleThresholdUpdate(), name: 'Kitchen' }, ['name']],
      ['an empty body', {}, ['thresholdC']],
      ['a threshold sent as a string', { thresholdC: '24.5' }, ['thresholdC']],
      ['an infinite threshold', { thresholdC: -Infinity }, ['thresholdC']],
    ]);
  });

  describe('deviceSchema', () => {
    it('accepts a stored device', () => {
      const device = exampleDevice();

      expect(deviceSchema.parse(device)).to.deep.equal(device);
    });

    itRejects(deviceSchema, [
      ['an unknown field', { ...exampleDevice(), firmware: '1.2.3' }, ['firmware']],
      ['a deviceId with spaces', exampleDevice({ deviceId: 'living room' }), ['deviceId']],
      [
        'a createdAt that is not ISO 8601',
        exampleDevice({ createdAt: 'Sun, 29 Nov 2026 09:30:00 GMT' }),
        ['createdAt'],
      ],
      ['a missing ownerId', { ...exampleDevice(), ownerId: undefined }, ['ownerId']],
    ]);
  });

  describe('windowAggregateSchema', () => {
    it('accepts a five-minute window', () => {
      const aggregate = exampleWindowAggregate();

      expect(windowAggregateSchema.parse(aggregate)).to.deep.equal(aggregate);
    });

    it('accepts a window of one reading, where min, max and average are equal', () => {
      const aggregate = exampleWindowAggregate({ count: 1, sum: 21, min: 21, max: 21, average: 21 });

      expect(windowAggregateSchema.safeParse(aggregate).success).to.equal(true);
    });

    itRejects(windowAggregateSchema, [
      ['an unknown field', { ...exampleWindowAggregate(), median: 21.5 }, ['median']],
      ['an empty window', exampleWindowAggregate({ count: 0 }), ['count']],
      ['a negative count', exampleWindowAggregate({ count: -4 }), ['count']],
      ['a fractional count', exampleWindowAggregate({ count: 2.5 }), ['count']],
      ['a NaN sum', exampleWindowAggregate({ sum: Number.NaN }), ['sum']],
      ['an infinite sum', exampleWindowAggregate({ sum: Infinity }), ['sum']],
      ['a max out of the temperature range', exampleWindowAggregate({ max: 120 }), ['max']],
      ['min greater than max', exampleWindowAggregate({ min: 23, max: 20 }), ['average']],
      ['an average above max', exampleWindowAggregate({ average: 22.6 }), ['average']],
      ['an average below min', exampleWindowAggregate({ average: 20.4 }), ['average']],
      [
        'windowStart after windowEnd',
        exampleWindowAggregate({
          windowStart: '2026-11-29T09:35:00.000Z',
          windowEnd: '2026-11-29T09:30:00.000Z',
        }),
        ['windowEnd'],
      ],
      [
        'a window that ends when it starts',
        exampleWindowAggregate({ windowEnd: exampleWindowAggregate().windowStart }),
        ['windowEnd'],
      ],
      [
        'a windowStart that is not ISO 8601',
        exampleWindowAggregate({ windowStart: '2026-11-29' }),
        ['windowStart'],
      ],
    ]);

    it('compares window bounds as instants, not as text', () => {
      // 10:32+01:00 is 09:32Z: after 09:30Z although the text sorts the other way.
      const aggregate = exampleWindowAggregate({
        windowStart: '2026-11-29T09:30:00Z',
        windowEnd: '2026-11-29T10:32:00+01:00',
      });

      expect(windowAggregateSchema.safeParse(aggregate).success).to.equal(true);
    });
  });

  describe('alertSchema', () => {
    it('accepts an above-threshold alert', () => {
      const alert = exampleAlert();

      expect(alertSchema.parse(alert)).to.deep.equal(alert);
    });

    itRejects(alertSchema, [
      ['an unknown field', { ...exampleAlert(), severity: 'high' }, ['severity']],
      ['an unknown kind', { ...exampleAlert(), kind: 'BELOW_THRESHOLD' }, ['kind']],
      ['a NaN average', exampleAlert({ average: Number.NaN }), ['average']],
      ['a raisedAt in epoch milliseconds', { ...exampleAlert(), raisedAt: 1_795_944_902_118 }, ['raisedAt']],
      ['a missing ownerId', { ...exampleAlert(), ownerId: undefined }, ['ownerId']],
    ]);
  });

  describe('imageRecordSchema', () => {
    it('accepts a processed image with metadata, labels and thumbnails', () => {
      const image = exampleImageRecord();

      expect(imageRecordSchema.parse(image)).to.deep.equal(image);
    });

    it('accepts an upload still being processed', () => {
      const { metadata, labels, thumbnails, ...processing } = exampleImageRecord({ status: 'PROCESSING' });

      expect(imageRecordSchema.safeParse(processing).success).to.equal(true);
    });

    it('accepts a failed image with a failure code and its message', () => {
      const { metadata, labels, thumbnails, ...failed } = exampleImageRecord({
        status: 'FAILED',
        failure: { code: 'ServiceUnavailable', message: 'A service was unavailable. Upload it again later.' },
      });

      expect(imageRecordSchema.safeParse(failed).success).to.equal(true);
    });

    const metadata = exampleImageMetadata();
    itRejects(imageRecordSchema, [
      ['an unknown field', { ...exampleImageRecord(), public: true }, ['public']],
      ['an unknown status', { ...exampleImageRecord(), status: 'DONE' }, ['status']],
      [
        'a failure code the pipeline does not give',
        exampleImageRecord({ failure: { code: 'AccessDeniedException' as 'ProcessingError', message: 'm' } }),
        ['failure.code'],
      ],
      [
        'a failure carrying an error text as cause',
        {
          ...exampleImageRecord(),
          failure: { code: 'ProcessingError', message: 'm', cause: 'arn:aws:iam::1' },
        },
        ['failure.cause'],
      ],
      [
        'a label confidence above 100',
        exampleImageRecord({ labels: [{ name: 'Cat', confidence: 100.5 }] }),
        ['labels.0.confidence'],
      ],
      ['a zero width', exampleImageRecord({ metadata: { ...metadata, width: 0 } }), ['metadata.width']],
      [
        'an EXIF orientation of 9',
        exampleImageRecord({ metadata: { ...metadata, orientation: 9 } }),
        ['metadata.orientation'],
      ],
      [
        'a latitude beyond the pole',
        exampleImageRecord({ metadata: { ...metadata, gps: { latitude: 91, longitude: 0 } } }),
        ['metadata.gps.latitude'],
      ],
      [
        'an unknown EXIF field',
        { ...exampleImageRecord(), metadata: { ...metadata, exif: { lens: '24mm' } } },
        ['metadata.exif.lens'],
      ],
      ['a bucket name shorter than 3 characters', exampleImageRecord({ bucket: 'ab' }), ['bucket']],
      ['an updatedAt that is not ISO 8601', exampleImageRecord({ updatedAt: 'yesterday' }), ['updatedAt']],
    ]);
  });

  describe('catalogEntrySchema', () => {
    it('accepts a Firehose object of the raw zone', () => {
      const entry = exampleCatalogEntry();

      expect(catalogEntrySchema.parse(entry)).to.deep.equal(entry);
    });

    it('accepts a curated parquet object with a version and a column schema', () => {
      const entry = exampleCatalogEntry({
        zone: 'curated',
        key: 'curated/clickstream/daily/year=2026/part-0000.parquet',
        dataset: 'clickstream/daily',
        partitions: { year: '2026' },
        format: 'parquet',
        compression: 'none',
        versionId: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
        schema: [
          { name: 'eventId', type: 'string' },
          { name: 'time', type: 'timestamp' },
        ],
      });

      expect(catalogEntrySchema.parse(entry)).to.deep.equal(entry);
    });

    itRejects(catalogEntrySchema, [
      ['an unknown field', { ...exampleCatalogEntry(), owner: 'data-team' }, ['owner']],
      ['a zone that is not a lake zone', { ...exampleCatalogEntry(), zone: 'landing' }, ['zone']],
      ['a negative size', exampleCatalogEntry({ sizeBytes: -1 }), ['sizeBytes']],
      ['a fractional size', exampleCatalogEntry({ sizeBytes: 10.5 }), ['sizeBytes']],
      ['an unknown format', { ...exampleCatalogEntry(), format: 'xml' }, ['format']],
      ['an unknown compression', { ...exampleCatalogEntry(), compression: 'zip' }, ['compression']],
      ['an empty etag', exampleCatalogEntry({ etag: '' }), ['etag']],
      ['an empty key', exampleCatalogEntry({ key: '' }), ['key']],
      [
        'a partition value that is not a string',
        { ...exampleCatalogEntry(), partitions: { year: 2026 } },
        ['partitions.year'],
      ],
      [
        'a column of an unknown type',
        exampleCatalogEntry({ schema: [{ name: 'price', type: 'decimal' as 'double' }] }),
        ['schema.0.type'],
      ],
      [
        'a registeredAt that is not ISO 8601',
        exampleCatalogEntry({ registeredAt: '2026-11-29T09:31' }),
        ['registeredAt'],
      ],
    ]);
  });

  describe('opsTaskSchema', () => {
    it('accepts a nightly cron task over two accounts and two regions', () => {
      const task = exampleOpsTask();

      expect(opsTaskSchema.parse(task)).to.deep.equal(task);
    });

    for (const schedule of ['rate(1 day)', 'rate(5 minutes)', 'rate(12 hours)', 'cron(0/15 * * * ? *)']) {
      it(`accepts the schedule ${schedule}`, () => {
        expect(opsTaskSchema.safeParse(exampleOpsTask({ schedule })).success).to.equal(true);
      });
    }

    for (const region of ['us-gov-west-1', 'ap-southeast-2', 'il-central-1']) {
      it(`accepts the region ${region}`, () => {
        expect(opsTaskSchema.safeParse(exampleOpsTask({ regions: [region] })).success).to.equal(true);
      });
    }

    itRejects(opsTaskSchema, [
      ['an unknown field', { ...exampleOpsTask(), owner: 'ops' }, ['owner']],
      ['an 11-digit account id', exampleOpsTask({ accounts: ['12345678901'] }), ['accounts.0']],
      [
        'an account alias instead of an id',
        exampleOpsTask({ accounts: ['123456789012', 'prod'] }),
        ['accounts.1'],
      ],
      ['no account', exampleOpsTask({ accounts: [] }), ['accounts']],
      ['a region in capitals', exampleOpsTask({ regions: ['EU-WEST-1'] }), ['regions.0']],
      [
        'an availability zone instead of a region',
        exampleOpsTask({ regions: ['eu-west-1a'] }),
        ['regions.0'],
      ],
      ['a region name', exampleOpsTask({ regions: ['Europe (Ireland)'] }), ['regions.0']],
      ['no region', exampleOpsTask({ regions: [] }), ['regions']],
      ['a schedule in plain words', exampleOpsTask({ schedule: 'every 5 minutes' }), ['schedule']],
      ['a rate in weeks', exampleOpsTask({ schedule: 'rate(2 weeks)' }), ['schedule']],
      ['a bare cron expression', exampleOpsTask({ schedule: '0 3 * * ? *' }), ['schedule']],
      ['an empty cron', exampleOpsTask({ schedule: 'cron()' }), ['schedule']],
      ['a retention of zero days', exampleOpsTask({ retentionDays: 0 }), ['retentionDays']],
      ['a retention above ten years', exampleOpsTask({ retentionDays: 3651 }), ['retentionDays']],
      ['an unknown action', { ...exampleOpsTask(), action: 'delete-volumes' }, ['action']],
      [
        'an unknown field in the tag selector',
        { ...exampleOpsTask(), tagSelector: { key: 'backup', value: 'nightly', op: 'eq' } },
        ['tagSelector.op'],
      ],
    ]);
  });

  describe('opsRunSchema', () => {
    it('accepts a finished run with one done and one failed resource', () => {
      const run = exampleOpsRun();

      expect(opsRunSchema.parse(run)).to.deep.equal(run);
    });

    it('accepts a run still going, with no end and no resource yet', () => {
      const { endedAt, ...running } = exampleOpsRun({ status: 'RUNNING', resources: [] });

      expect(opsRunSchema.safeParse(running).success).to.equal(true);
    });

    const resource = exampleOpsRunResource();
    itRejects(opsRunSchema, [
      ['an unknown field', { ...exampleOpsRun(), triggeredBy: 'schedule' }, ['triggeredBy']],
      ['an unknown status', { ...exampleOpsRun(), status: 'DONE' }, ['status']],
      [
        'a resource in a bad account',
        exampleOpsRun({ resources: [{ ...resource, account: '1234' }] }),
        ['resources.0.account'],
      ],
      [
        'a resource in a bad region',
        exampleOpsRun({ resources: [{ ...resource, region: 'eu_west_1' }] }),
        ['resources.0.region'],
      ],
      [
        'an unknown resource outcome',
        { ...exampleOpsRun(), resources: [{ ...resource, outcome: 'OK' }] },
        ['resources.0.outcome'],
      ],
      [
        'an unknown field on a resource',
        { ...exampleOpsRun(), resources: [{ ...resource, tags: {} }] },
        ['resources.0.tags'],
      ],
      ['an endedAt that is not ISO 8601', exampleOpsRun({ endedAt: '03:02:41' }), ['endedAt']],
    ]);
  });

  describe('securityFindingSchema', () => {
    it('accepts a revoked world-open SSH rule', () => {
      const finding = exampleSecurityFinding();

      expect(securityFindingSchema.parse(finding)).to.deep.equal(finding);
    });

    it('accepts a legacy 8-digit group id and all ports (-1)', () => {
      const finding = exampleSecurityFinding({
        groupId: 'sg-1a2b3c4d',
        protocol: '-1',
        fromPort: -1,
        toPort: -1,
      });

      expect(securityFindingSchema.safeParse(finding).success).to.equal(true);
    });

    itRejects(securityFindingSchema, [
      ['an unknown field', { ...exampleSecurityFinding(), vpcId: 'vpc-0123456789abcdef0' }, ['vpcId']],
      ['a rule id as group id', exampleSecurityFinding({ groupId: 'sgr-0123456789abcdef0' }), ['groupId']],
      ['an instance id as group id', exampleSecurityFinding({ groupId: 'i-0123456789abcdef0' }), ['groupId']],
      ['a group id in capitals', exampleSecurityFinding({ groupId: 'SG-0123456789ABCDEF0' }), ['groupId']],
      ['a group id that is too short', exampleSecurityFinding({ groupId: 'sg-123' }), ['groupId']],
      ['a group name as group id', exampleSecurityFinding({ groupId: 'default' }), ['groupId']],
      ['a port above 65535', exampleSecurityFinding({ toPort: 70000 }), ['toPort']],
      ['a port below -1', exampleSecurityFinding({ fromPort: -2 }), ['fromPort']],
      ['an unknown action', { ...exampleSecurityFinding(), action: 'DELETED' }, ['action']],
      ['an empty reason', exampleSecurityFinding({ reason: '' }), ['reason']],
      ['a detectedAt that is not ISO 8601', exampleSecurityFinding({ detectedAt: 'now' }), ['detectedAt']],
    ]);
  });
});
