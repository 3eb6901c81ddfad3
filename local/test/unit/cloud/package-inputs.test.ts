import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { packagingInputsHash } from '../../../src/cloud/package-inputs';

describe('packaging inputs', () => {
  let root: string;
  const service = () => ({ key: 'orders', path: join(root, 'services', 'orders') });
  const options = (overrides: Partial<Parameters<typeof packagingInputsHash>[1]> = {}) => ({
    root,
    stage: 'local',
    params: {},
    env: {},
    workFolder: '.esbuild',
    ...overrides,
  });
  const write = async (path: string, text: string) => {
    await mkdir(join(root, path, '..'), { recursive: true });
    await writeFile(join(root, path), text);
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'packaging-inputs-'));
    await write('serverless.common.yml', 'provider: { name: aws }\n');
    await write('package-lock.json', '{}');
    await write('shared/src/http.ts', 'export const json = 1;');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless.yml's variable syntax, not JavaScript's
    await write('services/orders/serverless.yml', 'service: orders\ncustom: { dir: "${env:ORDERS_DIR}" }\n');
    await write('services/orders/src/handlers/place-order.ts', 'export const handler = 1;');
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  const changes: [string, () => Promise<unknown>][] = [
    [
      'a handler changes',
      () => write('services/orders/src/handlers/place-order.ts', 'export const handler = 2;'),
    ],
    ['a source file is added', () => write('services/orders/src/core/orders.ts', 'export {};')],
    ['serverless.yml changes', () => write('services/orders/serverless.yml', 'service: orders-v2\n')],
    [
      'serverless.common.yml changes',
      () => write('serverless.common.yml', 'provider: { name: aws, x: 1 }\n'),
    ],
    ['the shared library changes', () => write('shared/src/http.ts', 'export const json = 2;')],
    ['a dependency changes (the lock file)', () => write('package-lock.json', '{"lockfileVersion":3}')],
  ];
  for (const [what, change] of changes) {
    it(`changes when ${what}`, async () => {
      const before = await packagingInputsHash(service(), options());

      await change();

      expect(await packagingInputsHash(service(), options())).to.not.equal(before);
    });
  }

  it('changes with the stage, a stage parameter, and a variable serverless.yml names', async () => {
    const before = await packagingInputsHash(service(), options());

    const changed = await Promise.all([
      packagingInputsHash(service(), options({ stage: 'dev' })),
      packagingInputsHash(service(), options({ params: { labelDetection: 'false' } })),
      packagingInputsHash(service(), options({ env: { ORDERS_DIR: '/tmp/orders' } })),
    ]);

    for (const hash of changed) expect(hash).to.not.equal(before);
  });

  it('stays the same when only tests, build outputs, dependencies or other variables change', async () => {
    const before = await packagingInputsHash(service(), options());

    await write('services/orders/test/unit/place-order.test.ts', 'it("works", () => {});');
    await write('services/orders/.esbuild/.build/src/handlers/place-order.js', 'bundle');
    await write('services/orders/.serverless/placeOrder.zip', 'zip');
    await write('services/orders/node_modules/x/index.js', 'module.exports = 1;');
    await write('shared/test/http.test.ts', 'it("works", () => {});');

    expect(await packagingInputsHash(service(), options({ env: { UNRELATED: 'x' } }))).to.equal(before);
  });
});
