import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { createLocalClients } from '../../src/cloud/clients';
import { type CloudDescription, writeCloudDescription } from '../../src/cloud/cloud-description';
import { LOCAL_CREDENTIALS } from '../../src/cloud/endpoints';
import { closeHttpServer, endpointFor, findFreePort } from '../../src/emulators/emulator';
import type { LocalService } from '../../src/emulators/registry';

const BARE_DESCRIPTION: CloudDescription = {
  stage: 'local',
  region: 'us-east-1',
  accountId: '000000000000',
  pid: 1,
  controlUrl: 'http://127.0.0.1:1',
  endpoints: {},
  environment: {},
  credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' },
  services: {},
  processes: [],
  skipped: [],
  warnings: [],
};

describe("cloud.json's credentials", () => {
  let tmp: string;

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'cloud-description-'));
  });

  after(() => rm(tmp, { recursive: true, force: true }));

  it('are written as the two keys a client needs, whatever an SDK wrote onto the object', async () => {
    const file = join(tmp, 'cloud.json');
    // What an SDK client leaves on the credentials object it was given.
    const credentials = { ...BARE_DESCRIPTION.credentials, $source: { CREDENTIALS_CODE: 'e' } };

    await writeCloudDescription(file, { ...BARE_DESCRIPTION, credentials });

    const written = JSON.parse(await readFile(file, 'utf8')) as CloudDescription;
    expect(written.credentials).to.deep.equal({ accessKeyId: 'local', secretAccessKey: 'local-secret' });
  });

  it("stay as they are after the local cloud's own SDK clients have signed with them", async function () {
    this.timeout(20_000);
    const server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{"TableNames":[]}');
    });
    const port = await findFreePort();
    await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
    const endpoints = new Proxy({} as Record<LocalService, string>, { get: () => endpointFor(port) });
    const clients = createLocalClients(endpoints);
    try {
      await clients.dynamodb.send(new ListTablesCommand({}));
    } finally {
      for (const client of Object.values(clients)) client.destroy();
      await closeHttpServer(server);
    }

    expect({ ...LOCAL_CREDENTIALS }).to.deep.equal({ accessKeyId: 'local', secretAccessKey: 'local-secret' });
    expect(Object.isFrozen(LOCAL_CREDENTIALS)).to.equal(true);
  });
});
