import { expect } from 'chai';
import {
  effectivePrefixes,
  evaluatePrefix,
  formatTimestamp,
  lambdaPartitionKeys,
  objectKey,
  PrefixError,
} from '../../../src/emulators/firehose/prefixes';

// The examples of https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html, evaluated at
// 10:30 AM UTC on Aug 27, 2018.
const AUG_27 = new Date(Date.UTC(2018, 7, 27, 10, 30, 5, 42));

describe('Firehose prefixes', () => {
  describe('formatTimestamp (Java DateTimeFormatter, UTC)', () => {
    it('formats the fields prefixes use', () => {
      expect(formatTimestamp('yyyy/MM/dd/HH/mm/ss', AUG_27)).to.equal('2018/08/27/10/30/05');
      expect(formatTimestamp('yy-M-d-H DDD SSS', AUG_27)).to.equal('18-8-27-10 239 042');
    });

    it('keeps text in single quotes, and two quotes as one', () => {
      expect(formatTimestamp("'year='yyyy'/month='MM", AUG_27)).to.equal('year=2018/month=08');
      expect(formatTimestamp("yyyy''MM", AUG_27)).to.equal("2018'08");
    });

    it('refuses a field it does not format, naming it', () => {
      expect(() => formatTimestamp('yyyy-QQ', AUG_27)).to.throw(PrefixError, '"QQ"');
    });
  });

  describe('semantic rules', () => {
    it('appends yyyy/MM/dd/HH/ to a prefix without a timestamp expression', () => {
      const { prefix } = effectivePrefixes('myFirehosePrefix/', 'errors/!{firehose:error-output-type}/', {
        dynamicPartitioning: false,
      });

      expect(evaluatePrefix(prefix, { timestamp: AUG_27 })).to.equal('myFirehosePrefix/2018/08/27/10/');
    });

    it('derives the error prefix from a Prefix without expressions when it is left out', () => {
      const { errorOutputPrefix } = effectivePrefixes('myFirehosePrefix/', undefined, {
        dynamicPartitioning: false,
      });

      expect(
        evaluatePrefix(errorOutputPrefix, { timestamp: AUG_27, errorOutputType: 'processing-failed' }),
      ).to.equal('myFirehosePrefix/processing-failed/2018/08/27/10/');
    });

    it('refuses a Prefix with expressions and no ErrorOutputPrefix', () => {
      expect(() =>
        effectivePrefixes('!{timestamp:yyyy/MM/dd}', undefined, { dynamicPartitioning: false }),
      ).to.throw(PrefixError, 'ErrorOutputPrefix is required');
    });

    it('refuses error-output-type in a Prefix, and an ErrorOutputPrefix with expressions but without it', () => {
      expect(() =>
        effectivePrefixes('a/!{firehose:error-output-type}/', 'e/!{firehose:error-output-type}/', {
          dynamicPartitioning: false,
        }),
      ).to.throw(PrefixError);
      expect(() =>
        effectivePrefixes('a/!{timestamp:yyyy}/', 'e/!{timestamp:yyyy}/', { dynamicPartitioning: false }),
      ).to.throw(PrefixError, 'must include !{firehose:error-output-type}');
    });

    it('evaluates the documented examples', () => {
      const { prefix, errorOutputPrefix } = effectivePrefixes(
        'myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/',
        'myErrorPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/!{firehose:error-output-type}',
        { dynamicPartitioning: false },
      );

      expect(evaluatePrefix(prefix, { timestamp: AUG_27 })).to.equal(
        'myPrefix/year=2018/month=08/day=27/hour=10/',
      );
      expect(
        evaluatePrefix(errorOutputPrefix, { timestamp: AUG_27, errorOutputType: 'processing-failed' }),
      ).to.equal('myErrorPrefix/year=2018/month=08/day=27/hour=10/processing-failed');
    });

    it('gives each random-string its own eleven characters', () => {
      const evaluated = evaluatePrefix('a/!{firehose:random-string}/b/!{firehose:random-string}/', {
        timestamp: AUG_27,
      });

      const [, first, , second] = evaluated.split('/');
      expect(first).to.have.length(11);
      expect(second).to.have.length(11);
      expect(first).to.not.equal(second);
    });

    it('needs dynamic partitioning for partitionKeyFromLambda, and a partition key expression with it', () => {
      expect(() =>
        effectivePrefixes('t=!{partitionKeyFromLambda:type}/', 'e/!{firehose:error-output-type}/', {
          dynamicPartitioning: false,
        }),
      ).to.throw(PrefixError);
      expect(() =>
        effectivePrefixes('!{timestamp:yyyy}/', 'e/!{firehose:error-output-type}/', {
          dynamicPartitioning: true,
        }),
      ).to.throw(PrefixError);
      expect(
        lambdaPartitionKeys('t=!{partitionKeyFromLambda:type}/d=!{partitionKeyFromLambda:day}/'),
      ).to.deep.equal(['type', 'day']);
    });

    it('refuses to evaluate a partition key the record does not have', () => {
      expect(() =>
        evaluatePrefix('t=!{partitionKeyFromLambda:type}/', { timestamp: AUG_27, partitionKeys: {} }),
      ).to.throw(PrefixError, 'no partition key type');
    });
  });

  it('names objects <prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>', () => {
    expect(
      objectKey('raw/', {
        streamName: 'clicks',
        version: 1,
        timestamp: AUG_27,
        extension: '.jsonl.gz',
        uuid: 'u-u-i-d',
      }),
    ).to.equal('raw/clicks-1-2018-08-27-10-30-05-u-u-i-d.jsonl.gz');
  });
});
