import { ServiceUnavailableError } from '@serverless-patterns/shared/errors';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import { type ClickStream, createClickCollector } from '../../../src/core/click-collector';

const clicks = (count: number) =>
  Array.from({ length: count }, (_, index) => exampleClickEvent({ page: `/products/${index}` }));

/** A stream that refuses the records `refuse` picks (by call and position), and records every call. */
function scriptedStream(refuse: (call: number, position: number) => boolean = () => false) {
  const calls: string[][] = [];
  const stream: ClickStream = {
    async putBatch(records) {
      calls.push(records.map((record) => JSON.parse(record.toString()).page));
      const call = calls.length;
      return records.map((_, position) =>
        refuse(call, position)
          ? { accepted: false as const, errorCode: 'ServiceUnavailableException' }
          : { accepted: true as const },
      );
    },
  };
  return { stream, calls };
}

describe('click collector', () => {
  const waits: number[] = [];
  const options = { sleep: async (ms: number) => void waits.push(ms), random: () => 1 };
  beforeEach(() => {
    waits.length = 0;
  });

  it('puts the clicks as JSON lines in one batch', async () => {
    const puts: Buffer[][] = [];
    const collector = createClickCollector({
      stream: {
        async putBatch(records) {
          puts.push([...records]);
          return records.map(() => ({ accepted: true as const }));
        },
      },
      ...options,
    });
    const [click] = clicks(1);

    expect(await collector.collect([click as never])).to.deep.equal({ accepted: 1 });
    expect(puts.map((batch) => batch.map(String))).to.deep.equal([[`${JSON.stringify(click)}\n`]]);
  });

  it('sends again only the records that failed, after a backoff', async () => {
    const { stream, calls } = scriptedStream(
      (call, position) => call === 1 && (position === 1 || position === 3),
    );
    const collector = createClickCollector({ stream, ...options });

    const result = await collector.collect(clicks(4));

    expect(result).to.deep.equal({ accepted: 4 });
    expect(calls).to.deep.equal([
      ['/products/0', '/products/1', '/products/2', '/products/3'],
      ['/products/1', '/products/3'],
    ]);
    expect(waits).to.deep.equal([100]);
  });

  it('backs off exponentially with full jitter, up to the cap', async () => {
    const { stream } = scriptedStream(() => true);
    const collector = createClickCollector({
      stream,
      maxAttempts: 6,
      baseDelayMs: 50,
      maxDelayMs: 1_000,
      ...options,
    });

    await collector.collect(clicks(1)).catch(() => undefined);

    expect(waits).to.deep.equal([100, 200, 400, 800, 1_000]);
  });

  it('reports the clicks still refused after the last try, never drops them silently', async () => {
    const { stream, calls } = scriptedStream((_call, position) => position === 0);
    const collector = createClickCollector({ stream, maxAttempts: 3, ...options });

    const error = await collector.collect(clicks(2)).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).details).to.deep.equal([
      { path: 'clicks.0', message: 'ServiceUnavailableException' },
    ]);
    expect(calls).to.have.length(3);
  });

  it('treats a call that failed as a whole as every record of it refused, and tries again', async () => {
    let call = 0;
    const collector = createClickCollector({
      stream: {
        async putBatch(records) {
          call += 1;
          if (call === 1) throw Object.assign(new Error('down'), { name: 'ServiceUnavailableException' });
          return records.map(() => ({ accepted: true as const }));
        },
      },
      ...options,
    });

    expect(await collector.collect(clicks(3))).to.deep.equal({ accepted: 3 });
    expect(call).to.equal(2);
  });

  it('splits what it sends at 500 records per PutRecordBatch', async () => {
    const { stream, calls } = scriptedStream();
    const collector = createClickCollector({ stream, ...options });

    await collector.collect(clicks(1_001));

    expect(calls.map((batch) => batch.length)).to.deep.equal([500, 500, 1]);
  });
});
