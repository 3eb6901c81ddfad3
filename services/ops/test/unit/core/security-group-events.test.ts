import { expect } from 'chai';
import {
  type AppliedSecurityGroupChange,
  parseSecurityGroupChange,
} from '../../../src/core/security-group-events';
import { authorizeIngressDetail, GROUP_ID, worldOpenSsh } from '../authorize-ingress-records';
import { sampleDetail } from '../cloudtrail-samples';

const applied = (detail: unknown) => {
  const change = parseSecurityGroupChange(detail);
  if (change.outcome !== 'applied') throw new Error(`expected an applied call, got ${change.outcome}`);
  return change as AppliedSecurityGroupChange;
};

describe('parseSecurityGroupChange, on the real CloudTrail records', () => {
  it('reads an all-ports world rule from a console call (nuvibit), with the id EC2 gave the rule', () => {
    const change = applied(
      sampleDetail('ec2-AuthorizeSecurityGroupIngress-ipv4-world-allports-eventbridge.json'),
    );

    expect(change).to.deep.include({
      eventName: 'AuthorizeSecurityGroupIngress',
      region: 'eu-west-1',
      accountId: '111122223333',
      group: { groupId: 'sg-b0673be3' },
    });
    expect(change.rules).to.deep.equal([
      {
        protocol: 'tcp',
        fromPort: 0,
        toPort: 65535,
        source: { kind: 'cidr', cidr: '0.0.0.0/0' },
        ruleId: 'sgr-0c609e6f9cdaf10ea',
      },
    ]);
  });

  it('reads a pre-2021 record (no rule ids in the response) from the Go SDK (Panther)', () => {
    const change = applied(sampleDetail('ec2-AuthorizeSecurityGroupIngress-ipv4-world-port22.json'));

    expect(change.rules).to.have.length(1);
    expect(change.rules[0]).to.deep.equal({
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      source: { kind: 'cidr', cidr: '0.0.0.0/0' },
    });
  });

  it('reads the legacy top-level form beside an empty ipPermissions (stratus-red-team), which used to throw', () => {
    const change = applied(sampleDetail('ec2-AuthorizeSecurityGroupIngress-toplevel-cidrIp-port22.json'));

    expect(change.group).to.deep.equal({ groupId: 'sg-003dc7f1f1c686164' });
    expect(change.rules).to.deep.equal([
      {
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        source: { kind: 'cidr', cidr: '208.236.235.254/0' },
        ruleId: 'sgr-09b3e3d2ca1edf2a2',
      },
    ]);
  });

  it('reads an all-protocols rule over IPv4 and IPv6 (streamalert), one rule per range', () => {
    const change = applied(
      sampleDetail(
        'ec2-AuthorizeSecurityGroupIngress-ipv4-ipv6-world-allprotocols-redacted-eventbridge.json',
      ),
    );

    expect(change.rules.map((rule) => [rule.protocol, rule.fromPort, rule.source])).to.deep.equal([
      ['-1', -1, { kind: 'cidr', cidr: '0.0.0.0/0' }],
      ['-1', -1, { kind: 'cidr', cidr: '::/0' }],
    ]);
  });

  it('reads narrow and private ranges too (Elastic, streamalert): judging them is the policy’s job', () => {
    const cidr24 = applied(sampleDetail('ec2-AuthorizeSecurityGroupIngress-ipv4-port22-cidr24-rulearn.json'));
    const private8 = applied(
      sampleDetail('ec2-AuthorizeSecurityGroupIngress-rfc1918-negative-redacted-eventbridge.json'),
    );

    expect(cidr24.rules[0]?.source).to.deep.equal({ kind: 'cidr', cidr: '203.0.113.0/24' });
    expect(cidr24.rules[0]?.ruleId).to.match(/^sgr-/);
    expect(private8.rules.map((rule) => rule.source)).to.deep.equal([{ kind: 'cidr', cidr: '10.0.0.0/8' }]);
  });

  it('reads the wrapped copies of the bare records the same way', () => {
    for (const [wrapped, bare] of [
      [
        'ec2-AuthorizeSecurityGroupIngress-ipv4-world-port22-wrapped.json',
        'ec2-AuthorizeSecurityGroupIngress-ipv4-world-port22.json',
      ],
      [
        'ec2-AuthorizeSecurityGroupIngress-ipv4-port22-cidr24-rulearn-wrapped.json',
        'ec2-AuthorizeSecurityGroupIngress-ipv4-port22-cidr24-rulearn.json',
      ],
    ] as const) {
      expect(parseSecurityGroupChange(sampleDetail(wrapped))).to.deep.equal(
        parseSecurityGroupChange(sampleDetail(bare)),
      );
    }
  });
});

