import { expect } from 'chai';
import {
  classifySample,
  isPaymentCard,
  luhnValid,
  MAX_SCANNED_CHARACTERS,
} from '../../../src/core/sensitive-data';

describe('sensitive data classification', () => {
  it('finds nothing in ordinary click data', () => {
    const sample = [
      '{"eventId":"e-1","time":"2026-11-29T09:31:02Z","page":"/thermostats/t-100","price":129.99,"count":4111}',
      '{"eventId":"e-2","time":"2026-11-29T09:31:05.123Z","version":"1.2.3","sessions":1234567890123}',
    ].join('\n');

    expect(classifySample(sample)).to.deep.equal([]);
  });

  for (const [description, sample, expected] of [
    ['an e-mail address', '{"contact":"jane.doe+lake@example.co.uk"}', ['email']],
    ['an international phone number', 'name,phone\nJane,+44 20 7946 0958\n', ['phone']],
    ['a compact E.164 number', '{"phone":"+14155550123"}', ['phone']],
    ['a US phone number with separators', 'call (415) 555-0123 now', ['phone']],
    ['a Visa test card number', '{"card":"4111 1111 1111 1111"}', ['payment-card']],
    ['an Amex test number with dashes', 'amex 3782-822463-10005 ok', ['payment-card']],
    ['an IPv4 address', '{"ip":"203.0.113.42"}', ['ip-address']],
    ['an IPv6 address', 'client=2001:db8:85a3::8a2e:370:7334', ['ip-address']],
    [
      'several kinds at once',
      'jane@example.com,192.168.1.20,5555555555554444',
      ['email', 'payment-card', 'ip-address'],
    ],
  ] as const) {
    it(`finds ${description}`, () => {
      expect(classifySample(sample)).to.deep.equal(expected);
    });
  }

  for (const [description, sample] of [
    ['a 16-digit number that fails the Luhn check', '{"id":"4111111111111112"}'],
    ['a Luhn-valid number with no card network prefix', '{"id":"0000000000000000"}'],
    ['a timestamp in milliseconds', '{"t":1764408662000}'],
    ['an ISO date and time', '2026-11-29T09:31:02+01:00'],
    ['a version number with four parts above 255', 'v 1.300.2.4'],
    ['a clock time', 'at 09:31:02 sharp'],
    ['a C++ scope', 'std::vector<int>'],
    ['a MAC address', '00:1A:2B:3C:4D:5E'],
    ['an at sign without a domain', 'meet @ noon'],
  ] as const) {
    it(`does not mistake ${description} for personal data`, () => {
      expect(classifySample(sample)).to.deep.equal([]);
    });
  }

  it('scans a bounded sample: what lies beyond it is not seen', () => {
    const sample = `${'x'.repeat(MAX_SCANNED_CHARACTERS)} jane@example.com`;

    expect(classifySample(sample)).to.deep.equal([]);
  });

  it('scans a megabyte without a separator in linear time (no pattern backtracks over it)', function () {
    this.timeout(2000);
    for (const filler of ['x', '1', 'a:', 'x.', '+1 ']) {
      const started = Date.now();

      classifySample(filler.repeat(MAX_SCANNED_CHARACTERS / filler.length));

      expect(Date.now() - started, filler).to.be.below(500);
    }
  });

  it('checks the Luhn checksum as published (every second digit from the right doubled)', () => {
    expect(luhnValid('79927398713')).to.equal(true);
    expect(luhnValid('79927398710')).to.equal(false);
  });

  it('accepts the card networks’ test numbers and refuses their neighbours', () => {
    for (const number of ['4012888888881881', '5105105105105100', '6011111111111117', '3530111333300000'])
      expect(isPaymentCard(number), number).to.equal(true);
    expect(isPaymentCard('4012888888881882')).to.equal(false);
  });
});
