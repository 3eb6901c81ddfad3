import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { watchForRestart } from '../../../src/cloud/restart-notices';

describe('restart notices', () => {
  let root: string;
  let stop: () => void = () => undefined;
  const notices: string[] = [];
  const settle = () => new Promise((resolve) => setTimeout(resolve, 800));

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'restart-notices-'));
    await mkdir(join(root, 'services', 'orders', 'src'), { recursive: true });
    await writeFile(join(root, 'services', 'orders', 'serverless.yml'), 'service: orders\n');
    notices.length = 0;
    stop = watchForRestart({
      root,
      services: [{ key: 'orders', path: join(root, 'services', 'orders') }],
      notify: (line) => notices.push(line),
    });
  });

  afterEach(async () => {
    stop();
    await rm(root, { recursive: true, force: true });
  });

  it("names a service's serverless.yml once it changes, once per save", async () => {
    await writeFile(join(root, 'services', 'orders', 'serverless.yml'), 'service: orders\n# a\n');
    await writeFile(join(root, 'services', 'orders', 'serverless.yml'), 'service: orders\n# b\n');
    await settle();

    expect(notices).to.have.length(1);
    expect(notices[0]).to.match(/^services\/orders\/serverless\.yml changed: .* restart it/);
  });

  it('names serverless.common.yml, which every service reads', async () => {
    await writeFile(join(root, 'serverless.common.yml'), 'provider: {}\n');
    await settle();

    expect(notices).to.deep.equal([
      'serverless.common.yml changed: the local cloud applies it at start-up only; restart it to apply the change (Ctrl-C, then npm start).',
    ]);
  });

  it('says nothing of sources, which hot reload applies, nor once stopped', async () => {
    await writeFile(join(root, 'services', 'orders', 'src', 'handler.ts'), 'export {};\n');
    stop();
    await writeFile(join(root, 'services', 'orders', 'serverless.yml'), 'service: renamed\n');
    await settle();

    expect(notices).to.deep.equal([]);
  });
});
