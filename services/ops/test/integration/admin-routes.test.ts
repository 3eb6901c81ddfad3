import { localCloudSuite, type Person, people } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import { roleArnOf, SEED_ACCOUNTS, SEED_REGIONS } from '../../scripts/inventory';

// The /ops admin routes through the local cloud's front door, as the portal calls them: tasks CRUD,
// "Run now", runs with their per-resource outcomes, findings; refused to people who are not admins.

describe('ops admin routes, on the local cloud', function () {
  this.timeout(120_000);
  const suite = localCloudSuite();
  let admin: Person;
  let someone: Person;

  before(async () => {
    const signUps = people(suite.cloud.description);
    admin = await signUps.create({ admin: true });
    someone = await signUps.create();
    signUps.destroy();
  });

  async function call<T>(who: Person, method: string, path: string, body?: unknown) {
    const response = await fetch(`${suite.cloud.description.portalUrl}/ops${path}`, {
      method,
      headers: { authorization: `Bearer ${who.idToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  it('refuses a signed-in person who is not an admin', async () => {
    expect((await call(someone, 'GET', '/tasks')).status).to.equal(403);
  });

  it('creates, reads, runs now, lists runs and deletes a task', async () => {
    const task = {
      action: 'CreateSnapshot',
      schedule: '0 2 * * *',
      retention: { count: 3 },
      accounts: SEED_ACCOUNTS.map(roleArnOf),
      regions: [...SEED_REGIONS],
      dryRun: true,
    };

    const put = await call<{ task: { name: string } }>(admin, 'PUT', '/tasks/admin-routes', task);
    const bad = await call<{ error: { code: string } }>(admin, 'PUT', '/tasks/admin-routes', {
      ...task,
      schedule: 'often',
    });
    const listed = await call<{ tasks: { name: string }[] }>(admin, 'GET', '/tasks');
    const run = await call<{ run: { runId: string; targets: number } }>(
      admin,
      'POST',
      '/tasks/admin-routes/run',
    );

    expect(put.status).to.equal(200);
    expect(bad.status).to.equal(400);
    expect(listed.body.tasks.map((listedTask) => listedTask.name)).to.include('admin-routes');
    expect(run.status).to.equal(202);
    expect(run.body.run.targets).to.equal(4);
    const runs = await call<{ runs: { runId: string }[] }>(admin, 'GET', '/runs?limit=100');
    expect(runs.body.runs.map((listedRun) => listedRun.runId)).to.include(run.body.run.runId);
    const detail = await call<{ run: unknown; targets: unknown[] }>(
      admin,
      'GET',
      `/runs/${encodeURIComponent(run.body.run.runId)}`,
    );
    expect(detail.status).to.equal(200);
    expect((await call(admin, 'DELETE', '/tasks/admin-routes')).status).to.equal(204);
    expect((await call(admin, 'GET', '/tasks/admin-routes')).status).to.equal(404);
  });

  it('lists the findings, newest first, and pages them', async () => {
    const first = await call<{ findings: unknown[]; nextToken?: string }>(admin, 'GET', '/findings?limit=1');
    const refused = await call(admin, 'GET', '/findings?nextToken=nonsense');

    expect(first.status).to.equal(200);
    expect(first.body.findings.length).to.be.at.most(1);
    expect(refused.status).to.equal(400);
  });
});
