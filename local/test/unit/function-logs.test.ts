import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import { labelFunctionOutput } from '../../src/cloud/offline-fixes/function-output';
import { functionLogLine, matches, readLogsFrom, splitFunctionLine } from '../../src/lambda/function-logs';

describe("local cloud: functions' logs", () => {
  it("labels each line of a worker's output with its function, and the local cloud takes the label off", async () => {
    const worker = { stdout: new PassThrough(), stderr: new PassThrough() };
    const outputs = { stdout: new PassThrough(), stderr: new PassThrough() };
    labelFunctionOutput(worker, 'sp-api-dev-getDevice', outputs);

    worker.stdout.end('{"level":"INFO","message":"found"}\nsecond line\n');
    worker.stderr.end('an error\n');
    await new Promise((resolve) => setImmediate(resolve));

    const lines = String(outputs.stdout.read()).trimEnd().split('\n').map(splitFunctionLine);
    expect(lines).to.deep.equal([
      { functionName: 'sp-api-dev-getDevice', text: '{"level":"INFO","message":"found"}' },
      { functionName: 'sp-api-dev-getDevice', text: 'second line' },
    ]);
    expect(splitFunctionLine(String(outputs.stderr.read()).trimEnd())).to.deep.equal({
      functionName: 'sp-api-dev-getDevice',
      text: 'an error',
    });
    expect(splitFunctionLine('offline: Function names exposed for local invocation')).to.deep.equal({
      text: 'offline: Function names exposed for local invocation',
    });
  });

  it('reads whole lines from where it stopped, and filters by service and function', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'function-logs-'));
    try {
      const file = join(dir, 'functions.jsonl');
      const at = new Date('2026-12-05T08:00:00Z');
      await writeFile(
        file,
        functionLogLine('api', { functionName: 'get', text: 'one' }, at) +
          functionLogLine('api', { text: 'offline banner' }, at),
      );
      await appendFile(
        file,
        `${functionLogLine('catalog', { functionName: 'search', text: 'two' }, at)}{"half":`,
      );

      const first = await readLogsFrom(file, 0);
      expect(first.entries.map((entry) => entry.line)).to.deep.equal(['one', 'offline banner', 'two']);
      expect(
        first.entries.filter((entry) => matches(entry, { service: 'api', functionName: 'get' })),
      ).to.have.length(1);
      expect(first.entries.filter((entry) => matches(entry, { service: 'api' }))).to.have.length(2);

      await appendFile(file, `"line"}\n`);
      const rest = await readLogsFrom(file, first.end);
      expect(rest.entries).to.deep.equal([{ half: 'line' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
