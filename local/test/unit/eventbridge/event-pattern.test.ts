import { expect } from 'chai';
import { InvalidEventPatternError } from '../../../src/triggers/eventbridge/errors';
import { matchesEventPattern, validateEventPattern } from '../../../src/triggers/eventbridge/event-pattern';

// Events and patterns from https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

function withDetail(detail: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return { ...ec2Event, ...extra, detail };
}

describe('matchesEventPattern', () => {
  describe('values', () => {
    it('matches exact values and nested objects, ignoring fields the pattern does not name', () => {
      const pattern = {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['terminated'] },
      };

      expect(matchesEventPattern(pattern, ec2Event)).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ state: 'running' }))).to.equal(false);
    });

    it('treats the values of a list as alternatives (OR) and the fields as conditions (AND)', () => {
      const pattern = { source: ['aws.ec2', 'aws.fargate'], detail: { state: ['terminated', 'stopped'] } };

      expect(matchesEventPattern(pattern, { ...ec2Event, source: 'aws.fargate' })).to.equal(true);
      expect(matchesEventPattern(pattern, { ...ec2Event, source: 'aws.s3' })).to.equal(false);
      expect(matchesEventPattern(pattern, withDetail({ state: 'pending' }))).to.equal(false);
    });

    it('matches strings case-sensitively and never a number against its text', () => {
      expect(matchesEventPattern({ source: ['AWS.EC2'] }, ec2Event)).to.equal(false);
      expect(
        matchesEventPattern({ detail: { 'risk-score': ['80'] } }, withDetail({ 'risk-score': 80 })),
      ).to.equal(false);
      expect(
        matchesEventPattern({ detail: { 'risk-score': [80] } }, withDetail({ 'risk-score': 80 })),
      ).to.equal(true);
    });

    it('matches null, empty strings and booleans', () => {
      const event = withDetail({ responseElements: null, eventVersion: '', ok: true });

      expect(matchesEventPattern({ detail: { responseElements: [null] } }, event)).to.equal(true);
      expect(matchesEventPattern({ detail: { eventVersion: [''] } }, event)).to.equal(true);
      expect(matchesEventPattern({ detail: { ok: [true] } }, event)).to.equal(true);
      expect(matchesEventPattern({ detail: { ok: [false] } }, event)).to.equal(false);
      expect(matchesEventPattern({ detail: { missing: [null] } }, event)).to.equal(false);
    });

    it('matches an array in the event when any of its elements matches', () => {
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html
      const pattern = {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        ],
      };
      const event = {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      };

      expect(matchesEventPattern(pattern, event)).to.equal(true);
      expect(
        matchesEventPattern(pattern, { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-x'] }),
      ).to.equal(false);
    });

    it('matches nested fields inside an array of objects within one element', () => {
      const event = withDetail({
        items: [
          { name: 'a', size: 1 },
          { name: 'b', size: 2 },
        ],
      });

      expect(matchesEventPattern({ detail: { items: { name: ['b'], size: [2] } } }, event)).to.equal(true);
      expect(matchesEventPattern({ detail: { items: { name: ['a'], size: [2] } } }, event)).to.equal(false);
    });

    it('does not match a leaf comparison against an object', () => {
      expect(matchesEventPattern({ detail: ['terminated'] }, ec2Event)).to.equal(false);
    });

    it('accepts the pattern as JSON text, as templates may hold it', () => {
      expect(matchesEventPattern('{"source":["aws.ec2"]}', ec2Event)).to.equal(true);
    });
  });

  describe('prefix and suffix', () => {
    it('matches a prefix', () => {
      const pattern = { time: [{ prefix: '2017-12-22' }] };

      expect(matchesEventPattern(pattern, ec2Event)).to.equal(true);
      expect(matchesEventPattern(pattern, { ...ec2Event, time: '2017-10-02T18:43:48Z' })).to.equal(false);
    });

    it('matches a prefix regardless of case with equals-ignore-case', () => {
      const pattern = { detail: { service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] } };

      expect(matchesEventPattern(pattern, withDetail({ service: 'eventbridge' }))).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ service: 'EVENTBUS' }))).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ service: 'sqs' }))).to.equal(false);
    });

    it('matches a suffix, with or without case', () => {
      const exact = { FileName: [{ suffix: '.png' }] };
      const folded = { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] };

      expect(matchesEventPattern(exact, { FileName: 'cat.png' })).to.equal(true);
      expect(matchesEventPattern(exact, { FileName: 'cat.PNG' })).to.equal(false);
      expect(matchesEventPattern(folded, { FileName: 'cat.PNG' })).to.equal(true);
      expect(matchesEventPattern(folded, { FileName: 'cat.jpg' })).to.equal(false);
    });

    it('never matches a number with a string comparison', () => {
      expect(matchesEventPattern({ n: [{ prefix: '1' }] }, { n: 123 })).to.equal(false);
    });
  });

  describe('equals-ignore-case', () => {
    it('matches a string of any case', () => {
      const pattern = { detail: { name: [{ 'equals-ignore-case': 'alice' }] } };

      expect(matchesEventPattern(pattern, withDetail({ name: 'ALICE' }))).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ name: 'alicia' }))).to.equal(false);
    });
  });

  describe('anything-but', () => {
    it('excludes a string, a number, or a list of either', () => {
      expect(
        matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event),
      ).to.equal(true);
      expect(
        matchesEventPattern(
          { detail: { state: [{ 'anything-but': 'terminated' }] } },
          withDetail({ state: 'terminated' }),
        ),
      ).to.equal(false);
      expect(
        matchesEventPattern(
          { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
          withDetail({ 'x-limit': 124 }),
        ),
      ).to.equal(true);
      expect(
        matchesEventPattern(
          { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
          withDetail({ 'x-limit': 200 }),
        ),
      ).to.equal(false);
      expect(
        matchesEventPattern(
          { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
          withDetail({ state: 'overloaded' }),
        ),
      ).to.equal(false);
    });

    it('does not match a field that is absent', () => {
      expect(matchesEventPattern({ detail: { mode: [{ 'anything-but': 'x' }] } }, ec2Event)).to.equal(false);
    });

    it('excludes a prefix, a suffix, a value of any case or a wildcard', () => {
      const event = (value: string) => ({ Region: value, FileName: value, FilePath: value, state: value });

      expect(
        matchesEventPattern({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, event('eu-west-1')),
      ).to.equal(true);
      expect(
        matchesEventPattern({ Region: [{ 'anything-but': { prefix: 'us-' } }] }, event('us-east-1')),
      ).to.equal(false);
      expect(
        matchesEventPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, event('a.png')),
      ).to.equal(false);
      expect(
        matchesEventPattern({ FileName: [{ 'anything-but': { suffix: '.png' } }] }, event('a.jpg')),
      ).to.equal(true);
      expect(
        matchesEventPattern(
          { state: [{ 'anything-but': { 'equals-ignore-case': ['initializing'] } }] },
          event('INITIALIZING'),
        ),
      ).to.equal(false);
      expect(
        matchesEventPattern(
          { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
          event('/usr/lib/x.so'),
        ),
      ).to.equal(false);
      expect(
        matchesEventPattern({ FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, event('/usr/bin/x')),
      ).to.equal(true);
    });
  });

  describe('numeric', () => {
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };

    it('matches when every range holds', () => {
      expect(
        matchesEventPattern(pattern, withDetail({ 'c-count': 5, 'd-count': 9.5, 'x-limit': 301.8 })),
      ).to.equal(true);
    });

    it('does not match outside a range or on a string', () => {
      expect(
        matchesEventPattern(pattern, withDetail({ 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 })),
      ).to.equal(false);
      expect(
        matchesEventPattern(pattern, withDetail({ 'c-count': 3, 'd-count': 10, 'x-limit': 301.8 })),
      ).to.equal(false);
      expect(
        matchesEventPattern(pattern, withDetail({ 'c-count': 3, 'd-count': 1, 'x-limit': 301 })),
      ).to.equal(false);
      expect(
        matchesEventPattern(pattern, withDetail({ 'c-count': '3', 'd-count': 1, 'x-limit': 301.8 })),
      ).to.equal(false);
    });

    it('handles >= and the bounds themselves', () => {
      const range = { n: [{ numeric: ['>=', 10, '<', 20] }] };

      expect(matchesEventPattern(range, { n: 10 })).to.equal(true);
      expect(matchesEventPattern(range, { n: 20 })).to.equal(false);
    });
  });

  describe('exists', () => {
    it('matches on the presence or absence of a leaf field', () => {
      expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, ec2Event)).to.equal(true);
      expect(matchesEventPattern({ detail: { state: [{ exists: false }] } }, ec2Event)).to.equal(false);
      expect(matchesEventPattern({ detail: { state: [{ exists: true }] } }, ec2Event)).to.equal(true);
      expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, ec2Event)).to.equal(false);
    });

    it('treats an object as absent, because exists works on leaf nodes only', () => {
      const event = withDetail({ state: 'running', 'c-count': { c1: 100 } });

      expect(matchesEventPattern({ detail: { 'c-count': [{ exists: false }] } }, event)).to.equal(true);
      expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, event)).to.equal(false);
    });
  });

  describe('cidr', () => {
    it('matches IPv4 addresses inside the block', () => {
      const pattern = { detail: { sourceIPAddress: [{ cidr: '10.0.0.0/24' }] } };

      expect(matchesEventPattern(pattern, withDetail({ sourceIPAddress: '10.0.0.255' }))).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ sourceIPAddress: '10.0.1.0' }))).to.equal(false);
      expect(matchesEventPattern(pattern, withDetail({ sourceIPAddress: 'not-an-ip' }))).to.equal(false);
    });

    it('matches IPv6 addresses inside the block', () => {
      const pattern = { ip: [{ cidr: '2001:db8::/32' }] };

      expect(matchesEventPattern(pattern, { ip: '2001:db8:1::7' })).to.equal(true);
      expect(matchesEventPattern(pattern, { ip: '2001:db9::1' })).to.equal(false);
    });
  });

  describe('wildcard', () => {
    it('matches any run of characters where the pattern has *', () => {
      const pattern = { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] };

      expect(
        matchesEventPattern(pattern, {
          EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/orders',
        }),
      ).to.equal(true);
      expect(
        matchesEventPattern(pattern, {
          EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/orders',
        }),
      ).to.equal(false);
    });

    it('matches a literal star when it is escaped, and regex characters literally', () => {
      expect(matchesEventPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' })).to.equal(true);
      expect(matchesEventPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' })).to.equal(false);
      expect(matchesEventPattern({ k: [{ wildcard: 'a.c*' }] }, { k: 'abc' })).to.equal(false);
    });
  });

  describe('$or', () => {
    it('matches when any alternative matches, alongside the other fields', () => {
      const pattern = {
        source: ['aws.ec2'],
        $or: [{ 'detail-type': ['Nope'] }, { detail: { state: ['terminated'] } }],
      };

      expect(matchesEventPattern(pattern, ec2Event)).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ state: 'running' }))).to.equal(false);
      expect(matchesEventPattern(pattern, { ...ec2Event, source: 'aws.s3' })).to.equal(false);
    });

    it('works inside a nested object', () => {
      const pattern = {
        detail: { $or: [{ 'c-count': [{ numeric: ['>', 0] }] }, { 'd-count': [{ numeric: ['<', 10] }] }] },
      };

      expect(matchesEventPattern(pattern, withDetail({ 'd-count': 3 }))).to.equal(true);
      expect(matchesEventPattern(pattern, withDetail({ 'c-count': 0, 'd-count': 30 }))).to.equal(false);
    });
  });
});

