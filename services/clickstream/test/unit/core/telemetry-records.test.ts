import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { decodeReadings, type StreamRecord } from '../../../src/core/telemetry-records';
import { kplAggregated } from '../../../tools/kpl-records';

const reading = (readingId: string, temperatureC = 21): TelemetryReading => ({
  deviceId: 'dev-1',
  readingId,
  temperatureC,
  recordedAt: '2026-12-05T07:00:00.000Z',
});
const plain = (data: Buffer | string, sequenceNumber: string): StreamRecord => ({
  data: Buffer.from(data).toString('base64'),
  partitionKey: 'dev-1',
  sequenceNumber,
});
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('decodeReadings (plain and KPL-aggregated records)', () => {
  it('reads plain and aggregated records mixed, in stream order, with sub-sequence numbers', () => {
    const [aggregated] = kplAggregated('dev-1', [json(reading('r2')), json(reading('r3'))]);

    const decoded = decodeReadings([
      plain(json(reading('r1')), '1'),
      plain(aggregated as Buffer, '2'),
      plain(json(reading('r4')), '3'),
    ]);

    expect(decoded.map((entry) => (entry.ok ? entry.reading.readingId : entry.reason))).to.deep.equal([
      'r1',
      'r2',
      'r3',
      'r4',
    ]);
    expect(decoded.map((entry) => `${entry.sequenceNumber}/${entry.subSequenceNumber}`)).to.deep.equal([
      '1/0',
      '2/0',
      '2/1',
      '3/0',
    ]);
  });

  it('gives each malformed reading its reason and bytes, and keeps the good ones', () => {
    const decoded = decodeReadings([
      plain('{not json', '1'),
      plain(json({ ...reading('r2'), temperatureC: 400 }), '2'),
      plain(json({ ...reading('r3'), extra: 1 }), '3'),
      plain(json(reading('r4')), '4'),
    ]);

    expect(decoded.map((entry) => entry.ok)).to.deep.equal([false, false, false, true]);
    const reasons = decoded.flatMap((entry) => (entry.ok ? [] : [entry.reason]));
    expect(reasons[0]).to.match(/^not JSON/);
    expect(reasons[1]).to.match(/temperatureC/);
    expect(reasons[2]).to.match(/extra/);
    const first = decoded[0];
    expect(first?.ok === false && first.data.toString()).to.equal('{not json');
  });

  it('refuses a corrupt aggregated record as a whole, with the KPL reason', () => {
    const [aggregated] = kplAggregated('dev-1', [json(reading('r1')), json(reading('r2'))]);
    const corrupt = Buffer.from(aggregated as Buffer);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 1) ^ 0xff, corrupt.length - 1); // the MD5 no longer matches

    const decoded = decodeReadings([plain(corrupt, '1'), plain(json(reading('r3')), '2')]);

    expect(decoded).to.have.length(2);
    expect(decoded[0]?.ok === false && decoded[0].reason).to.match(/^KPL: .*checksum/);
    expect(decoded[1]?.ok).to.equal(true);
  });
});
