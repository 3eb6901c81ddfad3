import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type AwsClients,
  awsClients,
  type Person,
  people,
  serviceOf,
  useLocalCloud,
} from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { roleArnOf, SEED_ACCOUNTS, SEED_REGIONS } from '../../services/ops/scripts/inventory';
import { createTasksTable } from '../../services/ops/src/adapters/tasks-table';
import { assertChromiumInstalled, launchChromium, required, STEP_TIMEOUT_MS, warmUp } from './chromium';

// The portal's Ops page against the ops service, in Debian's Chromium: an admin sees the tasks, runs
// one now and reads its per-target outcome; a person who is not an admin has no Ops in the menu.

describe('the Ops page in Chromium against the ops service', function () {
  this.timeout(120_000);

  let aws: AwsClients;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let portal: string;
  let admin: Person;
  let someone: Person;
  const scriptErrors: string[] = [];

  before(async function () {
    this.timeout(300_000);
    assertChromiumInstalled();
    const cloud = await useLocalCloud();
    aws = awsClients(cloud.description);
    portal = required(cloud.description.portalUrl, 'portal');
    const ops = serviceOf(cloud.description, 'ops');
    const signUps = people(cloud.description);
    admin = await signUps.create({ admin: true });
    someone = await signUps.create();
    signUps.destroy();
    await createTasksTable({
      client: DynamoDBDocumentClient.from(aws.dynamodb),
      tableName: ops.resource('OpsTable'),
    }).put(
      {
        name: 'browser-nightly',
        action: 'CreateSnapshot',
        tagKey: 'OpsAutomatorTaskList',
        schedule: '0 1 * * *',
        retention: { count: 2 },
        accounts: SEED_ACCOUNTS.map(roleArnOf),
        regions: [...SEED_REGIONS],
        dryRun: true,
        enabled: true,
      },
      new Date(),
    );
    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await warmUp(ops, ['authorizeAdmin', 'manageTasks', 'runTask', 'readRuns', 'listFindings']);
    page.on('pageerror', (error) => scriptErrors.push(String(error)));
  });

  after(async () => {
    try {
      await context?.close();
    } finally {
      await browser?.close();
      aws?.destroy();
    }
  });

  const signIn = async (person: Person) => {
    await page.goto(`${portal}/#/sign-in`);
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Profile' }).waitFor();
  };

  it('shows an admin the tasks, runs one now and shows its outcome per account and region', async () => {
    await signIn(admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Ops' }).click();
    await page.getByRole('heading', { name: 'Operations', exact: true }).waitFor();
    const tasks = page.getByRole('region', { name: 'Tasks' });
    const row = tasks.getByRole('row').filter({ hasText: 'browser-nightly' });
    await row.waitFor();

    await row.getByRole('button', { name: 'Run now' }).click();
    const runs = page.getByRole('region', { name: 'Runs' });
    const runRow = runs.getByRole('row').filter({ hasText: 'browser-nightly' }).first();
    await runRow.waitFor();
    await runRow.getByRole('button', { name: 'Outcomes' }).click();

    const targets = page.getByRole('region', { name: 'Targets' });
    await targets.waitFor();
    expect(await row.textContent()).to.include('0 1 * * *');
    expect(scriptErrors).to.deep.equal([]);
  });

  it('has no Ops in the menu for a person who is not an admin', async () => {
    // A browser of their own: nothing of the admin's session carries over.
    await context?.close();
    context = await (browser as Browser).newContext({ locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await signIn(someone);

    const menu = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    expect(await menu.allTextContents()).not.to.include('Ops');
  });
});
