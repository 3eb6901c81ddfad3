import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  createDeviceAuthorizer,
  type DeviceTokenLookup,
  type StoredDeviceToken,
} from '../../../../src/authorizers/device/authorizer';
import { issueDeviceToken } from '../../../../src/authorizers/device/tokens';
import { tokenEvent } from '../events';
import { rejectionOf } from '../jwt-kit';

const API = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod';
const telemetryArn = (deviceId: string) => `${API}/POST/telemetry/${deviceId}`;

/** How API Gateway matches a policy Resource against the method ARN: '*' any run, '?' one character. */
function policyCovers(resource: string, methodArn: string): boolean {
  const pattern = resource
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${pattern}$`).test(methodArn);
}

class MemoryStore implements DeviceTokenLookup {
  readonly lookups: string[] = [];
  constructor(private readonly records: Record<string, StoredDeviceToken>) {}
  async find(deviceId: string) {
    this.lookups.push(deviceId);
    return this.records[deviceId];
  }
}

describe('device authorizer', () => {
  const mine = issueDeviceToken('dev-1', randomBytes);
  const theirs = issueDeviceToken('dev-2', randomBytes);
  const revoked = issueDeviceToken('dev-3', randomBytes);
  let store: MemoryStore;

  beforeEach(() => {
    store = new MemoryStore({
      'dev-1': { ownerId: 'user-1', secretHash: mine.secretHash },
      'dev-2': { ownerId: 'user-2', secretHash: theirs.secretHash },
      'dev-3': { ownerId: 'user-1', secretHash: revoked.secretHash, revoked: true },
    });
  });

  async function expectUnauthorized(token: string, methodArn = telemetryArn('dev-1')): Promise<void> {
    const error = await rejectionOf(createDeviceAuthorizer({ store })(tokenEvent(token, methodArn)));
    expect(error.message).to.equal('Unauthorized');
  }

  it("allows a device's token on its own telemetry route only, with device and owner", async () => {
    const result = await createDeviceAuthorizer({ store })(tokenEvent(mine.token, telemetryArn('dev-1')));

    expect(result).to.deep.equal({
      principalId: 'dev-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: telemetryArn('dev-1') }],
      },
      context: { deviceId: 'dev-1', ownerId: 'user-1' },
    });
    expect(store.lookups).to.deep.equal(['dev-1']);
  });

  it("answers a token used on another device's route with a policy not covering it (403)", async () => {
    const calledArn = telemetryArn('dev-2');

    const result = await createDeviceAuthorizer({ store })(tokenEvent(mine.token, calledArn));

    const [statement] = result.policyDocument.Statement;
    const resource = statement && 'Resource' in statement ? statement.Resource : undefined;
    expect(resource).to.equal(telemetryArn('dev-1'));
    expect(policyCovers(String(resource), calledArn)).to.equal(false);
    expect(policyCovers(String(resource), telemetryArn('dev-1'))).to.equal(true);
    expect(policyCovers(String(resource), `${API}/GET/telemetry/dev-1`)).to.equal(false);
    expect(policyCovers(String(resource), `${API}/DELETE/devices/dev-1`)).to.equal(false);
    expect(result.context).to.deep.equal({ deviceId: 'dev-1', ownerId: 'user-1' });
  });

  it('keeps a device id with dots literal in the policy (no wildcard can creep in)', async () => {
    const dotted = issueDeviceToken('site.a.dev-9', randomBytes);
    const dottedStore = new MemoryStore({
      'site.a.dev-9': { ownerId: 'user-1', secretHash: dotted.secretHash },
    });

    const result = await createDeviceAuthorizer({ store: dottedStore })(
      tokenEvent(dotted.token, telemetryArn('site.a.dev-9')),
    );

    expect(JSON.stringify(result.policyDocument)).to.include(telemetryArn('site.a.dev-9'));
    expect(JSON.stringify(result.policyDocument)).to.not.match(/[*?]/);
  });

  it('refuses (401) the token of an unknown device', async () => {
    const stranger = issueDeviceToken('dev-404', randomBytes);

    await expectUnauthorized(stranger.token);
  });

  it('refuses (401) a known device with the wrong secret', async () => {
    const secretOfAnother = theirs.token.split('.')[1];

    await expectUnauthorized(`dev-1.${secretOfAnother}`);
  });

  it('refuses (401) a revoked token even with the right secret', async () => {
    await expectUnauthorized(revoked.token, telemetryArn('dev-3'));
  });

  for (const malformed of ['', 'dev-1', 'dev-1.short', `Bearer ${'x'.repeat(10)}`, '*.AAAA']) {
    it(`refuses (401) a malformed token ${JSON.stringify(malformed)} without looking it up`, async () => {
      await expectUnauthorized(malformed);

      expect(store.lookups).to.deep.equal([]);
    });
  }

  it('lets a failing store surface as an error (500), not as a 401', async () => {
    const broken: DeviceTokenLookup = {
      find: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
    };

    const error = await rejectionOf(
      createDeviceAuthorizer({ store: broken })(tokenEvent(mine.token, telemetryArn('dev-1'))),
    );

    expect(error.message).to.equal('ProvisionedThroughputExceededException');
  });
});
