import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AdminConfirmSignUpCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { type AwsClients, awsClients, serviceOf, useLocalCloud } from '@serverless-patterns/local/testing';
import type { ImageView } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import type {
  Browser,
  BrowserContext,
  Request as BrowserRequest,
  Locator,
  Page,
  Response,
} from 'playwright-core';
import {
  assertChromiumInstalled,
  assertPhotoInstalled,
  launchChromium,
  PHONE,
  PHOTO,
  required,
  STEP_TIMEOUT_MS,
  warmUp,
} from './chromium';
import { type FakeImagesApi, fakeImagesApi } from './fake-images-api';

// One person's first visit to the portal, in Debian's Chromium on a phone-sized screen: sign up,
// confirm, sign in, add a thermostat, change its alert threshold, look after their images, sign out.
// The steps run in order and share the page, as the person would; each leaves a screenshot in
// artifacts/browser/.

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'artifacts', 'browser');

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

  let aws: AwsClients;
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
  let images: FakeImagesApi | undefined;
  let shots = 0;
  // Console errors a step caused on purpose (a refused request), left out of the last check.
  const expectedConsoleErrors: RegExp[] = [];

  // The whole page, or what the screen shows (a dialog scrolls within the screen).
  const shot = async (name: string, { fullPage = true } = {}) => {
    shots += 1;
    const file = `phone-${String(shots).padStart(2, '0')}-${name}.png`;
    await page.screenshot({ path: join(SCREENSHOTS, file), fullPage, animations: 'disabled' });
  };

  const cognitoCall = (action: string) => (response: Response) =>
    response.request().headers()['x-amz-target'] === `AWSCognitoIdentityProviderService.${action}`;

  const deviceCard = (name: string) =>
    page.getByRole('listitem').filter({ has: page.getByRole('heading', { name }) });

  const imageTile = (fileName: string) => page.getByRole('listitem').filter({ hasText: fileName });

  /** Picks files with the page's own button, as the person would. */
  const choosePhotos = async (files: { name: string; mimeType: string; buffer: Buffer }[]) => {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload photos' }).click(),
    ]);
    await chooser.setFiles(files);
  };

  const dismiss = (alert: Locator) => alert.getByRole('button', { name: 'Dismiss' }).click();

  before(async function () {
    // The first suite to ask starts the local cloud: a few minutes on a cold machine.
    this.timeout(300_000);
    assertChromiumInstalled();
    assertPhotoInstalled();
    const cloud = await useLocalCloud();
    const api = serviceOf(cloud.description, 'api');
    portal = required(cloud.description.portalUrl, 'portal');
    userPoolId = api.resource('UserPool');
    clientId = api.resource('UserPoolClient');
    aws = awsClients(cloud.description);
    cognito = aws.cognito;

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
    aws?.destroy();
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

  it('Images: in the menu after Devices, opens on an empty gallery', async () => {
    images = await fakeImagesApi(page, portal);
    const menu = page.getByRole('navigation', { name: 'Main' }).getByRole('link');
    expect(await menu.allTextContents()).to.deep.equal([
      'Devices',
      'Telemetry',
      'Images',
      'Lake',
      'SQL',
      'Shop',
      'Profile',
    ]);

    await menu.getByText('Images', { exact: true }).click();
    await page.getByRole('heading', { name: 'Images', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No images yet' }).waitFor();
    expect(new URL(page.url()).hash).to.equal('#/images');
    // The same ID token as the devices API gets.
    const [listing] = images.requests;
    expect(listing).to.include({ method: 'GET', path: '/images' });
    expect(listing?.authorization).to.match(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    await shot('images-empty');
  });

  it('Images: refuses a file that is not an image, without asking the API', async () => {
    const fake = required(images, 'fake images API');
    const sent = fake.requests.length;
    await choosePhotos([{ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('Not a photo') }]);

    const refusal = page.getByRole('alert').filter({ hasText: 'notes.txt is not an image.' });
    await refusal.waitFor();
    expect(fake.requests.slice(sent), 'requests sent for a text file').to.deep.equal([]);
    await shot('images-not-an-image');
    await dismiss(refusal);
  });

  it("Images: shows the storage service's refusal in its own words, and no tile is left", async () => {
    const fake = required(images, 'fake images API');
    fake.storage = {
      status: 403,
      code: 'AccessDenied',
      message: 'Invalid according to Policy: Policy expired.',
    };
    // Chromium reports a refused request in the console.
    expectedConsoleErrors.push(/status of 403/);
    await choosePhotos([{ name: 'chelsea.png', mimeType: 'image/png', buffer: await readFile(PHOTO) }]);

    const refusal = page.getByRole('alert').filter({ hasText: 'chelsea.png was not uploaded.' });
    await refusal
      .getByText('The storage service refused the file: Invalid according to Policy: Policy expired.')
      .waitFor();
    await page.getByRole('heading', { name: 'No images yet' }).waitFor();
    const asked = fake.requests.find((request) => request.path === '/images/uploads');
    expect(asked?.authorization).to.match(/^Bearer /);
    // S3's presigned POST: the signed fields first, the file last, and no Authorization header.
    const posted = fake.requests.find((request) => request.path.startsWith('/fake-s3/'));
    expect(posted?.formFields).to.deep.equal(['key', 'Content-Type', 'Policy', 'X-Amz-Signature', 'file']);
    expect(posted?.authorization).to.equal(undefined);
    await shot('images-upload-refused');
    await dismiss(refusal);
  });

  it('Images: uploads a photo, shows it processing, then ready, and stops asking', async () => {
    const fake = required(images, 'fake images API');
    const photo = await readFile(PHOTO);
    fake.storage = 'accept';
    fake.images = earlierImages();
    fake.processed = (record) => processedPhoto(record, photo.length, fake);
    await choosePhotos([{ name: 'chelsea.png', mimeType: 'image/png', buffer: photo }]);

    const tile = imageTile('chelsea.png');
    await tile.getByText('Processing', { exact: true }).waitFor();
    await shot('images-processing');
    await tile.getByText('Ready', { exact: true }).waitFor();
    await tile.locator('img').waitFor();
    expect(await tile.locator('img').getAttribute('src'), 'the thumbnail shown').to.contain('/square.png?');
    // The earlier images came with the same listing, each with its reason.
    await imageTile('scan.tiff')
      .getByText('The image is damaged or incomplete: it could not be decoded.')
      .waitFor();
    await imageTile('broken.jpg')
      .getByText('Processing the image took too long. Upload it again to retry.', { exact: true })
      .waitFor();
    await page.getByText('3 images').waitFor();

    // Nothing is pending any more: no more listings, even after more than two polling periods.
    const listings = () => fake.requests.filter((request) => request.path === '/images').length;
    const settled = listings();
    await page.waitForTimeout(4_500);
    expect(listings(), 'listings once every image is settled').to.equal(settled);
    await shot('images-gallery');
  });

  it('Images: opens a photo with its preview, labels and camera details', async () => {
    await page.getByRole('button', { name: /chelsea\.png/ }).click();
    const detail = page.getByRole('dialog', { name: 'chelsea.png' });
    await detail.getByRole('img', { name: 'Photo: cat, couch' }).waitFor();
    await detail.getByText('Cat', { exact: true }).waitFor();
    await detail.getByText('97%', { exact: true }).waitFor();
    const details = detail.locator('dl');
    const pairs = await details.evaluate((list) =>
      [...list.querySelectorAll('dt')].map((term) => [
        term.textContent,
        term.nextElementSibling?.textContent,
      ]),
    );
    expect(Object.fromEntries(pairs)).to.deep.include({
      Format: 'PNG',
      Dimensions: '451 × 300 px',
      Camera: 'Canon EOS R6',
      Exposure: '1/125 s',
      ISO: '200',
      Location: '48.85837° N, 2.29448° E',
    });
    expect(Object.fromEntries(pairs).Taken, "on the camera's clock").to.match(/^Jun 1, 2024, 12:30\sPM$/);
    await shot('image-detail', { fullPage: false });
    await details.scrollIntoViewIfNeeded();
    await detail.getByRole('button', { name: 'Delete', exact: true }).scrollIntoViewIfNeeded();
    await shot('image-detail-details', { fullPage: false });
  });

  it('Images: deletes a photo after confirmation', async () => {
    const fake = required(images, 'fake images API');
    const detail = page.getByRole('dialog', { name: 'chelsea.png' });
    await detail.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete chelsea.png?' });
    await confirm.getByText('This cannot be undone.').waitFor();
    await shot('image-delete-confirm', { fullPage: false });
    await confirm.getByRole('button', { name: 'Delete image' }).click();

    await page.getByText('chelsea.png deleted').waitFor();
    await detail.waitFor({ state: 'detached' });
    expect(await imageTile('chelsea.png').count()).to.equal(0);
    expect(
      fake.requests.filter((request) => request.method === 'DELETE').map((request) => request.path),
    ).to.deep.equal(['/images/image-1']);
    await page.getByText('2 images').waitFor();
    await fake.stop();
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
    const unexpected = scriptErrors.filter(
      (error) => !expectedConsoleErrors.some((known) => known.test(error)),
    );
    expect(unexpected).to.deep.equal([]);
  });
});

/** Two images from an earlier visit that the pipeline could not make thumbnails of. */
function earlierImages(): ImageView[] {
  const yesterday = new Date(Date.now() - 86_400_000).toISOString();
  const common = {
    ownerId: 'fake-owner',
    bucket: 'images-bucket',
    createdAt: yesterday,
    updatedAt: yesterday,
  };
  return [
    {
      ...common,
      imageId: 'scan',
      key: 'uploads/fake-owner/upload-1/scan.tiff',
      status: 'UNSUPPORTED',
      failure: {
        code: 'UndecodableImage',
        message: 'The image is damaged or incomplete: it could not be decoded.',
      },
    },
    {
      ...common,
      imageId: 'broken',
      key: 'uploads/fake-owner/upload-2/broken.jpg',
      status: 'FAILED',
      // A failure code and its message, as the pipeline records it.
      failure: {
        code: 'ProcessingTimedOut',
        message: 'Processing the image took too long. Upload it again to retry.',
      },
    },
  ];
}

/** What the pipeline would make of Chelsea the cat, taken with a Canon by the Eiffel Tower. */
function processedPhoto(record: ImageView, sizeBytes: number, fake: FakeImagesApi): ImageView {
  const thumbnails = {
    square: `thumbnails/${record.imageId}/square.png`,
    preview: `thumbnails/${record.imageId}/preview.png`,
  };
  return {
    ...record,
    status: 'READY',
    updatedAt: new Date().toISOString(),
    metadata: {
      format: 'png',
      width: 451,
      height: 300,
      sizeBytes,
      exif: {
        make: 'Canon',
        model: 'Canon EOS R6',
        takenAt: '2024-06-01T12:30:00',
        exposureTime: 0.008,
        iso: 200,
      },
      gps: { latitude: 48.85837, longitude: 2.294481 },
    },
    labels: [
      { name: 'Couch', confidence: 64.2 },
      { name: 'Cat', confidence: 97.3 },
    ],
    thumbnails,
    urls: {
      square: `${fake.fileUrl(thumbnails.square)}?X-Amz-Signature=fake`,
      preview: `${fake.fileUrl(thumbnails.preview)}?X-Amz-Signature=fake`,
      original: `${fake.fileUrl(record.key)}?X-Amz-Signature=fake`,
    },
  };
}

function isDevicesUrl(response: Response): boolean {
  return new URL(response.url()).pathname === '/devices';
}
