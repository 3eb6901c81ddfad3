import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { sniffContent } from '../../../src/core/content-sniffing';

const bytes = (text: string) => new TextEncoder().encode(text);
const PARQUET_HEAD = bytes('PAR1\u0015\u0004\u0015');

describe('content sniffing', () => {
  it('reads Parquet by its magic number, whatever the name', () => {
    expect(sniffContent(PARQUET_HEAD, false)).to.deep.equal({ format: 'parquet', compression: 'none' });
  });

  it('reads JSON lines when the first line is a JSON object', () => {
    const sniffed = sniffContent(bytes('{"a":1}\n{"a":2}\n'), true);

    expect(sniffed).to.deep.equal({ format: 'jsonl', compression: 'none', text: '{"a":1}\n{"a":2}\n' });
  });

  it('reads CSV when the first lines have the same number of fields, quoted delimiters aside', () => {
    const sniffed = sniffContent(bytes('id,name\n1,"Smith, Jane"\n2,Bob\n'), true);

    expect(sniffed).to.include({ format: 'csv', compression: 'none' });
  });

  it('reads a tab-separated file as CSV', () => {
    expect(sniffContent(bytes('a\tb\tc\n1\t2\t3\n'), true).format).to.equal('csv');
  });

  it('inflates gzip and reads what is inside (Firehose output without an extension)', () => {
    const sniffed = sniffContent(gzipSync('{"click":1}\n{"click":2}\n'), true);

    expect(sniffed).to.deep.equal({
      format: 'jsonl',
      compression: 'gzip',
      text: '{"click":1}\n{"click":2}\n',
    });
  });

  it('reads the start of a gzip stream cut in the middle, up to its last whole line', () => {
    const lines = Array.from({ length: 5000 }, (_, index) =>
      JSON.stringify({ index, text: `row ${index}` }),
    ).join('\n');
    const compressed = gzipSync(lines);

    const sniffed = sniffContent(compressed.subarray(0, compressed.length / 2), false);

    expect(sniffed.format).to.equal('jsonl');
    expect(sniffed.text?.endsWith('\n')).to.equal(true);
    for (const line of (sniffed.text ?? '').trim().split('\n')) expect(() => JSON.parse(line)).not.to.throw();
  });

  it('keeps only whole lines of a sample cut in the middle', () => {
    const sniffed = sniffContent(bytes('{"a":1}\n{"a":2}\n{"a":'), false);

    expect(sniffed.text).to.equal('{"a":1}\n{"a":2}\n');
  });

  it('calls binary content unknown', () => {
    expect(sniffContent(new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x10]), true).format).to.equal('unknown');
  });

  it('calls prose unknown: one field per line is not a table', () => {
    expect(sniffContent(bytes('Dear reader\nthis is a letter\n'), true).format).to.equal('unknown');
  });

  it('calls a JSON array unknown: a table reads one object per line', () => {
    expect(sniffContent(bytes('[{"a":1},{"a":2}]'), true).format).to.equal('unknown');
  });

  it('calls an empty object unknown', () => {
    expect(sniffContent(new Uint8Array(), true)).to.deep.equal({ format: 'unknown', compression: 'none' });
  });

  it('calls a corrupt gzip stream unknown, compressed', () => {
    expect(sniffContent(new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), true)).to.include({
      format: 'unknown',
      compression: 'gzip',
    });
  });
});
