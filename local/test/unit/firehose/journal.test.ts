import { appendFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openJournal } from '../../../src/emulators/firehose/journal';

describe('Firehose journal', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firehose-journal-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const texts = (records: readonly { data: Buffer }[]) => records.map((record) => record.data.toString());

  it('numbers records in call order and finds them again after a reopen', async () => {
    const journal = await openJournal(dir);
    const [first, second] = await Promise.all([
      journal.append([
        { arrival: 1, data: Buffer.from('a') },
        { arrival: 1, data: Buffer.from('b') },
      ]),
      journal.append([{ arrival: 2, data: Buffer.from('c') }]),
    ]);
    await journal.close();

    const reopened = await openJournal(dir);

    expect([first, second]).to.deep.equal([[0, 1], [2]]);
    expect(reopened.recovered.map(({ seq, arrival }) => [seq, arrival])).to.deep.equal([
      [0, 1],
      [1, 1],
      [2, 2],
    ]);
    expect(texts(reopened.recovered)).to.deep.equal(['a', 'b', 'c']);
    await reopened.close();
  });

  it('recovers only what is past the checkpoint, and numbers on after it', async () => {
    const journal = await openJournal(dir);
    await journal.append(['a', 'b', 'c'].map((text) => ({ arrival: 0, data: Buffer.from(text) })));
    await journal.checkpoint(2);
    await journal.close();

    const reopened = await openJournal(dir);
    const [next] = await reopened.append([{ arrival: 0, data: Buffer.from('d') }]);

    expect(texts(reopened.recovered)).to.deep.equal(['c']);
    expect(next).to.equal(3);
    await reopened.close();
  });

  it('drops a frame cut short by a crash, which was never acknowledged', async () => {
    const journal = await openJournal(dir);
    await journal.append([{ arrival: 0, data: Buffer.from('whole') }]);
    await journal.close();
    const [segment] = await readdir(dir);
    // A header announcing 100 bytes, followed by 3.
    const torn = Buffer.alloc(15);
    torn.writeUInt32BE(100, 0);
    await appendFile(join(dir, segment as string), torn);

    const reopened = await openJournal(dir);
    await reopened.append([{ arrival: 0, data: Buffer.from('after') }]);
    await reopened.close();
    const again = await openJournal(dir);

    expect(texts(again.recovered)).to.deep.equal(['whole', 'after']);
    await again.close();
  });

  it('deletes segments once every record in them is delivered', async () => {
    for (let round = 0; round < 3; round += 1) {
      const journal = await openJournal(dir);
      await journal.append([{ arrival: 0, data: Buffer.from(String(round)) }]);
      await journal.close();
    }
    const journal = await openJournal(dir);
    const before = (await readdir(dir)).filter((file) => file.endsWith('.log'));

    await journal.checkpoint(3);

    const after = (await readdir(dir)).filter((file) => file.endsWith('.log'));
    expect(before).to.have.length(3);
    expect(after).to.deep.equal([before.at(-1)]);
    await journal.close();
  });
});
