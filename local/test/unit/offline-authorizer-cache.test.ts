import { expect } from 'chai';
import {
  type AuthorizerEvent,
  type AuthorizerFunctions,
  type AuthorizerOptions,
  cacheKeyOf,
  createAuthorizerCache,
} from '../../src/cloud/offline-fixes/authorizer-cache';

const ALLOW = {
  principalId: 'user-1',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:*/local/*' }],
  },
  context: { userId: 'user-1' },
};

/** serverless-offline's `lambda`, counting the authorizer's invocations; `answer` decides each result. */
function fakeFunctions(answer: (event: AuthorizerEvent) => unknown = () => ALLOW) {
  const invoked: AuthorizerEvent[] = [];
  const lambda: AuthorizerFunctions = {
    get() {
      let event: AuthorizerEvent = {};
      return {
        setEvent(value) {
          event = value as AuthorizerEvent;
        },
        async runHandler() {
          invoked.push(event);
          const result = answer(event);
          if (result instanceof Error) throw result;
          return result;
        },
      };
    },
  };
  return { lambda, invoked };
}

const TOKEN: AuthorizerOptions = {
  name: 'authorizePeople',
  type: 'token',
  identitySource: 'method.request.header.Authorization',
  resultTtlInSeconds: 300,
};

function tokenEvent(token: string, methodArn = 'arn:aws:execute-api:us-east-1:1:api/local/GET/devices/d-1') {
  return { type: 'TOKEN', authorizationToken: token, methodArn };
}

async function authorize(lambda: AuthorizerFunctions, name: string, event: object): Promise<unknown> {
  const invocation = lambda.get(name);
  invocation.setEvent(event);
  return invocation.runHandler();
}

describe('authorizer result cache (serverless-offline)', () => {
  it('runs a TOKEN authorizer once per token within resultTtlInSeconds, for every route that uses it', async () => {
    // Prepare
    const { lambda, invoked } = fakeFunctions();
    const cache = createAuthorizerCache();
    const getDevice = cache.wrap(TOKEN, lambda);
    const listDevices = cache.wrap(TOKEN, lambda);

    // Act
    const first = await authorize(getDevice, 'authorizePeople', tokenEvent('Bearer a'));
    const again = await authorize(
      listDevices,
      'authorizePeople',
      tokenEvent('Bearer a', 'arn:.../GET/devices'),
    );
    await authorize(getDevice, 'authorizePeople', tokenEvent('Bearer b'));

    // Assess
    expect(invoked.map(({ authorizationToken }) => authorizationToken)).to.deep.equal([
      'Bearer a',
      'Bearer b',
    ]);
    expect(first).to.deep.equal(ALLOW);
    expect(again).to.deep.equal(ALLOW);
    expect(cache.hits).to.equal(1);
  });

  it('runs the authorizer again once the TTL has passed', async () => {
    let now = 1_000_000;
    const { lambda, invoked } = fakeFunctions();
    const cached = createAuthorizerCache({ now: () => now }).wrap(
      { ...TOKEN, resultTtlInSeconds: 60 },
      lambda,
    );

    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));
    now += 59_999;
    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));
    now += 1;
    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));

    expect(invoked).to.have.length(2);
  });

  it('does not cache when resultTtlInSeconds is 0', async () => {
    const { lambda, invoked } = fakeFunctions();
    const cached = createAuthorizerCache().wrap({ ...TOKEN, resultTtlInSeconds: 0 }, lambda);

    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));
    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));

    expect(invoked).to.have.length(2);
  });

  it('caches for 300 s when serverless.yml gives no TTL (serverless-offline passes the string "300")', async () => {
    let now = 0;
    const { lambda, invoked } = fakeFunctions();
    const cached = createAuthorizerCache({ now: () => now }).wrap(
      { name: 'authorizePeople', resultTtlInSeconds: '300' },
      lambda,
    );

    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));
    now = 299_999;
    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));
    now = 300_000;
    await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'));

    expect(invoked).to.have.length(2);
  });

  it('keeps a Deny policy like an Allow, but never an "Unauthorized" answer or an error', async () => {
    const deny = { ...ALLOW, policyDocument: { ...ALLOW.policyDocument, Statement: [{ Effect: 'Deny' }] } };
    const answers: Record<string, unknown> = {
      'Bearer deny': deny,
      'Bearer unauthorized': 'Unauthorized',
      'Bearer broken': new Error('JWKS unreachable'),
    };
    const { lambda, invoked } = fakeFunctions((event) => answers[event.authorizationToken ?? '']);
    const cached = createAuthorizerCache().wrap(TOKEN, lambda);

    for (const token of Object.keys(answers)) {
      for (let round = 0; round < 2; round += 1) {
        await authorize(cached, 'authorizePeople', tokenEvent(token)).catch(() => undefined);
      }
    }

    expect(invoked.map(({ authorizationToken }) => authorizationToken)).to.deep.equal([
      'Bearer deny',
      'Bearer unauthorized',
      'Bearer unauthorized',
      'Bearer broken',
      'Bearer broken',
    ]);
  });

  it('answers each request with its own copy, so that changing one answer cannot change the next', async () => {
    const { lambda } = fakeFunctions();
    const cached = createAuthorizerCache().wrap(TOKEN, lambda);

    const first = (await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'))) as typeof ALLOW;
    first.context.userId = 'changed';
    const second = (await authorize(cached, 'authorizePeople', tokenEvent('Bearer a'))) as typeof ALLOW;

    expect(second.context.userId).to.equal('user-1');
  });

  it('keeps the authorizers apart', async () => {
    const { lambda, invoked } = fakeFunctions();
    const cache = createAuthorizerCache();

    await authorize(cache.wrap(TOKEN, lambda), 'authorizePeople', tokenEvent('Bearer a'));
    await authorize(
      cache.wrap({ ...TOKEN, name: 'authorizeDevice' }, lambda),
      'authorizeDevice',
      tokenEvent('Bearer a'),
    );

    expect(invoked).to.have.length(2);
  });

  describe('REQUEST authorizers: keyed by all their identity sources', () => {
    const REQUEST: AuthorizerOptions = {
      name: 'authorizeAdmin',
      type: 'request',
      identitySource: 'method.request.header.Authorization, method.request.querystring.tenant',
      resultTtlInSeconds: 60,
    };
    const requestEvent = (authorization: string | undefined, tenant: string | undefined) => ({
      type: 'REQUEST',
      headers: authorization === undefined ? {} : { Authorization: authorization },
      queryStringParameters: tenant === undefined ? null : { tenant },
    });

    it('builds the key from every source, headers matched whatever their case', () => {
      expect(cacheKeyOf(REQUEST, requestEvent('Bearer a', 't1'))).to.equal('["Bearer a","t1"]');
      expect(
        cacheKeyOf(REQUEST, {
          type: 'REQUEST',
          headers: { authorization: 'Bearer a' },
          queryStringParameters: { tenant: 't1' },
        }),
      ).to.equal('["Bearer a","t1"]');
      expect(
        cacheKeyOf(
          { ...REQUEST, identitySource: '$request.header.Authorization' },
          requestEvent('x', undefined),
        ),
      ).to.equal('["x"]');
    });

    it('runs the authorizer again when any source differs, and caches nothing when one is missing', async () => {
      const { lambda, invoked } = fakeFunctions();
      const cached = createAuthorizerCache().wrap(REQUEST, lambda);

      await authorize(cached, 'authorizeAdmin', requestEvent('Bearer a', 't1'));
      await authorize(cached, 'authorizeAdmin', requestEvent('Bearer a', 't1'));
      await authorize(cached, 'authorizeAdmin', requestEvent('Bearer a', 't2'));
      await authorize(cached, 'authorizeAdmin', requestEvent('Bearer a', undefined));
      await authorize(cached, 'authorizeAdmin', requestEvent('Bearer a', undefined));

      expect(invoked).to.have.length(4);
    });
  });
});
