import { expect } from 'chai';
import * as fc from 'fast-check';
import { formatReportLine, parseReportLine } from '../../../src/cloud/offline-fixes/invocation-report';

// As Lambda writes them to a function's log stream (tab-separated), and as Logs Insights returns @message.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html#node-logging-output
const WARM =
  'REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 256 MB\tMax Memory Used: 81 MB\t';
const COLD_TRACED =
  'REPORT RequestId: 8f5b0c2e-1111-4c5e-9a1b-0e7b2a1c3d4e\tDuration: 101.55 ms\tBilled Duration: 290 ms\tMemory Size: 1024 MB\tMax Memory Used: 143 MB\tInit Duration: 187.71 ms\t\nXRAY TraceId: 1-5e1b4151-5ac6c58f1e0d3c0c5a0c3a1d\tSegmentId: 1b3c5d7e9f0a1b2c\tSampled: true\t';

describe('rightsize: REPORT lines', () => {
  it("reads Lambda's line of a warm invocation", () => {
    expect(parseReportLine(WARM)).to.deep.equal({
      requestId: '3604209a-e9a3-11e6-939a-754dd98c7be3',
      durationMs: 12.34,
      billedDurationMs: 13,
      memorySizeMb: 256,
      maxMemoryUsedMb: 81,
    });
  });

  it("reads a cold start's Init Duration apart, and leaves the X-Ray part alone", () => {
    expect(parseReportLine(COLD_TRACED)).to.deep.include({
      durationMs: 101.55,
      billedDurationMs: 290,
      memorySizeMb: 1024,
      maxMemoryUsedMb: 143,
      initDurationMs: 187.71,
    });
  });

  it('reads a line whose tabs became spaces (copied from a console)', () => {
    expect(parseReportLine(WARM.replaceAll('\t', ' '))).to.deep.equal(parseReportLine(WARM));
  });

  it('is undefined for every other line, and for a REPORT line that lacks a figure', () => {
    expect(parseReportLine('START RequestId: 3604209a Version: $LATEST')).to.equal(undefined);
    expect(parseReportLine('{"level":"INFO","message":"REPORT RequestId: x"}')).to.equal(undefined);
    expect(parseReportLine('REPORT RequestId: x\tDuration: 1.00 ms\tMemory Size: 128 MB')).to.equal(
      undefined,
    );
  });

  it('reads back every line it writes', () => {
    const report = fc.record(
      {
        requestId: fc.uuid(),
        durationMs: fc.integer({ min: 0, max: 900_000_00 }).map((hundredths) => hundredths / 100),
        billedDurationMs: fc.integer({ min: 1, max: 900_000 }),
        memorySizeMb: fc.integer({ min: 128, max: 10_240 }),
        maxMemoryUsedMb: fc.integer({ min: 1, max: 10_240 }),
        initDurationMs: fc.integer({ min: 0, max: 10_000_00 }).map((hundredths) => hundredths / 100),
      },
      { requiredKeys: ['requestId', 'durationMs', 'billedDurationMs', 'memorySizeMb', 'maxMemoryUsedMb'] },
    );
    fc.assert(
      fc.property(report, (written) => {
        expect(parseReportLine(formatReportLine(written))).to.deep.equal(written);
      }),
    );
  });
});
