import { appendFile, mkdtemp, rename, rm, truncate, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { type LogAgent, startLogAgent } from '../../../tools/log-agent/log-agent';

describe('log agent', () => {
  let dir: string;
  let file: string;
  let received: string[];
  const agents: LogAgent[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'log-agent-'));
    file = join(dir, 'clicks.log');
    received = [];
  });
  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async () => {
    const agent = await startLogAgent({
      file,
      checkpointFile: join(dir, '.clicks.log.checkpoint'),
      send: async (lines) => {
        received.push(...lines.map((line) => line.toString()));
      },
      pollMs: 2,
    });
    agents.push(agent);
    return agent;
  };
  const stop = async (agent: LogAgent) => {
    await agent.stop();
    agents.splice(agents.indexOf(agent), 1);
  };
  const lines = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, index) => `line ${from + index}\n`).join('');
  const expected = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, index) => `line ${from + index}\n`);

  it('sends the lines of a growing file, each once, a line only once its newline is written', async () => {
    await writeFile(file, lines(0, 3));
    const agent = await start();
    await agent.caughtUp();
    await appendFile(file, 'line 3 is half');
    await agent.caughtUp();
    const beforeNewline = [...received];

    await appendFile(file, ' written\n');
    await agent.caughtUp();

    expect(beforeNewline).to.deep.equal(expected(0, 3));
    expect(received).to.deep.equal([...expected(0, 3), 'line 3 is half written\n']);
  });

  it('follows a rename rotation: the old file to its end (its last line without a newline too), then the new one', async () => {
    await writeFile(file, lines(0, 2));
    const agent = await start();
    await agent.caughtUp();

    await appendFile(file, 'line 2\nline 3 without newline');
    await rename(file, `${file}.1`);
    await writeFile(file, lines(4, 6));
    await agent.caughtUp();
    await agent.caughtUp();

    expect(received).to.deep.equal([...expected(0, 3), 'line 3 without newline\n', ...expected(4, 6)]);
  });

  it('goes on after a restart from its checkpoint, finding the file rotated meanwhile by its inode', async () => {
    await writeFile(file, lines(0, 3));
    const first = await start();
    await first.caughtUp();
    await stop(first);

    await appendFile(file, lines(3, 5));
    await rename(file, `${file}.1`);
    await writeFile(file, lines(5, 7));
    const second = await start();
    await second.caughtUp();
    await second.caughtUp();

    expect(received).to.deep.equal(expected(0, 7));
  });

  it('reads a file cut short (copytruncate) again from its start', async () => {
    await writeFile(file, lines(0, 3));
    const agent = await start();
    await agent.caughtUp();

    await truncate(file, 0);
    await agent.caughtUp();
    await appendFile(file, lines(3, 4));
    await agent.caughtUp();

    expect(received).to.deep.equal(expected(0, 4));
  });

  it('loses and repeats nothing while a writer rotates every 50 lines and the agent is restarted twice', async function () {
    // A thousand appends, twenty rotations and two restarts: seconds on a quiet machine, more on a
    // busy one; the bound only keeps a hang from running forever.
    this.timeout(120_000);
    const total = 1_000;
    let agent = await start();
    for (let line = 0; line < total; line += 1) {
      await appendFile(file, `line ${line}\n`);
      if (line % 50 === 49) {
        await rename(file, `${file}.${line}`);
        await writeFile(file, '');
      }
      if (line === 300 || line === 700) {
        await stop(agent);
        agent = await start();
      }
    }
    await agent.caughtUp();
    await agent.caughtUp();

    expect(received).to.deep.equal(expected(0, total));
  });

  // File times tick with the kernel's coarse clock: a fast writer gives rotated files the same time.
  it('reads rotated files that share one modification time each once, in the order they were written', async () => {
    await writeFile(file, lines(0, 2));
    const first = await start();
    await first.caughtUp();
    await stop(first);
    await rename(file, `${file}.a`);
    await writeFile(file, lines(2, 4));
    await rename(file, `${file}.b`);
    await writeFile(file, lines(4, 6));
    const sameTime = new Date();
    for (const path of [`${file}.a`, `${file}.b`, file]) await utimes(path, sameTime, sameTime);

    const agent = await start();
    await agent.caughtUp();
    await agent.caughtUp();

    expect(received).to.deep.equal(expected(0, 6));
  });
});
