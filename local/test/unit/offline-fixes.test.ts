import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { REPO_ROOT } from '../../src/cloud/layout';
import { applyFixes, OFFLINE_FIXES } from '../../src/cloud/offline-fixes/patches';

const HOOK = join(import.meta.dirname, '../../src/cloud/offline-fixes.mjs');

/** The installed file a fix targets ('/serverless-offline/src/x.js' -> node_modules/serverless-offline/src/x.js). */
function installed(target: string): string {
  return join(REPO_ROOT, 'node_modules', target);
}

describe('serverless-offline fixes', () => {
  for (const fix of OFFLINE_FIXES) {
    it(`applies to the installed ${fix.target} (${fix.why})`, async () => {
      // Prepare
      const file = installed(fix.target);
      const source = await readFile(file, 'utf8');
      const warnings: string[] = [];

      // Act
      const patched = applyFixes(pathToFileURL(file).href, source, (message) => warnings.push(message), [
        fix,
      ]);

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

  describe('the proxy event body, as API Gateway passes it', () => {
    const TEXTS = ['false', '0', 'null', '""', '-0', 'true', '{"name":"x"}', '[]', ' 1 '];
    const bodies = new Map<string, unknown[]>();

    /** The bodies serverless-offline builds into its events, with the fixes loaded, for POSTs of `texts` as JSON. */
    async function bodiesOf(texts: string[], version: 'v1' | 'v2'): Promise<unknown[]> {
      const module = installed(
        version === 'v1'
          ? '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEvent.js'
          : '/serverless-offline/src/events/http/lambda-events/LambdaProxyIntegrationEventV2.js',
      );
      // As serverless-offline's HttpServer leaves the request: rawPayload the text, payload parsed.
      const script = `
        const { default: Event } = await import(${JSON.stringify(pathToFileURL(module).href)});
        const bodies = ${JSON.stringify(texts)}.map((text) => {
          let parsed = text;
          try { parsed = JSON.parse(text); } catch {}
          const request = {
            payload: parsed,
            rawPayload: text,
            raw: { req: { rawHeaders: ['content-type', 'application/json'], url: '/devices', payload: Buffer.from(text), headers: {} } },
            headers: { 'content-type': 'application/json' },
            info: { received: Date.now(), remoteAddress: '127.0.0.1' },
            method: 'post',
            route: { path: '/devices' },
            params: {},
            auth: { credentials: null },
            url: new URL('http://127.0.0.1/devices'),
          };
          return new Event(request, 'local', ${version === 'v1' ? "'/devices'" : "'POST /devices'"}).create().body;
        });
        console.log(JSON.stringify(bodies));
      `;
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ['--import', HOOK, '--input-type=module', '-e', script],
        { cwd: dirname(HOOK) },
      );
      return JSON.parse(stdout) as unknown[];
    }

    before(async function () {
      this.timeout(30_000);
      for (const version of ['v1', 'v2'] as const) bodies.set(version, await bodiesOf(TEXTS, version));
    });

    for (const version of ['v1', 'v2'] as const) {
      it(`${version}: every JSON body, false and 0 included, reaches the function as the text sent`, () => {
        expect(bodies.get(version)).to.deep.equal(TEXTS);
      });
    }
  });
});