describe('parseSecurityGroupChange, on the other shapes CloudTrail sends', () => {
  it('says a refused call changed nothing, with its errorCode', () => {
    const detail = {
      ...authorizeIngressDetail(),
      errorCode: 'Client.InvalidPermission.Duplicate',
      responseElements: null,
    };

    expect(parseSecurityGroupChange(detail)).to.deep.include({
      outcome: 'failed',
      errorCode: 'Client.InvalidPermission.Duplicate',
    });
  });

  it('reads prefix lists and referenced groups as sources', () => {
    const detail = authorizeIngressDetail({
      permissions: [
        {
          ipProtocol: 'tcp',
          fromPort: 5432,
          toPort: 5432,
          prefixListIds: { items: [{ prefixListId: 'pl-0123456789abcdef0' }] },
          groups: { items: [{ groupId: 'sg-0fedcba9876543210' }] },
        },
      ],
    });

    expect(applied(detail).rules.map((rule) => rule.source)).to.deep.equal([
      { kind: 'prefix-list', prefixListId: 'pl-0123456789abcdef0' },
      { kind: 'security-group', groupId: 'sg-0fedcba9876543210' },
    ]);
  });

  it('keeps a group named instead of given by id, for the enforcer to look up', () => {
    const detail = authorizeIngressDetail();
    detail.requestParameters = {
      groupName: 'default',
      ipPermissions: { items: [worldOpenSsh()] },
    };
    detail.responseElements = { _return: true };

    expect(applied(detail).group).to.deep.equal({ groupName: 'default' });
  });

  it('reads ModifySecurityGroupRules in the new-style form, one rule (an object) or several (an array)', () => {
    const rule = (id: string, cidr: string) => ({
      SecurityGroupRuleId: id,
      SecurityGroupRule: { IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, CidrIpv4: cidr },
      tag: 1,
    });
    const detail = (SecurityGroupRule: unknown) => ({
      ...authorizeIngressDetail(),
      eventName: 'ModifySecurityGroupRules',
      requestParameters: { ModifySecurityGroupRulesRequest: { GroupId: GROUP_ID, SecurityGroupRule } },
      responseElements: { ModifySecurityGroupRulesResponse: { return: true } },
    });

    expect(applied(detail(rule('sgr-1', '0.0.0.0/0'))).rules).to.deep.equal([
      {
        ruleId: 'sgr-1',
        protocol: 'tcp',
        fromPort: 5432,
        toPort: 5432,
        source: { kind: 'cidr', cidr: '0.0.0.0/0' },
      },
    ]);
    expect(applied(detail([rule('sgr-1', '10.0.0.0/8'), rule('sgr-2', '::/0')])).rules).to.have.length(2);
  });

  it('throws a ValidationError naming the field for what it cannot read', () => {
    const noRules = authorizeIngressDetail();
    noRules.requestParameters = { groupId: GROUP_ID, ipPermissions: {} };
    const noPorts = authorizeIngressDetail({
      permissions: [{ ipProtocol: 'tcp', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
    });

    for (const detail of [noRules, noPorts, { eventSource: 'ec2.amazonaws.com' }, 'not an object']) {
      expect(() => parseSecurityGroupChange(detail))
        .to.throw()
        .with.property('name', 'ValidationError');
    }
  });
});
