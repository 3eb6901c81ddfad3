import {
  eventually,
  localCloudSuite,
  type People,
  type Person,
  people,
} from '@serverless-patterns/local/testing';
import { expect } from 'chai';

// serverless-offline replaced the authorizer's context with the JSON of a request header,
// sls-offline-authorizer-override: any signed-in person could read another person's devices by
// sending {"userId": "<their sub>"}. API Gateway has no such header; the local cloud must not either,
// through the front door (the custom domain's counterpart) or straight to a service's port.

const OVERRIDE = 'sls-offline-authorizer-override';

interface Answer {
  status: number;
  body: unknown;
}

/** A request as a client sends it; a 504 (a function that outlasted its timeout on a busy machine) is sent again. */
function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const once = async (): Promise<Answer> => {
    const response = await fetch(url, init);
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return eventually(once, (answer) => answer.status !== 504, 60_000);
}

const bearer = (person: Person) => ({ authorization: `Bearer ${person.idToken}` });

describe('local cloud: no authorizer override header (through the front door and straight to the service)', () => {
  const suite = localCloudSuite();
  let persons: People;
  let owner: Person;
  let intruder: Person;
  let ownersDevice: string;

  before(async function () {
    this.timeout(120_000);
    persons = people(suite.cloud.description);
    [owner, intruder] = await Promise.all([persons.create(), persons.create()]);
    const created = await call(`${suite.cloud.description.portalUrl}/devices`, {
      method: 'POST',
      headers: { ...bearer(owner), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hall', location: 'Ground floor', thresholdC: 21 }),
    });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    ownersDevice = (created.body as { deviceId: string }).deviceId;
  });

  after(() => persons?.destroy());

  const entrances = {
    'the front door': () => suite.cloud.description.portalUrl as string,
    "the api service's own port": () => suite.cloud.description.services.api?.apiUrl as string,
  };

  for (const [entrance, baseUrl] of Object.entries(entrances)) {
    describe(entrance, () => {
      const asOwner = () => ({ ...bearer(intruder), [OVERRIDE]: JSON.stringify({ userId: owner.userId }) });

      it("does not let a person claiming another's userId in the header read that person's device", async function () {
        this.timeout(90_000);
        const answer = await call(`${baseUrl()}/devices/${ownersDevice}`, { headers: asOwner() });

        expect(answer.status, JSON.stringify(answer.body)).to.equal(404);
        expect(answer.body).to.have.nested.property('error.code', 'NOT_FOUND');
      });

      it("does not let a person claiming another's userId in the header list that person's devices", async function () {
        this.timeout(90_000);
        const answer = await call(`${baseUrl()}/devices`, { headers: asOwner() });

        expect(answer.status, JSON.stringify(answer.body)).to.equal(200);
        const owners = (answer.body as { devices: { ownerId: string }[] }).devices.map((d) => d.ownerId);
        expect(owners).not.to.include(owner.userId);
      });

      it('changes nothing for the owner either: the same answer with and without the header', async function () {
        this.timeout(90_000);
        const url = `${baseUrl()}/devices/${ownersDevice}`;
        const plain = await call(url, { headers: bearer(owner) });
        const withHeader = await call(url, {
          headers: { ...bearer(owner), [OVERRIDE]: JSON.stringify({ userId: intruder.userId }) },
        });

        expect(plain.status).to.equal(200);
        expect(withHeader).to.deep.equal(plain);
      });

      it('still refuses a request without a token, header or not', async function () {
        this.timeout(90_000);
        const answer = await call(`${baseUrl()}/devices`, {
          headers: { [OVERRIDE]: JSON.stringify({ userId: owner.userId }) },
        });

        expect(answer.status).to.equal(401);
      });
    });
  }
});
