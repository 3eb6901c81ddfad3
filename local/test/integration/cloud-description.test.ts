import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudDescription } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import { isPortOpen } from '../../src/emulators/emulator';
import { accepts, LOOPBACK_ADDRESSES, listeningAddresses, OTHER_ADDRESSES } from '../network';
import { FIXTURE, fixtureSuite } from './support';

// .local/cloud.json is how tests, benchmarks and people find the cloud: every address it gives must
// answer, and what it gives must be clean JSON of its schema.
describe('local cloud: cloud.json', () => {
  const fixture = fixtureSuite();
  let written: CloudDescription;

  before(async () => {
    const stateDir = join(fixture.cloud.recordingsDir, '..');
    written = JSON.parse(await readFile(join(stateDir, 'cloud.json'), 'utf8')) as CloudDescription;
  });

  it('gives an API URL only for the services that serve HTTP routes, and each one answers', async () => {
    const withApi = Object.entries(written.services).filter(([, service]) => service.apiUrl !== undefined);

    expect(withApi.map(([key]) => key)).to.include.members(['api', 'image-pipeline']);
    for (const [key, service] of withApi) {
      const port = Number(new URL(service.apiUrl as string).port);
      expect(await isPortOpen(port), `${key}: ${service.apiUrl}`).to.equal(true);
    }
    // The fixture service declares no http or httpApi event: serverless-offline serves no HTTP for it.
    expect(written.services[FIXTURE]).not.to.have.property('apiUrl');
  });

  it('gives every Lambda endpoint and AWS endpoint, and each one answers', async () => {
    const urls = [
      ...Object.values(written.services).flatMap((service) =>
        service.lambdaEndpoint === undefined ? [] : [service.lambdaEndpoint],
      ),
      ...Object.values(written.endpoints),
    ];
    for (const url of urls) expect(await isPortOpen(Number(new URL(url).port)), url).to.equal(true);
  });

  it('runs DynamoDB Local on 127.0.0.1 only, and has no warning saying otherwise', async () => {
    const port = Number(new URL(written.endpoints.dynamodb as string).port);

    expect(await listeningAddresses(port)).to.satisfy(
      (addresses: string[]) =>
        addresses.length > 0 && addresses.every((address) => LOOPBACK_ADDRESSES.includes(address)),
    );
    for (const address of OTHER_ADDRESSES) expect(await accepts(address, port), address).to.equal(false);
    expect(written.warnings.filter((warning) => warning.startsWith('dynamodb:'))).to.deep.equal([]);
  });

  it('carries the credentials as the two keys a client needs, and nothing an SDK wrote on them', () => {
    expect(written.credentials).to.deep.equal({
      accessKeyId: written.environment.AWS_ACCESS_KEY_ID,
      secretAccessKey: written.environment.AWS_SECRET_ACCESS_KEY,
    });
  });
});
