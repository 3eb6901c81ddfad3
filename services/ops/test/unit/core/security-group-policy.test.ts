import { expect } from 'chai';
import type { IngressRule } from '../../../src/core/security-group-events';
import {
  DEFAULT_FORBIDDEN_PORTS,
  DEFAULT_WORLD_OPEN_SHARE,
  isWorldOpen,
  judgeRule,
} from '../../../src/core/security-group-policy';

const policy = { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS, worldOpenShare: DEFAULT_WORLD_OPEN_SHARE };
const tcp = (fromPort: number, toPort: number, cidr: string): IngressRule => ({
  protocol: 'tcp',
  fromPort,
  toPort,
  source: { kind: 'cidr', cidr },
});

describe('security-group policy', () => {
  it('counts as world-open any range wider than the share: halves of the internet and 2000::/3, not a /8', () => {
    for (const cidr of [
      '0.0.0.0/0',
      '0.0.0.0/1',
      '128.0.0.0/1',
      '208.236.235.254/0',
      '::/0',
      '2000::/3',
      '0.0.0.0/7',
    ]) {
      expect(isWorldOpen(cidr, DEFAULT_WORLD_OPEN_SHARE), cidr).to.equal(true);
    }
    for (const cidr of ['10.0.0.0/8', '203.0.113.0/24', '2001:db8::/32', '192.168.0.1/32']) {
      expect(isWorldOpen(cidr, DEFAULT_WORLD_OPEN_SHARE), cidr).to.equal(false);
    }
  });

  it('follows the share parameter', () => {
    expect(isWorldOpen('10.0.0.0/8', 1 / 512)).to.equal(true);
    expect(isWorldOpen('0.0.0.0/1', 1 / 2)).to.equal(false);
  });

  it('refuses what is not a CIDR, rather than calling it safe', () => {
    expect(() => isWorldOpen('everywhere', DEFAULT_WORLD_OPEN_SHARE))
      .to.throw()
      .with.property('name', 'ValidationError');
    expect(() => isWorldOpen('0.0.0.0/33', DEFAULT_WORLD_OPEN_SHARE)).to.throw();
  });

  it('judges the forbidden ports a rule exposes: TCP and UDP ranges, all traffic, not ICMP', () => {
    expect(judgeRule(tcp(5432, 5432, '0.0.0.0/1'), policy)?.exposedPorts).to.deep.equal([5432]);
    expect(judgeRule(tcp(0, 65535, '0.0.0.0/0'), policy)?.exposedPorts).to.deep.equal(
      [...DEFAULT_FORBIDDEN_PORTS].sort((a, b) => a - b),
    );
    expect(
      judgeRule({ protocol: '-1', fromPort: -1, toPort: -1, source: { kind: 'cidr', cidr: '::/0' } }, policy),
    ).to.not.equal(undefined);
    expect(judgeRule(tcp(443, 443, '0.0.0.0/0'), policy)).to.equal(undefined);
    expect(
      judgeRule(
        { protocol: 'icmp', fromPort: 22, toPort: 22, source: { kind: 'cidr', cidr: '0.0.0.0/0' } },
        policy,
      ),
    ).to.equal(undefined);
  });

  it('takes its forbidden ports from the parameter', () => {
    expect(
      judgeRule(tcp(443, 443, '0.0.0.0/0'), { ...policy, forbiddenPorts: [443] })?.exposedPorts,
    ).to.deep.equal([443]);
    expect(judgeRule(tcp(22, 22, '0.0.0.0/0'), { ...policy, forbiddenPorts: [443] })).to.equal(undefined);
  });

  it('judges a prefix list by its entries, and a referenced group never as world-open', () => {
    const prefixList: IngressRule = {
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'prefix-list', prefixListId: 'pl-1' },
    };

    expect(judgeRule(prefixList, policy, ['10.0.0.0/8', '0.0.0.0/0'])?.worldOpenRanges).to.deep.equal([
      '0.0.0.0/0',
    ]);
    expect(judgeRule(prefixList, policy, ['10.0.0.0/8'])).to.equal(undefined);
    expect(
      judgeRule({ ...prefixList, source: { kind: 'security-group', groupId: 'sg-1' } }, policy),
    ).to.equal(undefined);
  });
});
