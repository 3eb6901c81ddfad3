import { expect } from 'chai';
import * as fc from 'fast-check';
import { invocationRecord } from '../../../src/lambda/invocation-records';
import { LAMBDA_PRICES, type LambdaPrices } from '../../../src/rightsize/lambda-prices';
import { localInvocations } from '../../../src/rightsize/local-invocations';
import { renderTable } from '../../../src/rightsize/report-table';
import {
  costPerMillion,
  type FunctionConfiguration,
  parseWindow,
  recommendedMemory,
  rightsize,
  rightsizeAll,
} from '../../../src/rightsize/rightsize';

const PRICES: LambdaPrices = {
  ...LAMBDA_PRICES,
  perMillionRequests: 0.2,
  perGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
};

const GET_DEVICE: FunctionConfiguration = {
  service: 'api',
  key: 'getDevice',
  name: 'serverless-patterns-api-dev-getDevice',
  memorySizeMb: 1024,
  architecture: 'arm64',
};

const invocation = (durationMs: number, maxMemoryUsedMb: number) => ({
  durationMs,
  billedDurationMs: Math.ceil(durationMs),
  maxMemoryUsedMb,
});

describe('rightsize: the method', () => {
  describe('the recommended memory size', () => {
    it('is the peak plus 30 %, rounded up to 64 MB', () => {
      expect(recommendedMemory(100)).to.equal(192); // 130 -> 192
      expect(recommendedMemory(196)).to.equal(256); // 254.8 -> 256
      expect(recommendedMemory(200)).to.equal(320); // 260 -> 320
    });

    it("stays within Lambda's 128 MB to 10,240 MB", () => {
      expect(recommendedMemory(40)).to.equal(128);
      expect(recommendedMemory(9_000)).to.equal(10_240);
    });

    it('always leaves the headroom, when the limits allow it', () => {
      fc.assert(
        fc.property(fc.integer({ min: 1, max: 7_800 }), (peak) => {
          const size = recommendedMemory(peak);
          expect(size).to.be.at.least(peak * 1.3);
          expect(size % 64).to.equal(0);
          expect(size - 64).to.be.below(Math.max(128, peak * 1.3));
        }),
      );
    });
  });

  describe('the cost per million invocations', () => {
    it("is Lambda's request price plus the GB-seconds at the architecture's price", () => {
      // 1 GB for 100 ms on arm64: 0.1 GB-s each, 100,000 GB-s a million: $1.33334, plus $0.20.
      expect(costPerMillion(1024, 100, 'arm64', PRICES)).to.be.closeTo(1.53334, 1e-9);
      // 128 MB for 10 ms on x86: 0.00125 GB-s each, 1,250 GB-s a million: $0.02083, plus $0.20.
      expect(costPerMillion(128, 10, 'x86_64', PRICES)).to.be.closeTo(0.2 + 1250 * 0.0000166667, 1e-9);
    });
  });

  describe("a function's row", () => {
    it('has the percentiles, the peak, the recommended size and the cost at both sizes, duration held equal', () => {
      const invocations = [
        invocation(4.2, 90),
        invocation(10.5, 96),
        invocation(3.1, 88),
        invocation(250, 140),
      ];

      const row = rightsize({ fn: GET_DEVICE, invocations }, undefined, PRICES);

      expect(row).to.deep.include({
        invocations: 4,
        measured: 4,
        p50DurationMs: 4.2,
        p99DurationMs: 250,
        peakMemoryMb: 140,
        recommendedMemoryMb: 192,
      });
      // Billed 5, 11, 4 and 250 ms: 67.5 ms on average.
      expect(row?.meanBilledDurationMs).to.equal(67.5);
      expect(row?.costPerMillion.current).to.be.closeTo(costPerMillion(1024, 67.5, 'arm64', PRICES), 1e-12);
      expect(row?.costPerMillion.recommended).to.be.closeTo(
        costPerMillion(192, 67.5, 'arm64', PRICES),
        1e-12,
      );
      expect(row?.costPerMillion.recommended).to.be.below(row?.costPerMillion.current ?? 0);
    });

    it('takes the peak of more invocations than a call takes as arguments', () => {
      const invocations = Array.from({ length: 200_000 }, (_, index) =>
        invocation(5, index === 123_456 ? 900 : 80),
      );

      expect(rightsize({ fn: GET_DEVICE, invocations })?.peakMemoryMb).to.equal(900);
    });

    it('counts the invocations there were when only the latest were measured', () => {
      const row = rightsize({ fn: GET_DEVICE, invocations: [invocation(5, 80)], count: 25_000 });

      expect(row).to.deep.include({ invocations: 25_000, measured: 1 });
    });

    it('is left out for a function with no invocation, and the rest come by service and function', () => {
      const fn = (service: string, key: string) => ({ ...GET_DEVICE, service, key });
      const rows = rightsizeAll([
        { fn: fn('catalog', 'search'), invocations: [invocation(5, 80)] },
        { fn: fn('api', 'idle'), invocations: [] },
        { fn: fn('api', 'listDevices'), invocations: [invocation(5, 80)] },
        { fn: fn('api', 'getDevice'), invocations: [invocation(5, 80)] },
      ]);

      expect(rows.map((row) => `${row.fn.service}/${row.fn.key}`)).to.deep.equal([
        'api/getDevice',
        'api/listDevices',
        'catalog/search',
      ]);
    });
  });

  it('reads a window as 30m, 24h or 7d, and nothing else', () => {
    expect(parseWindow('30m')).to.equal(30 * 60_000);
    expect(parseWindow('24h')).to.equal(24 * 3_600_000);
    expect(parseWindow('7d')).to.equal(7 * 86_400_000);
    for (const wrong of ['7', 'd', '0d', '-1h', '1.5h', '2w'])
      expect(parseWindow(wrong), wrong).to.equal(undefined);
  });

  describe("the local cloud's records", () => {
    const answer = { service: 'fixture-service', key: 'answer', name: 'local-fixture-local-answer' };
    const record = (at: string, report: { durationMs: number; maxMemoryUsedMb: number }, memorySize = 256) =>
      invocationRecord(
        { ...answer, memorySize, architecture: 'arm64' },
        {
          requestId: at,
          billedDurationMs: Math.ceil(report.durationMs),
          memorySizeMb: memorySize,
          ...report,
        },
        new Date(at),
      );

    it('start when their REPORT line came, less the duration and the cold start', () => {
      const cold = invocationRecord(
        { ...answer, memorySize: 256, architecture: 'arm64' },
        {
          requestId: 'r1',
          durationMs: 20,
          billedDurationMs: 100,
          memorySizeMb: 256,
          maxMemoryUsedMb: 70,
          initDurationMs: 80,
        },
        new Date('2026-12-05T12:00:00.100Z'),
      );

      expect(cold).to.deep.equal({
        service: 'fixture-service',
        functionKey: 'answer',
        functionName: 'local-fixture-local-answer',
        requestId: 'r1',
        start: '2026-12-05T12:00:00.000Z',
        durationMs: 20,
        billedDurationMs: 100,
        initDurationMs: 80,
        memorySizeMb: 256,
        maxMemoryUsedMb: 70,
        architecture: 'arm64',
      });
    });

    it("are grouped by function, within the window, with the latest record's configuration", () => {
      const records = [
        record('2026-12-01T00:00:00Z', { durationMs: 3, maxMemoryUsedMb: 500 }),
        record('2026-12-05T10:00:00Z', { durationMs: 4, maxMemoryUsedMb: 60 }),
        record('2026-12-05T11:00:00Z', { durationMs: 5, maxMemoryUsedMb: 64 }, 512),
      ];

      const [grouped, ...others] = localInvocations(records, new Date('2026-12-05T00:00:00Z'));

      expect(others).to.deep.equal([]);
      expect(grouped?.fn).to.deep.equal({
        service: 'fixture-service',
        key: 'answer',
        name: 'local-fixture-local-answer',
        memorySizeMb: 512,
        architecture: 'arm64',
      });
      expect(grouped?.invocations.map((invocation) => invocation.maxMemoryUsedMb)).to.deep.equal([60, 64]);
    });
  });

  it('prints one aligned line per function under a header', () => {
    const rows = rightsizeAll(
      [
        { fn: GET_DEVICE, invocations: [invocation(4.2, 90), invocation(12, 96)] },
        {
          fn: { ...GET_DEVICE, key: 'registerDevice', memorySizeMb: 128, architecture: 'x86_64' },
          invocations: [invocation(150, 120)],
          count: 12_000,
        },
      ],
      undefined,
      PRICES,
    );

    const lines = renderTable(rows).split('\n');

    // getDevice: billed 5 and 12 ms, 8.5 ms on average: 1 GB -> $0.1133 of duration a million, 128 MB
    // -> $0.0142. registerDevice: 150 ms, 0.125 GB -> $0.3125, 0.1875 GB -> $0.4688 (x86).
    expect(lines).to.deep.equal([
      'service  function        arch    invocations  p50 ms  p99 ms  peak MB  memory MB  recommended MB  $/1M now  $/1M recommended',
      'api      getDevice       arm64             2    4.20    12.0       96       1024           128 ↓   $0.3133           $0.2142',
      'api      registerDevice  x86_64      12000 ≈     150     150      120        128           192 ↑   $0.5125           $0.6688',
    ]);
  });
});
