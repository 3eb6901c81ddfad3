import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { localPaths } from '../../src/cloud/layout';
import { startEmulators } from '../../src/cloud/phases/emulators';
import { type CloudSettings, createPortBook, createTeardown } from '../../src/cloud/phases/settings';
import { createStartTimings } from '../../src/cloud/phases/timings';
import {
  closeHttpServer,
  endpointFor,
  isPortOpen,
  listenOnLoopback,
  type RunningEmulator,
} from '../../src/emulators/emulator';
import type { EmulatorContext, EmulatorDefinition } from '../../src/emulators/emulator-definition';
import { EMULATORS } from '../../src/emulators/registry';

const EMULATORS_DIR = join(import.meta.dirname, '..', '..', 'src', 'emulators');

/** An emulator that answers 200 with its name, and remembers the context it was started with. */
function fakeEmulator(
  name: string,
  options: Partial<Pick<EmulatorDefinition, 'needs' | 'missingPrerequisite'>> & {
    started?: EmulatorContext[];
    fails?: boolean;
  } = {},
): EmulatorDefinition {
  return {
    name,
    endpointVariables: { [name]: name.toUpperCase() },
    preferredPort: 1,
    ...(options.needs ? { needs: options.needs } : {}),
    ...(options.missingPrerequisite ? { missingPrerequisite: options.missingPrerequisite } : {}),
    async start(context): Promise<RunningEmulator> {
      options.started?.push(context);
      if (options.fails) throw new Error(`${name} could not start`);
      const server = createServer((_request, response) => response.end(name));
      await listenOnLoopback(server, context.port, name);
      return { name, endpoint: endpointFor(context.port), stop: () => closeHttpServer(server) };
    },
  };
}

describe('emulator registry', () => {
  it('gives each emulator a folder with an index.ts, a name, endpoint keys and variables of its own', () => {
    const names = EMULATORS.map((emulator) => emulator.name);
    const keys = EMULATORS.flatMap((emulator) => Object.keys(emulator.endpointVariables));
    const variables = EMULATORS.flatMap((emulator) => Object.values(emulator.endpointVariables));

    expect(new Set(names).size, 'names').to.equal(names.length);
    expect(new Set(keys).size, 'endpoint keys').to.equal(keys.length);
    expect(new Set(variables).size, 'endpoint variables').to.equal(variables.length);
    for (const emulator of EMULATORS) {
      expect(existsSync(join(EMULATORS_DIR, emulator.name, 'index.ts')), emulator.name).to.equal(true);
      for (const needed of ('needs' in emulator ? emulator.needs : []) as string[])
        expect(names, `${emulator.name} needs ${needed}`).to.include(needed);
    }
  });
});

describe('emulators phase', () => {
  let dataDir: string;
  let settings: CloudSettings;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'emulators-phase-'));
    settings = {
      root: dataDir,
      stage: 'local',
      paths: localPaths(dataDir, dataDir),
      preferredPort: () => undefined,
      freePort: createPortBook(() => undefined),
      esbuildWorkFolder: '.esbuild-test',
      params: {},
      retryDelayScale: 1,
      log: () => undefined,
      timings: createStartTimings(),
      iamProofSecret: 'test-secret',
    };
  });

  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it("starts every emulator side by side, giving those that need another that one's address", async () => {
    const started: EmulatorContext[] = [];
    const teardown = createTeardown(() => undefined);

    const emulators = await startEmulators(
      settings,
      [fakeEmulator('reader', { needs: ['store'], started }), fakeEmulator('store')],
      teardown,
    );

    try {
      const reader = started[0];
      expect(reader?.endpointOf('store')).to.equal((emulators.endpoints as Record<string, string>).store);
      expect(() => reader?.endpointOf('reader')).to.throw(/needs/);
      expect(
        await (await fetch((emulators.endpoints as Record<string, string>).store ?? '')).text(),
      ).to.equal('store');
    } finally {
      await teardown.stopAll();
    }
  });

  it('skips an emulator whose tool is missing: named with the reason, its endpoint answers with it', async () => {
    const teardown = createTeardown(() => undefined);
    const started: EmulatorContext[] = [];
    const reason = 'moto_server is not on the PATH: pip install "moto[server]"';

    const emulators = await startEmulators(
      settings,
      [fakeEmulator('moto', { missingPrerequisite: async () => reason, started }), fakeEmulator('store')],
      teardown,
    );

    try {
      expect(started).to.deep.equal([]);
      expect(emulators.skipped).to.deep.equal([{ name: 'moto', reason }]);
      expect(emulators.isRunning('moto')).to.equal(false);
      expect(emulators.isRunning('store')).to.equal(true);
      const answer = await fetch((emulators.endpoints as Record<string, string>).moto ?? '', {
        method: 'POST',
        body: '{}',
      });
      expect(answer.status).to.equal(503);
      expect(answer.headers.get('x-amzn-errortype')).to.equal('ServiceUnavailableException');
      expect(((await answer.json()) as { message: string }).message).to.include(reason);
    } finally {
      await teardown.stopAll();
    }
  });

  it('stops the emulators that started when another fails, and fails with its error', async () => {
    const teardown = createTeardown(() => undefined);
    const started: EmulatorContext[] = [];

    const failure = await startEmulators(
      settings,
      [fakeEmulator('store', { started }), fakeEmulator('broken', { fails: true })],
      teardown,
    ).catch((error: unknown) => error);
    await teardown.stopAll();

    expect(failure).to.be.an('error').with.property('message', 'broken could not start');
    expect(await isPortOpen(started[0]?.port ?? 0)).to.equal(false);
  });
});
