import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { expect } from 'chai';
import { captureLogs, captureLogsInEachTest, type LogCapture } from '../../../src/testing';

const logger = new Logger({ serviceName: 'log-capture-test' });
const realStdoutWrite = process.stdout.write;
const realStderrWrite = process.stderr.write;

/** Runs `act` with what reaches the terminal recorded instead, so the test can tell what got through. */
function terminalDuring(act: () => void): string {
  const written: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof stream.write;
  }
  try {
    act();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = writes[index] as typeof stream.write;
    });
  }
  return written.join('');
}

describe('testing: captureLogs', () => {
  it("keeps the Logger's lines, parsed, off the terminal", () => {
    const capture = captureLogs();
    logger.info('device registered', { deviceId: 'dev-1' });
    logger.error('device rejected', { deviceId: 'dev-2' });
    capture.release();

    expect(
      capture.logs().map(({ level, message, service, deviceId }) => ({ level, message, service, deviceId })),
    ).to.deep.equal([
      { level: 'INFO', message: 'device registered', service: 'log-capture-test', deviceId: 'dev-1' },
      { level: 'ERROR', message: 'device rejected', service: 'log-capture-test', deviceId: 'dev-2' },
    ]);
  });

  it('lets everything that is not JSON through to the terminal', () => {
    let capture: LogCapture | undefined;
    const terminal = terminalDuring(() => {
      capture = captureLogs();
      logger.info('kept');
      process.stdout.write('1 passing\n');
      capture.release();
    });

    expect(terminal).to.equal('1 passing\n');
    expect(capture?.logs().map((entry) => entry.message)).to.deep.equal(['kept']);
  });

  it('keeps the EMF metrics Metrics flushes apart from the log lines', () => {
    const metrics = new Metrics({ namespace: 'serverless-patterns', serviceName: 'log-capture-test' });

    const capture = captureLogs();
    metrics.addMetric('devicesRegistered', MetricUnit.Count, 2);
    metrics.publishStoredMetrics();
    logger.info('after the metrics');
    capture.release();

    expect(capture.metrics()).to.have.length(1);
    expect(capture.metrics()[0]).to.include({ devicesRegistered: 2, service: 'log-capture-test' });
    expect(capture.logs().map((entry) => entry.message)).to.deep.equal(['after the metrics']);
    expect(capture.entries()).to.have.length(2);
  });

  it('reads a pretty-printed document as one entry', () => {
    const capture = captureLogs();
    process.stdout.write(`${JSON.stringify({ level: 'INFO', message: 'pretty' }, null, 4)}\n`);
    capture.release();

    expect(capture.logs()).to.deep.equal([{ level: 'INFO', message: 'pretty' }]);
  });

  it('forgets what it kept when cleared', () => {
    const capture = captureLogs();
    logger.info('before');
    capture.clear();
    logger.info('after');
    capture.release();

    expect(capture.logs().map((entry) => entry.message)).to.deep.equal(['after']);
  });

  it('gives the streams back when released, once however often it is called', () => {
    const capture = captureLogs();
    expect(process.stdout.write).to.not.equal(realStdoutWrite);

    capture.release();
    capture.release();

    expect(process.stdout.write).to.equal(realStdoutWrite);
    expect(process.stderr.write).to.equal(realStderrWrite);
  });

  it('refuses to end before a capture that began after it', () => {
    const outer = captureLogs();
    const inner = captureLogs();

    try {
      expect(() => outer.release()).to.throw('reverse order');
    } finally {
      inner.release();
      outer.release();
    }
    expect(process.stdout.write).to.equal(realStdoutWrite);
  });
});

describe('testing: captureLogsInEachTest', () => {
  describe('in a describe that uses it', () => {
    const capture = captureLogsInEachTest();

    before(() => {
      expect(() => capture.logs()).to.throw('only while a test runs');
    });

    it('captures while the test runs', () => {
      logger.info('first test');

      expect(process.stdout.write).to.not.equal(realStdoutWrite);
      expect(capture.logs().map((entry) => entry.message)).to.deep.equal(['first test']);
    });

    it('starts each test empty (runs after the test above)', () => {
      expect(capture.entries()).to.deep.equal([]);
    });
  });

  // Mocha runs a suite's own tests before its child suites: this check lives in a later sibling.
  describe('after a describe that used it', () => {
    it('has given the streams back', () => {
      expect(process.stdout.write).to.equal(realStdoutWrite);
      expect(process.stderr.write).to.equal(realStderrWrite);
    });
  });
});
