import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import { transformClick } from '../../../src/core/click-transform';

describe('click transform', () => {
  it('turns a beacon into one JSON line with ISO time in place of the epoch timestamp', () => {
    const click = exampleClickEvent({ timestamp: 1_795_944_600_123 });

    const transformed = transformClick(JSON.stringify(click));

    expect(transformed.result).to.equal('Ok');
    expect(transformed.data.endsWith('\n')).to.equal(true);
    expect(transformed.data.split('\n')).to.have.length(2);
    const { timestamp, ...rest } = click;
    expect(JSON.parse(transformed.data)).to.deep.equal({ ...rest, time: '2026-11-29T09:30:00.123Z' });
  });

  it('keeps a beacon without a user agent', () => {
    const { userAgent, ...click } = exampleClickEvent();

    const transformed = transformClick(JSON.stringify(click));

    expect(transformed.result).to.equal('Ok');
  });

  it('fails malformed JSON and keeps the original data, so Firehose can store it', () => {
    const raw = '{"eventId":"3f1c9a52-6d2b-4e8f-9a7c-1b2d3e4f5a6b","type":"click",';

    const transformed = transformClick(raw);

    expect(transformed).to.deep.equal({ result: 'ProcessingFailed', data: raw, reason: 'not JSON' });
  });

  it('fails a beacon that breaks the schema, naming the field and keeping the original data', () => {
    const raw = JSON.stringify(exampleClickEvent({ page: 'products/espresso-machine' }));

    const transformed = transformClick(raw);

    expect(transformed).to.deep.equal({
      result: 'ProcessingFailed',
      data: raw,
      reason: 'invalid click event at page',
    });
  });

  it('names every field that breaks the schema', () => {
    const raw = JSON.stringify({
      ...exampleClickEvent(),
      eventId: 'evt-1',
      timestamp: '2026-11-29T09:30:00Z',
    });

    const transformed = transformClick(raw);

    expect(transformed.result).to.equal('ProcessingFailed');
    expect(transformed.reason).to.equal('invalid click event at eventId, timestamp');
  });

  it('fails JSON that is not an object', () => {
    const transformed = transformClick('[1,2,3]');

    expect(transformed).to.deep.equal({
      result: 'ProcessingFailed',
      data: '[1,2,3]',
      reason: 'invalid click event at (root)',
    });
  });

  it('fails, rather than throws on, a timestamp beyond the range of dates', () => {
    // 9e15 ms is a safe integer, so the schema lets it through, but no Date can hold it (max 8.64e15).
    const raw = JSON.stringify(exampleClickEvent({ timestamp: 9e15 }));

    const transform = () => transformClick(raw);

    expect(transform).not.to.throw();
    expect(transform()).to.include({ result: 'ProcessingFailed', data: raw });
  });

  for (const [agent, userAgent] of [
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    [
      'headless Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
    ],
    ['curl', 'curl/8.7.1'],
    ['wget', 'Wget/1.21.4'],
    ['a crawler', 'Mozilla/5.0 (compatible; AhrefsCrawler/7.0)'],
  ] as const) {
    it(`drops a beacon sent by ${agent}`, () => {
      const raw = JSON.stringify(exampleClickEvent({ userAgent }));

      const transformed = transformClick(raw);

      expect(transformed).to.deep.equal({ result: 'Dropped', data: raw, reason: 'automated user agent' });
    });
  }
});
