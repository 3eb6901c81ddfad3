import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'chai';

const REPO = join(import.meta.dirname, '..', '..');
const BIOME = join(REPO, 'node_modules', '.bin', 'biome');

interface Diagnostic {
  category: string;
  location: { path: string };
}

/**
 * Lints probe files with the repository's own Biome configuration, in a folder of their own (so that
 * nothing is written into the working tree), and returns the restricted-import diagnostics per file.
 */
async function restrictedImports(files: Record<string, string>): Promise<Record<string, number>> {
  const folder = await mkdtemp(join(tmpdir(), 'product-imports-'));
  try {
    const config = JSON.parse(await readFile(join(REPO, 'biome.json'), 'utf8')) as Record<string, unknown>;
    delete config.$schema;
    // The probe folder is no git checkout.
    await writeFile(join(folder, 'biome.json'), JSON.stringify({ ...config, vcs: { enabled: false } }));
    for (const [path, text] of Object.entries(files)) {
      await mkdir(dirname(join(folder, path)), { recursive: true });
      await writeFile(join(folder, path), text);
    }
    const { stdout } = await promisify(execFile)(BIOME, ['lint', '--reporter=json', '.'], {
      cwd: folder,
    }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
    const { diagnostics } = JSON.parse(stdout) as { diagnostics: Diagnostic[] };
    const counts = Object.fromEntries(Object.keys(files).map((path) => [path, 0]));
    for (const diagnostic of diagnostics) {
      if (diagnostic.category !== 'lint/style/noRestrictedImports') continue;
      counts[diagnostic.location.path] = (counts[diagnostic.location.path] ?? 0) + 1;
    }
    return counts;
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

const importing = (source: string) => `import { thing } from '${source}';\n\nexport const used = thing;\n`;

describe('what product code may import (biome.json, noRestrictedImports)', function () {
  this.timeout(30_000);

  it('refuses the local cloud and the testing entry points in services and the shared library', async () => {
    const counts = await restrictedImports({
      'services/api/src/handlers/by-package.ts': importing('@serverless-patterns/local/testing'),
      'services/api/src/core/by-path.ts': importing('../../../../local/src/cloud/layout'),
      'services/catalog/src/core/command-line.ts': importing('@serverless-patterns/local/command-line'),
      'services/ops/src/adapters/testing.ts': importing('@serverless-patterns/shared/testing'),
      'shared/src/clients/by-path.ts': importing('../../../local/src/cloud/endpoints'),
    });

    for (const [path, count] of Object.entries(counts)) expect(count, path).to.be.greaterThan(0);
  });

  it("lets tests, the local cloud, the testing entry point and services' tools and scripts import them", async () => {
    const counts = await restrictedImports({
      'services/api/test/unit/uses-testing.test.ts': importing('@serverless-patterns/shared/testing'),
      'services/api/test/integration/uses-cloud.test.ts': importing('@serverless-patterns/local/testing'),
      'local/src/cloud/uses-shared.ts': importing('@serverless-patterns/shared/s3-events'),
      'services/clickstream/tools/a-tool.ts': importing('@serverless-patterns/local/command-line'),
      'services/ops/scripts/a-script.ts': importing('@serverless-patterns/local/command-line'),
      'shared/src/testing/events/s3.ts': importing('../../s3-events'),
    });

    expect(counts).to.deep.equal(Object.fromEntries(Object.keys(counts).map((path) => [path, 0])));
  });
});
