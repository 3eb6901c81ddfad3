import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** What the browser suites share: Debian's Chromium, a phone-sized screen, warm functions. */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
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
export const PHONE = {
  viewport: { width: 375, height: 812 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};
// Each step waits at most this long for what the person should see.
export const STEP_TIMEOUT_MS = 15_000;

/**
 * A real photograph (Chelsea the cat, 451 × 300 PNG) from Debian's python3-skimage, which .ci/run
 * installs for the image pipeline's fixtures.
 */
export const PHOTO = '/usr/lib/python3/dist-packages/skimage/data/chelsea.png';

const INSTALL_CHROMIUM =
  "Install Debian's chromium with `apt-get install chromium` (.ci/run does), or set CHROMIUM_PATH.";

/** Before the minutes it takes to start the local cloud. */
export function assertChromiumInstalled(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is missing: there is no ${CHROMIUM}. ${INSTALL_CHROMIUM}`);
}

export function assertPhotoInstalled(): void {
  if (!existsSync(PHOTO))
    throw new Error(`The test photograph is missing: ${PHOTO}. Install python3-skimage (.ci/run does).`);
}

export async function launchChromium(): Promise<Browser> {
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
 * function beforehand keeps the emulator's cold starts out of what a suite judges. The workers
 * stay loaded while they are called at least once a minute (serverless-offline's
 * terminateIdleLambdaTime), which the suites do.
 */
export async function warmUp(
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

export function required<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`no ${what}`);
  return value;
}
