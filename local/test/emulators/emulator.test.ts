import { createServer, type Server } from 'node:net';
import { expect } from 'chai';
import {
  EmulatorStartError,
  findFreePort,
  isPortOpen,
  LOOPBACK,
  spawnChild,
  startChildEmulator,
  stopChild,
  waitForPort,
} from '../../src/emulators/emulator';

const listen = (port: number) =>
  new Promise<Server>((resolve) => {
    const server = createServer();
    server.listen(port, LOOPBACK, () => resolve(server));
  });
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('emulator helpers', function () {
  this.timeout(60_000);

  describe('findFreePort', () => {
    it('returns the preferred port when it is free, another one when it is taken', async () => {
      const preferred = await findFreePort();
      expect(await findFreePort(preferred)).to.equal(preferred);

      const taken = await listen(preferred);
      try {
        const other = await findFreePort(preferred);

        expect(other).to.not.equal(preferred);
        expect(await isPortOpen(other)).to.equal(false);
      } finally {
        await close(taken);
      }
    });
  });

  describe('waitForPort', () => {
    it('gives up with an EmulatorStartError when nothing listens', async () => {
      const error = await waitForPort(await findFreePort(), 200).catch((e: unknown) => e);

      expect(error).to.be.instanceOf(EmulatorStartError);
    });
  });

  describe('stopChild', () => {
    it('kills a child that ignores SIGTERM once the grace period is over', async () => {
      const child = spawnChild({
        command: process.execPath,
        args: ['-e', "process.on('SIGTERM', () => {}); console.log('up'); setInterval(() => {}, 1000);"],
        cwd: process.cwd(),
      });
      await new Promise((resolve) => child.process.stdout?.once('data', resolve));

      await stopChild(child, 300);

      expect((await child.exited).signal).to.equal('SIGKILL');
    });
  });

  describe('startChildEmulator', () => {
    it('fails fast, with what the child printed, when it exits before it is ready', async () => {
      const port = await findFreePort();
      const lines: string[] = [];

      // Readiness would wait ten minutes, far beyond the test's timeout: only the exit can end it.
      const error = await startChildEmulator({
        name: 'broken',
        port,
        timeoutMs: 600_000,
        spawn: {
          command: process.execPath,
          args: ['-e', "console.error('Address already in use'); process.exit(3);"],
          cwd: process.cwd(),
          log: (line) => lines.push(line),
        },
        ready: (signal) => waitForPort(port, 600_000, signal),
      }).catch((e: unknown) => e);

      expect(error).to.be.instanceOf(EmulatorStartError);
      expect((error as Error).message)
        .to.include('code 3')
        .and.include('Address already in use');
      expect(lines).to.deep.equal(['Address already in use']);
    });

    it('reports a command that does not exist', async () => {
      const port = await findFreePort();

      const error = await startChildEmulator({
        name: 'missing',
        port,
        timeoutMs: 30_000,
        spawn: { command: 'no-such-emulator-binary', args: [], cwd: process.cwd() },
        ready: (signal) => waitForPort(port, 30_000, signal),
      }).catch((e: unknown) => e);

      expect(error).to.be.instanceOf(EmulatorStartError);
      expect((error as Error).message).to.include('ENOENT');
    });

    it('stops the child and says so when it is not ready in time', async () => {
      const port = await findFreePort();
      let pid = 0;

      const error = await startChildEmulator({
        name: 'slow',
        port,
        timeoutMs: 500,
        spawn: {
          command: process.execPath,
          args: ['-e', 'console.log(process.pid); setInterval(() => {}, 1000);'],
          cwd: process.cwd(),
          log: (line) => {
            pid = Number(line);
          },
        },
        ready: (signal) => waitForPort(port, 30_000, signal),
      }).catch((e: unknown) => e);

      expect(error).to.be.instanceOf(EmulatorStartError);
      expect((error as Error).message).to.include('not ready after 500 ms');
      expect(pid).to.be.above(0);
      expect(() => process.kill(pid, 0))
        .to.throw()
        .with.property('code', 'ESRCH');
    });
  });
});
