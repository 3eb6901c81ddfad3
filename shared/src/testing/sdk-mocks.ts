import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

export { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';

/** Any AWS SDK v3 client, e.g. the shared `documentClient`, `s3`, `sns` or `stepFunctions`. */
export type SdkClient = Parameters<typeof mockClient>[0];

export type ClientStubs<T extends Record<string, SdkClient>> = {
  readonly [K in keyof T]: AwsClientStub<T[K]>;
};

/**
 * Mocks `clients` in each test of the enclosing describe: a fresh stub from its beforeEach (so no answer
 * and no recorded call leaks into the next test), the real `send` back in its afterEach. Unanswered
 * commands resolve to undefined. The stubs returned are the running test's.
 * https://github.com/m-radzikowski/aws-sdk-client-mock#usage
 */
export function mockClientsInEachTest<T extends Record<string, SdkClient>>(clients: T): ClientStubs<T> {
  const stubs = new Map<string, ReturnType<typeof mockClient>>();
  beforeEach(() => {
    for (const [name, client] of Object.entries(clients)) stubs.set(name, mockClient(client));
  });
  afterEach(() => {
    for (const stub of stubs.values()) stub.restore();
    stubs.clear();
  });
  const running = {} as ClientStubs<T>;
  for (const name of Object.keys(clients)) {
    Object.defineProperty(running, name, {
      enumerable: true,
      get: () => {
        const stub = stubs.get(name);
        if (stub === undefined) throw new Error(`${name} is mocked only while a test runs`);
        return stub;
      },
    });
  }
  return running;
}

export interface SentCommand {
  /** The command's class name, e.g. `PutCommand`. */
  name: string;
  input: unknown;
}

/** The commands a mocked client was sent, in order: compare a whole conversation in one assertion. */
export function commandsSent(stub: { calls(): { args: readonly unknown[] }[] }): SentCommand[] {
  return stub.calls().map(({ args: [command] }) => {
    const sent = command as { constructor: { name: string }; input: unknown };
    return { name: sent.constructor.name, input: sent.input };
  });
}