describe('validateEventPattern', () => {
  const invalid: Array<[string, unknown]> = [
    ['a pattern that is not an object', ['aws.ec2']],
    ['JSON text that does not parse', '{"source":'],
    ['a bare value instead of a list', { source: 'aws.ec2' }],
    ['an empty list', { source: [] }],
    ['an empty object', {}],
    ['an unknown operator', { source: [{ contains: 'ec2' }] }],
    ['two operators in one comparison', { source: [{ prefix: 'a', suffix: 'b' }] }],
    ['a prefix that is not a string', { source: [{ prefix: 5 }] }],
    ['exists that is not a boolean', { source: [{ exists: 'yes' }] }],
    ['numeric with an unknown operator', { n: [{ numeric: ['!=', 5] }] }],
    ['numeric with a string operand', { n: [{ numeric: ['>', '5'] }] }],
    ['numeric with two lower bounds', { n: [{ numeric: ['>', 1, '>', 5] }] }],
    ['numeric with an empty range', { n: [{ numeric: ['>', 5, '<', 1] }] }],
    ['anything-but with mixed types', { n: [{ 'anything-but': ['a', 1] }] }],
    ['anything-but with an empty list', { n: [{ 'anything-but': [] }] }],
    ['a malformed CIDR block', { ip: [{ cidr: '10.0.0.0/33' }] }],
    ['a CIDR block that is not an address', { ip: [{ cidr: 'ten/8' }] }],
    ['consecutive wildcards', { k: [{ wildcard: 'a**b' }] }],
    ['a stray backslash in a wildcard', { k: [{ wildcard: 'a\\b' }] }],
    ['$or with one alternative', { $or: [{ source: ['a'] }] }],
    ['a nested list of values', { source: [['aws.ec2']] }],
  ];

  for (const [what, pattern] of invalid) {
    it(`refuses ${what}`, () => {
      expect(() => validateEventPattern(pattern)).to.throw(InvalidEventPatternError, /Event pattern/);
    });
  }

  it('names the offending field', () => {
    expect(() => validateEventPattern({ detail: { count: [{ numeric: ['>', 'x'] }] } })).to.throw(
      /detail\.count/,
    );
  });

  it('accepts every operator the documentation shows', () => {
    expect(() =>
      validateEventPattern({
        source: ['aws.ec2', { prefix: 'aws.' }, { suffix: '.ec2' }, { 'equals-ignore-case': 'AWS.EC2' }],
        detail: {
          state: [{ 'anything-but': { prefix: 'init' } }, { 'anything-but': ['a', 'b'] }, { exists: true }],
          count: [{ numeric: ['>', 0, '<=', 5] }, null],
          ip: [{ cidr: '10.0.0.0/24' }],
          path: [{ wildcard: 'dir/*.png' }],
        },
        $or: [{ region: ['us-east-1'] }, { account: ['123456789012'] }],
      }),
    ).not.to.throw();
  });
});
