import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { people, serviceOf, useLocalCloud } from '@serverless-patterns/local/testing';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import {
  assertChromiumInstalled,
  assertPhotoInstalled,
  launchChromium,
  PHONE,
  required,
  STEP_TIMEOUT_MS,
  warmUp,
} from './chromium';

// The Images page against the real image pipeline, in Debian's Chromium on a phone-sized screen: a
// photo of an astronaut taken with a Canon by the Eiffel Tower is uploaded with the page's button, processes, shows
// its thumbnail, opens with its preview, labels and EXIF details, and is deleted. Screenshots go to
// artifacts/browser/images-*.png. portal.test.ts tries the same page against a fake of the API.

const ROOT = join(import.meta.dirname, '..', '..');
const SCREENSHOTS = join(ROOT, 'artifacts', 'browser');
// The pipeline's work: notification, workflow, sharp and label detection on a cold emulator.
const PROCESSING_TIMEOUT_MS = 90_000;
const FILE_NAME = 'astronaut-in-paris.jpg';
// A person, which the local detector (COCO classes) and Rekognition both label with confidence.
const ASTRONAUT = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';

const execFileAsync = promisify(execFile);

describe('Images in Chromium against the image pipeline (phone)', function () {
  this.timeout(120_000);

  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let portal: string;
  let workDir: string;
  let photo: string;
  let key: string | undefined;
  let authorization: string | undefined;
  const scriptErrors: string[] = [];
  let email: string;
  let password: string;

  const shot = async (name: string, { fullPage = true } = {}) => {
    await page.screenshot({
      path: join(SCREENSHOTS, `images-${name}.png`),
      fullPage,
      animations: 'disabled',
    });
  };

  const tile = () => page.getByRole('listitem').filter({ hasText: FILE_NAME });

  before(async function () {
    this.timeout(300_000);
    assertChromiumInstalled();
    assertPhotoInstalled();
    const cloud = await useLocalCloud();
    const api = serviceOf(cloud.description, 'api');
    const pipeline = serviceOf(cloud.description, 'image-pipeline');
    portal = required(cloud.description.portalUrl, 'portal');

    // Signed up and confirmed by the API (portal.test.ts goes through those pages).
    const signUps = people(cloud.description);
    ({ email, password } = await signUps.create());
    signUps.destroy();

    workDir = await mkdtemp(join(tmpdir(), 'images-browser-'));
    photo = await photoWithExif(workDir);
    await mkdir(SCREENSHOTS, { recursive: true });
    browser = await launchChromium();
    context = await browser.newContext({ ...PHONE, locale: 'en-US' });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    await warmUp(api, ['authorizePeople']);
    // Every function of the pipeline: its routes, and the workflow's steps (sharp, the detector).
    await warmUp(pipeline, Object.keys(pipeline.functions));
    page.on('pageerror', (error) => scriptErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') scriptErrors.push(message.text());
    });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && context !== undefined && !page.isClosed()) {
      const file = `failure-images-${this.currentTest.title.replace(/\W+/g, '-')}.png`;
      await page.screenshot({ path: join(SCREENSHOTS, file), fullPage: true }).catch(() => undefined);
    }
  });

  after(async () => {
    try {
      await context?.close();
    } finally {
      await browser?.close();
      if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
    }
  });

  it('signs in and opens Images on an empty gallery', async () => {
    await page.goto(`${portal}/#/images`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Images', exact: true }).waitFor();
    await page.getByRole('heading', { name: 'No images yet' }).waitFor();
    await shot('empty');
  });

  it('uploads a photo: processing, then ready with its square thumbnail', async () => {
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Upload photos' }).click(),
    ]);
    const [asked] = await Promise.all([
      page.waitForResponse((response) => new URL(response.url()).pathname === '/images/uploads'),
      chooser.setFiles(photo),
    ]);
    expect(asked.status(), await asked.text()).to.equal(201);
    key = ((await asked.json()) as { key: string }).key;
    authorization = required(await asked.request().headerValue('authorization'), 'authorization');

    await tile().getByText('Processing', { exact: true }).waitFor();
    await shot('processing');
    await tile().getByText('Ready', { exact: true }).waitFor({ timeout: PROCESSING_TIMEOUT_MS });
    const thumbnail = tile().locator('img');
    await thumbnail.waitFor();
    // The pipeline's thumbnail (a presigned link), no longer the file as this browser sent it.
    expect(await thumbnail.getAttribute('src')).to.match(/^https?:/);
    expect(
      await thumbnail.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
    ).to.be.above(0);
    await shot('ready');
  });

  it('opens it: preview, labels, and the camera, date, exposure and place from its EXIF', async () => {
    await page.getByRole('button', { name: new RegExp(FILE_NAME.replaceAll('.', '\\.')) }).click();
    const detail = page.getByRole('dialog', { name: FILE_NAME });
    await detail.locator('.detail-preview.loaded img').waitFor();
    await detail
      .locator('.chip.label')
      .filter({ hasText: /^Person/ })
      .waitFor();
    const pairs = await detail
      .locator('dl')
      .evaluate((list) =>
        [...list.querySelectorAll('dt')].map((term) => [
          term.textContent,
          term.nextElementSibling?.textContent,
        ]),
      );
    const details = Object.fromEntries(pairs);
    expect(details).to.deep.include({
      Format: 'JPEG',
      Dimensions: '512 × 512 px',
      Camera: 'Canon EOS R6',
      Exposure: '1/125 s',
      ISO: '200',
      Location: '48.85837° N, 2.29448° E',
    });
    expect(details.Taken, "on the camera's clock").to.match(/^Jun 1, 2024, 12:30\sPM$/);
    await shot('detail', { fullPage: false });
  });

  it('deletes it after confirmation: the gallery is empty and the API no longer has it', async () => {
    const detail = page.getByRole('dialog', { name: FILE_NAME });
    await detail.getByRole('button', { name: 'Delete', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${FILE_NAME}?` });
    const [deleted] = await Promise.all([
      page.waitForResponse((response) => response.request().method() === 'DELETE'),
      confirm.getByRole('button', { name: 'Delete image' }).click(),
    ]);
    // A 204 has no body to read (Chromium refuses to give one): read it only to explain a failure.
    const status = deleted.status();
    expect(status, status === 204 ? '' : await deleted.text()).to.equal(204);
    await page.getByText(`${FILE_NAME} deleted`).waitFor();
    await page.getByRole('heading', { name: 'No images yet' }).waitFor();

    const listed = await fetch(`${portal}/images`, {
      headers: { authorization: required(authorization, 'authorization'), accept: 'application/json' },
    });
    expect(listed.status).to.equal(200);
    const { images } = (await listed.json()) as { images: { key: string }[] };
    expect(images.map((image) => image.key)).to.not.include(required(key, 'key'));
    await shot('deleted');
  });

  it('raised no script error along the way', () => {
    expect(scriptErrors).to.deep.equal([]);
  });
});

/**
 * The astronaut as a JPEG with the EXIF a camera writes: make and model, when (no time zone: the camera's
 * clock), exposure, ISO and where. exiftool writes it, independently of the code that reads it.
 */
async function photoWithExif(dir: string): Promise<string> {
  const file = join(dir, FILE_NAME);
  await sharp(ASTRONAUT).jpeg({ quality: 90 }).toFile(file);
  await execFileAsync('exiftool', [
    '-overwrite_original',
    '-Make=Canon',
    '-Model=Canon EOS R6',
    '-DateTimeOriginal=2024:06:01 12:30:00',
    '-ExposureTime=1/125',
    '-ISO=200',
    '-GPSLatitude=48.85837',
    '-GPSLatitudeRef=N',
    '-GPSLongitude=2.294481',
    '-GPSLongitudeRef=E',
    file,
  ]);
  return file;
}
