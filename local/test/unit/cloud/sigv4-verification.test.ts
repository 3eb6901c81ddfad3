import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { expect } from 'chai';
import { type ReceivedRequest, verifySignature } from '../../../src/cloud/sigv4-verification';

// Requests signed by the SDK's own signer, as a script or the portal signs them, checked the way API
// Gateway checks them.

const CREDENTIALS = {
  accessKeyId: 'ASIAEXAMPLEEXAMPLE00',
  secretAccessKey: 'secret/secret/secret/secret/secret/secret',
  sessionToken: 'session-token',
};
const ISSUED = { ...CREDENTIALS, expiration: new Date(Date.now() + 3_600_000) };
const NOW = () => ({ region: 'us-east-1', now: new Date() });

async function signed(
  overrides: {
    method?: string;
    path?: string;
    query?: Record<string, string>;
    body?: string;
    region?: string;
  } = {},
  credentials = CREDENTIALS,
  signingDate = new Date(),
): Promise<ReceivedRequest> {
  const signer = new SignatureV4({
    credentials,
    region: overrides.region ?? 'us-east-1',
    service: 'execute-api',
    sha256: Sha256,
  });
  const body = overrides.body ?? '';
  const request = await signer.sign(
    {
      method: overrides.method ?? 'GET',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 8080,
      path: overrides.path ?? '/me/credentials-check',
      query: overrides.query ?? {},
      headers: { host: '127.0.0.1:8080', ...(body === '' ? {} : { 'content-type': 'application/json' }) },
      ...(body === '' ? {} : { body }),
    },
    { signingDate },
  );
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value]),
  );
  return {
    method: request.method,
    path: request.path,
    query: new URLSearchParams(overrides.query ?? {}).toString(),
    headers,
    body: Buffer.from(body),
  };
}

describe('SigV4 verification', () => {
  it('accepts a request the SDK signed, with its query and body', async () => {
    const request = await signed({ method: 'POST', query: { a: 'b c', z: '1' }, body: '{"x":1}' });
    expect(await verifySignature(request, ISSUED, NOW())).to.equal(undefined);
  });

  it('answers an unsigned request with Missing Authentication Token', async () => {
    const request = await signed();
    const { authorization: _, ...headers } = request.headers;
    expect(await verifySignature({ ...request, headers }, ISSUED, NOW())).to.deep.equal({
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      message: 'Missing Authentication Token',
    });
  });

  it('refuses unknown keys and another session token as an invalid security token', async () => {
    const request = await signed();
    for (const credentials of [undefined, { ...ISSUED, sessionToken: 'another' }]) {
      expect(await verifySignature(request, credentials, NOW())).to.deep.equal({
        responseType: 'INVALID_SIGNATURE',
        message: 'The security token included in the request is invalid.',
      });
    }
  });

  it('refuses a tampered signature, a body or path changed after signing, and another secret', async () => {
    const request = await signed({ method: 'POST', body: '{"x":1}' });
    const authorization = String(request.headers.authorization);
    const flipped = authorization.replace(/.$/, (last) => (last === '0' ? '1' : '0'));
    const cases: ReceivedRequest[] = [
      { ...request, headers: { ...request.headers, authorization: flipped } },
      { ...request, body: Buffer.from('{"x":2}') },
      { ...request, path: '/admin/iam/devices/count' },
      await signed(
        { method: 'POST', body: '{"x":1}' },
        { ...CREDENTIALS, secretAccessKey: 'not-the-secret' },
      ),
    ];
    for (const [index, tampered] of cases.entries()) {
      const refusal = await verifySignature(tampered, ISSUED, NOW());
      expect(refusal?.responseType, String(index)).to.equal('INVALID_SIGNATURE');
      expect(refusal?.message, String(index)).to.match(/^The request signature we calculated does not match/);
    }
  });

  it('refuses expired credentials, an old signature and another region', async () => {
    const request = await signed();
    expect(
      await verifySignature(request, { ...ISSUED, expiration: new Date(Date.now() - 1000) }, NOW()),
    ).to.deep.equal({
      responseType: 'EXPIRED_TOKEN',
      message: 'The security token included in the request is expired',
    });
    const old = await signed({}, CREDENTIALS, new Date(Date.now() - 6 * 60 * 1000));
    expect((await verifySignature(old, ISSUED, NOW()))?.message).to.match(/^Signature expired: /);
    const elsewhere = await signed({ region: 'eu-west-1' });
    expect((await verifySignature(elsewhere, ISSUED, NOW()))?.message).to.match(/scoped to a valid region/);
  });
});
