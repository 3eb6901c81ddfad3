import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdminConfirmSignUpCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { expect } from 'chai';
import {
  type Browser,
  type BrowserContext,
  type Request as BrowserRequest,
  chromium,
  type Page,
  type Response,
} from 'playwright-core';
import { useLocalCloud } from '../../local/test/harness';

// One person's first visit to the portal, in Debian's Chromium on a phone-sized screen: sign up,
// confirm, sign in, add a thermostat, change its alert threshold, sign out. The steps run in order
// and share the page, as the person would; each leaves a screenshot in artifacts/browser/.

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'artifacts', 'browser');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The flags of a quiet, repeatable headless run in a container (no sandbox: tests run as root).
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const PHONE = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
// Each step waits at most this long for what the person should see.
const STEP_TIMEOUT_MS = 15_000;

const THRESHOLD_ERROR = 'Choose a temperature from -40 to 80 °C.';

// The api functions this journey calls (serverless.yml keys), warmed before it starts.
const FUNCTIONS_CALLED = [
  'authorizePeople',
  'listDevices',
  'registerDevice',
  'updateDeviceThreshold',
  'getDevice',
];

describe('portal in Chromium (phone)', function () {
  this.timeout(60_000);

  let cognito: CognitoIdentityProviderClient;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let portal: string;
  let userPoolId: string;
  let clientId: string;
  const scriptErrors: string[] = [];
  const email = `browser-${crypto.randomUUID()}@example.com`;
  const password = `Correct-Horse-${crypto.randomUUID()}`;
  // Filled in by earlier steps for later ones.
  let refreshToken: string | undefined;
  let deviceId: string | undefined;
  let shots = 0;

  const shot = async (name: string) => {
    shots += 1;
    const file = `phone-${String(shots).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true, animations: 'disabled' });
  };

  const cognitoCall = (action: string) => (response: Response) =>
    response.request().headers()['x-amz-target'] === `AWSCognitoIdentityProviderService.${action}`;

  const deviceCard = (name: string) =>
    page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });

  before(async function () {
    // The first suite to ask starts the local cloud: a few minutes on a cold machine.
    this.timeout(300_000);
    assertChromiumInstalled();
    const cloud = await useLocalCloud();
    const api = cloud.description.services.api;
    const cognitoEndpoint = cloud.description.endpoints.cognito;
    if (cloud.description.portalUrl === undefined || api === undefined || cognitoEndpoint === undefined) {
      throw new Error('the local cloud serves no portal, api service or cognito endpoint');
    }
    portal = cloud.description.portalUrl;
    userPoolId = required(api.resources.UserPool, 'UserPool');
    clientId = required(api.resources.UserPoolClient, 'UserPoolClient');
    cognito = new CognitoIdentityProviderClient({
      endpoint: cognitoEndpoint,
      region: cloud.description.region,
      credentials: cloud.description.credentials,
    });

    await rm(SCREENSHOTS, { recursive: true, force: true });
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    // A fresh context: no cookies or storage from any earlier run; en-US so that numbers read "22 °C".
    context = await browser.newContext({ ...PHONE, locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await warmUp(api, FUNCTIONS_CALLED);
    page.on('pageerror', (error) => scriptErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') scriptErrors.push(message.text());
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && context !== undefined && !page.isClosed()) {
      const file = `failure-${this.currentTest.title.replace(/\W+/g, '-')}.png`;
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true }).catch(() => undefined);
    }
  });

  after(async () => {
    cognito?.destroy();
    try {
      await context?.close();
    } finally {
      // Ends the Chromium process and its children, whatever happened above.
      await browser?.close();
    }
  });

  it('signs up and lands on the confirmation page with the email filled in', async () => {
    await page.goto(portal);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    const [signUp] = await Promise.all([
      page.waitForResponse(cognitoCall('SignUp')),
      page.getByRole('button', { name: 'Create account' }).click(),
    ]);
    expect(signUp.status(), await signUp.text()).to.equal(200);

    await page.getByRole('heading', { name: 'Confirm your email' }).waitFor();
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).to.equal(email);
    await shot('confirm-email');
  });

  it('signs in once the email is confirmed, to an empty list of devices', async () => {
    // The code goes by email; an administrator's confirmation stands in for typing it.
    await cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: userPoolId, Username: email }));

    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await shot('sign-in');
    const [signIn] = await Promise.all([
      page.waitForResponse(cognitoCall('InitiateAuth')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(signIn.status(), await signIn.text()).to.equal(200);
    refreshToken = ((await signIn.json()) as { AuthenticationResult: { RefreshToken: string } })
      .AuthenticationResult.RefreshToken;

    await page.getByRole('heading', { name: 'Devices', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No devices yet' }).waitFor();
    await shot('devices-empty');
  });

  it('adds a device with its name, location and alert threshold', async () => {
    await page.getByRole('button', { name: 'Add device' }).click();
    await page.getByLabel('Name').fill('Living room');
    await page.getByLabel('Location').fill('Ground floor, by the window');
    await page.getByLabel('Alert threshold (°C)').fill('26.5');
    await shot('add-device');
    const [created] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'POST' && isDevicesUrl(response)),
      page.getByRole('button', { name: 'Add device' }).click(),
    ]);
    expect(created.status(), await created.text()).to.equal(201);
    deviceId = ((await created.json()) as { deviceId: string }).deviceId;

    const card = deviceCard('Living room');
    await card.getByText('Alert above 26.5 °C').waitFor();
    await card.getByText('Ground floor, by the window').waitFor();
    await shot('device-added');
  });

  it('refuses a threshold out of range next to the field, without sending it', async () => {
    const card = deviceCard('Living room');
    const patches: string[] = [];
    const countPatch = (request: BrowserRequest) => {
      if (request.method() === 'PATCH') patches.push(request.url());
    };
    page.on('request', countPatch);
    try {
      await card.getByRole('button', { name: 'Edit threshold' }).click();
      const threshold = card.getByLabel('Alert threshold (°C)');
      await threshold.fill('95');
      await card.getByRole('button', { name: 'Save' }).click();

      await card.getByText(THRESHOLD_ERROR).waitFor();
      expect(await threshold.getAttribute('aria-invalid')).to.equal('true');
      expect(patches, 'requests sent for an invalid threshold').to.deep.equal([]);
      await shot('threshold-error');
    } finally {
      page.off('request', countPatch);
    }
  });

  it('changes the threshold: the card shows it and the API kept it', async () => {
    const card = deviceCard('Living room');
    await card.getByLabel('Alert threshold (°C)').fill('22');
    const [patched] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'PATCH'),
      card.getByRole('button', { name: 'Save' }).click(),
    ]);
    expect(patched.status(), await patched.text()).to.equal(200);
    await card.getByText('Alert above 22 °C').waitFor();
    expect(await card.getByText(THRESHOLD_ERROR).count()).to.equal(0);
    await shot('threshold-changed');

    // Read back with the token the page itself sent.
    const authorization = required(await patched.request().headerValue('authorization'), 'authorization');
    const stored = await fetch(`${portal}/devices/${encodeURIComponent(required(deviceId, 'deviceId'))}`, {
      headers: { authorization, accept: 'application/json' },
    });
    expect(stored.status).to.equal(200);
    expect(await stored.json()).to.include({ name: 'Living room', thresholdC: 22 });
  });

  it('signs out: the sign-in page is back and the session is gone', async () => {
    const [revoked] = await Promise.all([
      page.waitForResponse(cognitoCall('RevokeToken')),
      page.getByRole('button', { name: 'Sign out' }).click(),
    ]);
    expect(revoked.status(), await revoked.text()).to.equal(200);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('You have signed out.').waitFor();
    await shot('signed-out');

    // The tab keeps no tokens: reloading a signed-in page leads back to sign in.
    await page.goto(`${portal}/#/devices`);
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).hash).to.equal(`#/sign-in?next=${encodeURIComponent('/devices')}`);
    expect(await page.getByRole('button', { name: 'Sign out' }).count()).to.equal(0);

    // And the refresh token can no longer renew the session.
    const refresh = cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: required(refreshToken, 'refresh token') },
      }),
    );
    const refused = await refresh.then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(refused?.name).to.equal('NotAuthorizedException');
    await shot('sign-in-after-reload');
  });

  it('raised no script error along the way', () => {
    expect(scriptErrors).to.deep.equal([]);
  });
});

