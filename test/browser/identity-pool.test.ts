import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type People,
  type Person,
  people,
  serviceOf,
  useLocalCloud,
} from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import {
  assertChromiumInstalled,
  launchChromium,
  PHONE,
  required,
  STEP_TIMEOUT_MS,
  warmUp,
} from './chromium';

// Pattern 1, A and B in the portal: a signed-in person's profile gets AWS credentials from the identity
// pool, signs requests with the SDK's SigV4 signer, and shows the role it acts as; the admin route
// answers only the admin role. In Debian's Chromium, through the local cloud's front door.

const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'artifacts', 'browser');

describe('portal in Chromium: AWS credentials from the identity pool', function () {
  this.timeout(60_000);
  let browser: Browser | undefined;
  let portal: string;
  let persons: People;
  let roles: { user: string; admin: string };
  const scriptErrors: string[] = [];

  before(async function () {
    this.timeout(300_000);
    assertChromiumInstalled();
    const cloud = await useLocalCloud();
    const api = serviceOf(cloud.description, 'api');
    portal = required(cloud.description.portalUrl, 'portal');
    roles = { user: api.resource('IdentityUserRole'), admin: api.resource('IdentityAdminRole') };
    persons = people(cloud.description);
    await warmUp(api, ['checkCredentials', 'countDevicesSigned']);
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
  });

  after(async () => {
    persons?.destroy();
    await browser?.close();
  });

  /** A fresh tab, signed in on the portal's own sign-in page, on the profile page. */
  async function profileOf(person: Person): Promise<Page> {
    const context = await required(browser, 'browser').newContext({ ...PHONE, locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    page.on('pageerror', (error) => scriptErrors.push(String(error)));
    await page.goto(`${portal}/#/sign-in`);
    await page.getByLabel('Email', { exact: true }).fill(person.email);
    await page.getByLabel('Password', { exact: true }).fill(person.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
    await page.goto(`${portal}/#/profile`);
    await page.getByRole('heading', { name: 'AWS credentials' }).waitFor();
    return page;
  }

  it('shows a member acting as the user role, refused on the admin route', async () => {
    const page = await profileOf(await persons.create());

    await page.getByRole('button', { name: 'Check my AWS credentials' }).click();
    await page.getByTestId('aws-role').filter({ hasText: roles.user }).waitFor();
    await page.getByRole('button', { name: 'Call the admin route' }).click();
    const refusal = page.getByTestId('aws-admin-result').getByRole('alert');
    await refusal.waitFor();

    expect(await refusal.textContent()).to.match(
      /Refused: User: .* is not authorized .* with an explicit deny/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'identity-pool-member.png'), fullPage: true });
    await page.context().close();
  });

  it('shows an admin acting as the admin role, allowed on the admin route', async () => {
    const page = await profileOf(await persons.create({ admin: true }));

    await page.getByRole('button', { name: 'Check my AWS credentials' }).click();
    await page.getByTestId('aws-role').filter({ hasText: roles.admin }).waitFor();
    await page.getByRole('button', { name: 'Call the admin route' }).click();
    const allowed = page.getByTestId('aws-admin-result').getByRole('status');
    await allowed.waitFor();

    expect(await allowed.textContent()).to.match(/^Allowed: \d+ devices in all\.$/);
    await page.screenshot({ path: join(SCREENSHOTS, 'identity-pool-admin.png'), fullPage: true });
    await page.context().close();
  });

  it('gets the portal with CloudFront’s security headers, the CSP’s AWS origins made local', async () => {
    const context = await required(browser, 'browser').newContext(PHONE);
    const answer = await (await context.newPage()).goto(portal);
    const headers = answer?.headers() ?? {};
    await context.close();

    expect(headers['x-frame-options']).to.equal('DENY');
    expect(headers['referrer-policy']).to.equal('strict-origin-when-cross-origin');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp).to.include("default-src 'none'").and.to.include("frame-ancestors 'none'");
    expect(csp, 'no AWS origin is left').not.to.include('amazonaws.com');
    expect(csp).to.match(/connect-src 'self' http:\/\/127\.0\.0\.1:\d+/);
  });

  it('raised no script error', () => {
    expect(scriptErrors).to.deep.equal([]);
  });
});
