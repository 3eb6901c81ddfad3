import { ValidationError } from '@serverless-patterns/shared/errors';
import { securityFindingSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import {
  type AppliedIngressChange,
  DEFAULT_FORBIDDEN_PORTS,
  findWorldOpenRules,
  type IngressChange,
  type IngressPermission,
  parseIngressFromCloudTrail,
  toFindings,
} from '../../../src/core/security-group-policy';
import {
  authorizeIngressDetail,
  EVENT_ID,
  EVENT_TIME,
  failedAuthorizeIngressDetail,
  GROUP_ID,
  worldOpenSsh,
} from '../authorize-ingress-records';

const policy = { forbiddenPorts: DEFAULT_FORBIDDEN_PORTS };

function permission(overrides: Partial<IngressPermission>): IngressPermission {
  return { protocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: [], ipv6Ranges: [], ...overrides };
}

function applied(change: IngressChange): AppliedIngressChange {
  if (change.outcome !== 'applied') throw new Error(`expected an applied change, got ${change.outcome}`);
  return change;
}

describe('security-group policy', () => {
  describe('findWorldOpenRules', () => {
    it('flags SSH open to the world', () => {
      const rules = findWorldOpenRules([permission({ ipv4Ranges: ['0.0.0.0/0'] })], policy);

      expect(rules).to.deep.equal([
        { protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0', exposedPorts: [22] },
      ]);
    });

    it('allows HTTPS open to the world', () => {
      const https = permission({
        fromPort: 443,
        toPort: 443,
        ipv4Ranges: ['0.0.0.0/0'],
        ipv6Ranges: ['::/0'],
      });

      expect(findWorldOpenRules([https], policy)).to.deep.equal([]);
    });

    it('allows SSH from a private range', () => {
      expect(findWorldOpenRules([permission({ ipv4Ranges: ['10.0.0.0/8'] })], policy)).to.deep.equal([]);
    });

    it('flags a port range that covers a database port', () => {
      const everyPort = permission({ fromPort: 0, toPort: 65535, ipv4Ranges: ['0.0.0.0/0'] });

      const [rule] = findWorldOpenRules([everyPort], policy);

      expect(rule?.exposedPorts).to.include(5432);
      expect(rule?.exposedPorts).to.deep.equal([...DEFAULT_FORBIDDEN_PORTS].sort((a, b) => a - b));
    });

    it('does not flag a range that stops short of every forbidden port', () => {
      const web = permission({ fromPort: 8000, toPort: 9199, ipv4Ranges: ['0.0.0.0/0'] });

      expect(findWorldOpenRules([web], policy)).to.deep.equal([]);
    });

    it('flags all traffic (protocol -1) as exposing every forbidden port', () => {
      const allTraffic = permission({ protocol: '-1', fromPort: -1, toPort: -1, ipv4Ranges: ['0.0.0.0/0'] });

      const [rule] = findWorldOpenRules([allTraffic], policy);

      expect(rule?.exposedPorts).to.have.members([...DEFAULT_FORBIDDEN_PORTS]);
    });

    it('counts IPv6 ::/0 as the world', () => {
      const rdp = permission({ fromPort: 3389, toPort: 3389, ipv6Ranges: ['::/0'] });

      expect(findWorldOpenRules([rdp], policy)).to.deep.equal([
        { protocol: 'tcp', fromPort: 3389, toPort: 3389, cidr: '::/0', exposedPorts: [3389] },
      ]);
    });

    it('reports only the world-open ranges of a permission that also allows private ranges', () => {
      const mixed = permission({ ipv4Ranges: ['10.0.0.0/8', '0.0.0.0/0'], ipv6Ranges: ['fd00::/8', '::/0'] });

      const cidrs = findWorldOpenRules([mixed], policy).map((rule) => rule.cidr);

      expect(cidrs).to.deep.equal(['0.0.0.0/0', '::/0']);
    });

    it('checks UDP rules by port too', () => {
      const redis = permission({ protocol: 'udp', fromPort: 6379, toPort: 6379, ipv4Ranges: ['0.0.0.0/0'] });

      expect(findWorldOpenRules([redis], policy)).to.have.length(1);
    });

    it('does not read ICMP type and code as ports', () => {
      // Type 3 with codes up to 30 would "cover" port 22 if read as a port range.
      const icmp = permission({ protocol: 'icmp', fromPort: 3, toPort: 30, ipv4Ranges: ['0.0.0.0/0'] });

      expect(findWorldOpenRules([icmp], policy)).to.deep.equal([]);
    });

    it('applies the ports of the policy it is given', () => {
      const permissions = [
        permission({ ipv4Ranges: ['0.0.0.0/0'] }),
        permission({ fromPort: 8080, toPort: 8080, ipv4Ranges: ['0.0.0.0/0'] }),
      ];

      const rules = findWorldOpenRules(permissions, { forbiddenPorts: [8080] });

      expect(rules.map((rule) => rule.fromPort)).to.deep.equal([8080]);
    });
  });

  describe('parseIngressFromCloudTrail', () => {
    it('reads the group, the caller and the rules of a CloudTrail AuthorizeSecurityGroupIngress event', () => {
      const change = parseIngressFromCloudTrail(authorizeIngressDetail());

      expect(change).to.deep.equal({
        outcome: 'applied',
        eventId: EVENT_ID,
        eventTime: EVENT_TIME,
        region: 'eu-west-1',
        accountId: '123456789012',
        actor: 'arn:aws:sts::123456789012:assumed-role/Developers/alice',
        groupId: GROUP_ID,
        permissions: [
          { protocol: 'tcp', fromPort: 22, toPort: 22, ipv4Ranges: ['0.0.0.0/0'], ipv6Ranges: [] },
        ],
        addedRules: [
          { ruleId: 'sgr-0c2f4e6a8b0d1f301', protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' },
        ],
      });
    });

    it('reads several permissions with IPv4 and IPv6 ranges', () => {
      const detail = authorizeIngressDetail({
        permissions: [
          { ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } },
          { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] } },
        ],
      });

      const { permissions } = applied(parseIngressFromCloudTrail(detail));

      expect(permissions).to.deep.equal([
        { protocol: 'tcp', fromPort: 443, toPort: 443, ipv4Ranges: ['0.0.0.0/0'], ipv6Ranges: [] },
        { protocol: 'tcp', fromPort: 5432, toPort: 5432, ipv4Ranges: [], ipv6Ranges: ['::/0'] },
      ]);
    });

    it('normalises protocol numbers and case to the names EC2 stores', () => {
      const detail = authorizeIngressDetail({
        permissions: [
          { ...worldOpenSsh(), ipProtocol: '6' },
          { ...worldOpenSsh(), ipProtocol: 'UDP' },
        ],
      });

      const { permissions } = applied(parseIngressFromCloudTrail(detail));

      expect(permissions.map((parsed) => parsed.protocol)).to.deep.equal(['tcp', 'udp']);
    });

    it('gives all-traffic rules the port range -1', () => {
      const detail = authorizeIngressDetail({
        permissions: [{ ipProtocol: '-1', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
      });

      const [allTraffic] = applied(parseIngressFromCloudTrail(detail)).permissions;

      expect(allTraffic).to.include({ protocol: '-1', fromPort: -1, toPort: -1 });
    });

    it('takes the group id from the response when the caller named the group', () => {
      const detail = authorizeIngressDetail();
      detail.requestParameters = { groupName: 'default', ipPermissions: { items: [worldOpenSsh()] } };

      expect(applied(parseIngressFromCloudTrail(detail)).groupId).to.equal(GROUP_ID);
    });

    it('refuses an event that names no security group id', () => {
      const detail = authorizeIngressDetail();
      detail.requestParameters = { groupName: 'default', ipPermissions: { items: [worldOpenSsh()] } };
      detail.responseElements = null;

      expect(() => parseIngressFromCloudTrail(detail)).to.throw(
        ValidationError,
        'Malformed AuthorizeSecurityGroupIngress event at requestParameters.groupId (names no security group id)',
      );
    });

    it('recognises a call that EC2 refused, which added no rule', () => {
      expect(parseIngressFromCloudTrail(failedAuthorizeIngressDetail())).to.deep.equal({
        outcome: 'failed',
        eventId: EVENT_ID,
        errorCode: 'Client.InvalidPermission.Duplicate',
      });
    });

    it('names the missing field of a malformed event', () => {
      const detail = authorizeIngressDetail();
      detail.requestParameters = { groupId: GROUP_ID };

      expect(() => parseIngressFromCloudTrail(detail))
        .to.throw(
          ValidationError,
          /^Malformed AuthorizeSecurityGroupIngress event at requestParameters\.ipPermissions \(/,
        )
        .with.property('details')
        .that.deep.includes({
          path: 'requestParameters.ipPermissions',
          message: 'Invalid input: expected object, received undefined',
        });
    });

    it('refuses an event for another API call', () => {
      const detail = { ...authorizeIngressDetail(), eventName: 'AuthorizeSecurityGroupEgress' };

      expect(() => parseIngressFromCloudTrail(detail)).to.throw(ValidationError, 'at eventName (');
    });

    it('refuses a TCP rule without ports', () => {
      const detail = authorizeIngressDetail({
        permissions: [{ ipProtocol: 'tcp', ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] } }],
      });

      expect(() => parseIngressFromCloudTrail(detail)).to.throw(
        ValidationError,
        'at requestParameters.ipPermissions.items.0.fromPort (TCP and UDP rules need fromPort and toPort)',
      );
    });

    it('refuses an event without a detail', () => {
      expect(() => parseIngressFromCloudTrail(undefined)).to.throw(ValidationError, 'at (root) (');
    });
  });

  describe('toFindings', () => {
    const twoRules = () =>
      authorizeIngressDetail({
        permissions: [
          worldOpenSsh(),
          { ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] } },
        ],
      });

    function findingsOf(detail: Record<string, unknown>) {
      const change = applied(parseIngressFromCloudTrail(detail));
      return toFindings(change, findWorldOpenRules(change.permissions, policy), 'REVOKED');
    }

    it('describes each world-open rule as a valid security finding', () => {
      const [ssh, postgres] = findingsOf(twoRules());

      expect(securityFindingSchema.parse(ssh)).to.deep.equal(ssh);
      expect(ssh).to.deep.include({
        groupId: GROUP_ID,
        ruleId: 'sgr-0c2f4e6a8b0d1f301',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        cidr: '0.0.0.0/0',
        reason: 'tcp 22 is open to 0.0.0.0/0, exposing SSH (22)',
        action: 'REVOKED',
        sourceEventId: EVENT_ID,
        detectedAt: EVENT_TIME,
      });
      expect(postgres).to.deep.include({ ruleId: 'sgr-0c2f4e6a8b0d1f302', cidr: '::/0' });
    });

    it('gives a replayed event the same finding ids', () => {
      expect(findingsOf(twoRules())).to.deep.equal(findingsOf(twoRules()));
    });

    it('gives each rule of an event its own id', () => {
      const ids = findingsOf(twoRules()).map((finding) => finding.findingId);

      expect(new Set(ids).size).to.equal(2);
    });

    it('gives the same rule in another event another id', () => {
      const [first] = findingsOf(authorizeIngressDetail());
      const [second] = findingsOf(authorizeIngressDetail({ eventId: 'a-later-event' }));

      expect(first?.findingId).to.not.equal(second?.findingId);
    });

    it('leaves the rule id out when EC2 did not report one', () => {
      const detail = authorizeIngressDetail();
      detail.responseElements = { _return: true };

      const [finding] = findingsOf(detail);

      expect(finding).to.not.have.property('ruleId');
      expect(securityFindingSchema.safeParse(finding).success).to.equal(true);
    });
  });
});