const INSTALL_CHROMIUM =
  "Install Debian's chromium with `apt-get install chromium` (.ci/run does), or set CHROMIUM_PATH.";

/** Before the minutes it takes to start the local cloud. */
function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is missing: there is no ${CHROMIUM}. ${INSTALL_CHROMIUM}`);
}

async function launchChromium(): Promise<Browser> {
  try {
    // launch() gives the browser its own temporary profile, removed on close.
    return await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    throw new Error(`Chromium at ${CHROMIUM} could not be started (${reason}). ${INSTALL_CHROMIUM}`, {
      cause,
    });
  }
}

/**
 * serverless-offline loads a function on its first call, and discards it if that call outlasts the
 * function's timeout (10 s): on a busy machine the first PATCH answered 504. One call to each
 * function beforehand keeps the emulator's cold starts out of what this suite judges. The workers
 * stay loaded while they are called at least once a minute (serverless-offline's
 * terminateIdleLambdaTime), which this suite does.
 */
async function warmUp(
  service: { lambdaEndpoint: string; functions: Record<string, string> },
  keys: readonly string[],
): Promise<void> {
  for (const key of keys) {
    const name = required(service.functions[key], `function ${key}`);
    for (let attempt = 1; attempt <= 2; attempt += 1) {
      // An empty event: the handler refuses it, which is enough to have it loaded.
      const response = await fetch(`${service.lambdaEndpoint}/2015-03-31/functions/${name}/invocations`, {
        method: 'POST',
        body: '{}',
      });
      // A first call that timed out ("[504] - Lambda timeout.") left nothing loaded: once more.
      if (!(await response.text()).includes('Lambda timeout')) break;
    }
  }
}

function isDevicesUrl(response: Response): boolean {
  return new URL(response.url()).pathname === '/devices';
}

function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`no ${what}`);
  return value;
}
