import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/cloud/layout';
import { NODE_RUNTIME_BASE_MB, parseReportLine } from '../../src/cloud/offline-fixes/invocation-report';
import { applyFixes, OFFLINE_FIXES } from '../../src/cloud/offline-fixes/patches';
import { splitFunctionLine } from '../../src/lambda/function-logs';

const HOOK = join(import.meta.dirname, '../../src/cloud/offline-fixes.mjs');

/** The installed file a fix targets ('/serverless-offline/src/x.js' -> node_modules/serverless-offline/src/x.js). */
function installed(target: string): string {
  return join(REPO_ROOT, 'node_modules', target);
}

describe('serverless-offline fixes', () => {
  for (const [index, fix] of OFFLINE_FIXES.entries()) {
    it(`applies to the installed ${fix.target} (${fix.why})`, async () => {
      // Prepare: the module as the fixes before this one leave it, as the load hook applies them.
      const file = installed(fix.target);
      const url = pathToFileURL(file).href;
      const warnings: string[] = [];
      const source = applyFixes(
        url,
        await readFile(file, 'utf8'),
        (message) => warnings.push(message),
        OFFLINE_FIXES.slice(0, index),
      );

      // Act
      const patched = applyFixes(url, source, (message) => warnings.push(message), [fix]);

      // Assess: an upgrade that changes the source shows up here, not as a silent difference from AWS.
      expect(warnings).to.deep.equal([]);
      expect(patched).to.not.equal(source);
    });
  }

  it('leaves a module whose source changed as it is, with a warning naming the fix', () => {
    const warnings: string[] = [];
    const url = 'file:///x/node_modules/serverless-offline/src/events/http/createAuthScheme.js';

    const patched = applyFixes(url, 'export default function somethingElse() {}', (m) => warnings.push(m));

    expect(patched).to.equal('export default function somethingElse() {}');
    expect(warnings).to.have.length(2);
    expect(warnings[0]).to.include('methodArn from the request path');
  });

  it('leaves modules that no fix targets alone', () => {
    const warnings: string[] = [];
    const patched = applyFixes('file:///x/other.js', 'let body = this.#request.payload', (m) =>
      warnings.push(m),
    );
    expect(patched).to.equal('let body = this.#request.payload');
    expect(warnings).to.deep.equal([]);
  });

  /** A request as serverless-offline's HttpServer hands it to the event: rawPayload the text, payload parsed. */
  interface OfflineRequest {
    body: string;
    headers?: Record<string, string>;
    /** What the authorizer returned: its principalId and context. */
    authorizer?: { principalId: string; context: Record<string, string> };
  }

  /** The events serverless-offline builds from `requests`, with the fixes loaded, as JSON. */
  async function eventsOf(
    requests: OfflineRequest[],
    version: 'v1' | 'v2',
  ): Promise<{ body: unknown; requestContext: { authorizer?: Record<string, unknown> } }[]> {
    const module = installed(
      version === 'v1'
        ? '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEvent.js'
        : '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js',
    );
    const script = `
      const { default: Event } = await import(${JSON.stringify(pathToFileURL(module).href)});
      const events = ${JSON.stringify(requests)}.map(({ body, headers = {}, authorizer }) => {
        let parsed = body;
        try { parsed = JSON.parse(body); } catch {}
        const allHeaders = { 'content-type': 'application/json', ...headers };
        const request = {
          payload: parsed,
          rawPayload: body,
          raw: { req: { rawHeaders: Object.entries(allHeaders).flat(), url: '/devices', payload: Buffer.from(body), headers: {} } },
          headers: allHeaders,
          info: { received: Date.now(), remoteAddress: '127.0.0.1' },
          method: 'post',
          route: { path: '/devices' },
          params: {},
          auth: { credentials: authorizer ?? null },
          url: new URL('http://127.0.0.1/devices'),
        };
        return new Event(request, 'local', ${version === 'v1' ? "'/devices'" : "'POST /devices'"}).create();
      });
      console.log(JSON.stringify(events));
    `;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', HOOK, '--input-type=module', '-e', script],
      { cwd: dirname(HOOK), env: { ...process.env, AUTHORIZER: '' } },
    );
    return JSON.parse(stdout);
  }

  describe('the proxy event body, as API Gateway passes it', () => {
    const TEXTS = ['false', '0', 'null', '""', '-0', 'true', '{"name":"x"}', '[]', ' 1 '];
    const bodies = new Map<string, unknown[]>();

    before(async function () {
      this.timeout(30_000);
      for (const version of ['v1', 'v2'] as const) {
        const events = await eventsOf(
          TEXTS.map((body) => ({ body })),
          version,
        );
        bodies.set(
          version,
          events.map((event) => event.body),
        );
      }
    });

    for (const version of ['v1', 'v2'] as const) {
      it(`${version}: every JSON body, false and 0 included, reaches the function as the text sent`, () => {
        expect(bodies.get(version)).to.deep.equal(TEXTS);
      });
    }
  });

  describe("the authorizer's context, whatever the request's headers", () => {
    const OWN = { principalId: 'sub-of-the-caller', context: { userId: 'sub-of-the-caller' } };
    const OVERRIDE = { 'sls-offline-authorizer-override': JSON.stringify({ userId: 'sub-of-someone-else' }) };

    it("v1: the sls-offline-authorizer-override header does not replace the authorizer's output", async function () {
      this.timeout(30_000);
      const [event] = await eventsOf([{ body: '{}', headers: OVERRIDE, authorizer: OWN }], 'v1');

      expect(event?.requestContext.authorizer).to.include({ userId: 'sub-of-the-caller' });
      expect(event?.requestContext.authorizer).to.include({ principalId: 'sub-of-the-caller' });
    });

    it("v2: the sls-offline-authorizer-override header does not replace the authorizer's output", async function () {
      this.timeout(30_000);
      const [event] = await eventsOf([{ body: '{}', headers: OVERRIDE, authorizer: OWN }], 'v2');

      expect(event?.requestContext.authorizer).to.deep.include({ lambda: { userId: 'sub-of-the-caller' } });
    });
  });

  describe('a warm execution environment', () => {
    let dir: string;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'offline-runner-'));
    });

    after(() => rm(dir, { recursive: true, force: true }));

    it('runs the handler it loaded at its cold start, without resolving it again', async function () {
      this.timeout(30_000);
      // A function whose file is gone after the first invocation: Lambda ran the loaded module, and so
      // must the fixed runner (serverless-offline resolved the file again, and failed).
      await writeFile(
        join(dir, 'handler.js'),
        'let calls = 0; exports.handler = async () => ({ calls: ++calls });',
      );
      const runner = installed(
        '/serverless-offline/src/lambda/handler-runner/in-process-runner/InProcessRunner.js',
      );
      const script = `
        const { rm } = await import('node:fs/promises');
        const { default: InProcessRunner } = await import(${JSON.stringify(pathToFileURL(runner).href)});
        const dir = ${JSON.stringify(dir)};
        const runner = new InProcessRunner({ codeDir: dir, handler: 'handler.handler', servicePath: dir, timeout: 5000 }, process.env);
        const results = [await runner.run({}, {})];
        await rm(dir + '/handler.js');
        results.push(await runner.run({}, {}).catch((error) => ({ error: error.name })));
        console.log(JSON.stringify(results));
      `;

      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', HOOK, '--input-type=module', '-e', script],
        { cwd: dirname(HOOK) },
      );

      expect(JSON.parse(stdout)).to.deep.equal([{ calls: 1 }, { calls: 2 }]);
    });
  });

  describe("each invocation's REPORT line, as Lambda writes it", () => {
    let dir: string;

    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'offline-report-'));
    });

    after(() => rm(dir, { recursive: true, force: true }));

    it('measures every invocation in its worker, a failed one too, with the cold start apart', async function () {
      this.timeout(30_000);
      // Prepare: a function that keeps 64 MB, then allocates 64 MB it lets go, then fails.
      const MB = 64;
      await writeFile(
        join(dir, 'handler.js'),
        `exports.handler = async (event) => {
          if (event.keep) globalThis.kept = Buffer.alloc(event.keep * 2 ** 20);
          if (event.transient && Buffer.alloc(event.transient * 2 ** 20).length === 0) throw new Error('empty');
          if (event.fail) throw new Error('failed on purpose');
          return 'done';
        };`,
      );
      const runner = installed(
        '/serverless-offline/src/lambda/handler-runner/worker-thread-runner/WorkerThreadRunner.js',
      );
      const script = `
        const { default: WorkerThreadRunner } = await import(${JSON.stringify(pathToFileURL(runner).href)});
        const dir = ${JSON.stringify(dir)};
        const runner = new WorkerThreadRunner({ codeDir: dir, functionKey: 'measured', functionName: 'sp-dev-measured', handler: 'handler.handler', servicePath: dir, timeout: 5000 }, {});
        const events = [{}, { keep: ${MB} }, { transient: ${MB} }, { fail: true }];
        // The worker's output reaches this thread after its answers: the runner stops once every line came.
        let reports = 0;
        const allReported = new Promise((resolve) => {
          const write = process.stdout.write.bind(process.stdout);
          process.stdout.write = (chunk, ...rest) => {
            if (String(chunk).includes('REPORT RequestId:') && ++reports === events.length) setImmediate(resolve);
            return write(chunk, ...rest);
          };
        });
        for (const [index, event] of events.entries())
          await runner.run(event, { awsRequestId: 'request-' + index, memoryLimitInMB: '256' }).catch(() => {});
        await allReported;
        await runner.cleanup();
      `;

      // A file, not -e: the worker threads inherit the process's options (--import HOOK, as in osls).
      const scriptFile = join(dir, 'invoke.mjs');
      await writeFile(scriptFile, script);

      // Act
      const { stdout } = await promisify(execFile)(process.execPath, ['--import', HOOK, scriptFile], {
        cwd: dirname(HOOK),
        timeout: 25_000,
      });

      // Assess
      const lines = stdout.trimEnd().split('\n').map(splitFunctionLine);
      expect(lines.every((line) => line.functionName === 'sp-dev-measured')).to.equal(true);
      const reports = lines.map((line) => parseReportLine(line.text));
      expect(reports.map((report) => report?.requestId)).to.deep.equal([
        'request-0',
        'request-1',
        'request-2',
        'request-3',
      ]);
      const [cold, kept, transient, failed] = reports.map(
        (report) => report ?? expect.fail('not a REPORT line'),
      );
      expect(cold?.initDurationMs).to.be.a('number');
      expect([kept, transient, failed].map((report) => report?.initDurationMs)).to.deep.equal([
        undefined,
        undefined,
        undefined,
      ]);
      for (const report of reports) {
        expect(report?.memorySizeMb).to.equal(256);
        expect(report?.billedDurationMs).to.be.at.least(Math.ceil(report?.durationMs ?? 0));
        expect(report?.maxMemoryUsedMb).to.be.above(NODE_RUNTIME_BASE_MB);
      }
      // Buffers are the isolate's external memory: kept, and let go during the invocation, they count.
      expect((kept?.maxMemoryUsedMb ?? 0) - (cold?.maxMemoryUsedMb ?? 0)).to.be.at.least(MB);
      expect((transient?.maxMemoryUsedMb ?? 0) - (kept?.maxMemoryUsedMb ?? 0)).to.be.at.least(MB);
    });
  });
});
