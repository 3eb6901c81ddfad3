import { expect } from 'chai';
import fc from 'fast-check';
import { apiService, type TestCloud, useLocalCloud } from './cloud';
import {
  type ApiResponse,
  expectApiError,
  expectNoStackTrace,
  patiently,
  send,
  sendSignedIn,
  warmRoutes,
} from './http';
import { bearer, type People, type Person, people } from './users';

// Property-based fuzzing of every route's body and path parameters, through HTTP to the running api
// with a real signed-in person. Each case knows what it is (a valid shape, a wrong type, an unknown
// field, malformed JSON, an oversized body...), and therefore the one status the README promises for it.
// FUZZ_RUNS sets the cases per route (default 1,000); FUZZ_SEED replays a failing run.

const RUNS = positiveInteger('FUZZ_RUNS', 1_000);
const SEED = optionalInteger('FUZZ_SEED');
const MAX_BODY_BYTES = 64 * 1024;
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
/** The schema refuses thresholds closer to zero than this (DynamoDB cannot store below 1e-130). */
const SMALLEST_THRESHOLD_MAGNITUDE = 1e-6;
// Long enough for a cold start and every case at a few milliseconds each, on a busy machine.
const ROUTE_TIMEOUT_MS = 120_000 + RUNS * 100;

function optionalInteger(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!Number.isInteger(Number(raw))) throw new Error(`${name} must be an integer, got ${raw}`);
  return Number(raw);
}

function positiveInteger(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got ${raw}`);
  return value;
}

// --- Values ---------------------------------------------------------------------------------------

const TRICKY_STRINGS = [
  '',
  ' ',
  '\t\n',
  '\u0000',
  '\uD800',
  'ok\uDFFF',
  'e\u0301',
  '\u202Eevil',
  '\uFEFF',
  '😀'.repeat(16),
  '<script>alert(1)</script>',
  "'; DROP TABLE devices; --",
  '\u0024{jndi:ldap://x}',
  '../../etc/passwd',
  '%00',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x14',
  ' 20 ',
  '20°C',
];

const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom(...TRICKY_STRINGS),
  );

/** A name or location the schema accepts: 1 to `max` UTF-16 units, not only whitespace. */
const validText = (max: number) =>
  fc
    .oneof(
      fc.string({ minLength: 1, maxLength: max }),
      fc.string({ unit: 'grapheme', minLength: 1, maxLength: max }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: Math.floor(max / 2) }),
      fc.constantFrom(
        'Kitchen',
        'Salle de bain',
        'Küche',
        '台所',
        'e\u0301',
        '😀',
        'ok\uDFFF',
        "O'Brien; --",
      ),
    )
    .filter((value) => value.length <= max && value.trim().length > 0);

const validThreshold = fc.oneof(
  // Valid thresholds only: magnitudes below 1e-6 are refused (see "thresholds DynamoDB cannot store").
  fc
    .double({ min: -40, max: 80, noNaN: true })
    .filter((value) => value === 0 || Math.abs(value) >= SMALLEST_THRESHOLD_MAGNITUDE),
  fc.integer({ min: -40, max: 80 }),
  fc.constantFrom(-40, 80, 0, -0, 21.5),
);

/** Numbers and look-alikes that are not a threshold from -40 to 80. */
const wrongThreshold = fc.oneof(
  fc.double({ noNaN: true }).filter((value) => !(value >= -40 && value <= 80)),
  fc.integer().filter((value) => value < -40 || value > 80),
  fc.constantFrom(-40.000001, 80.000001, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 1e21),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '20', '1e1', '0x14', ' 20', '20°C', ''),
  fc.constantFrom(null, true, false, [], [20], {}, { value: 20 }),
);

/** Not a string: numbers, booleans, null, arrays, objects. */
const notAString = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** What String.prototype.trim (and so the schema) leaves empty. */
const blank = fc.constantFrom('', ' ', '\t\n', '\u00a0', '\u2003 ', '\uFEFF');

/** Longer than `max` even once trimmed. */
const tooLong = (max: number) =>
  fc.string({ minLength: max + 1, maxLength: 2000 }).filter((value) => value.trim().length > max);

// Unknown keys are echoed in the 400's details; they avoid what would look like a stack trace there.
const unknownKey = (known: readonly string[]) =>
  fc
    .oneof(
      fc.string({ maxLength: 20 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom(
        '__proto__',
        'constructor',
        'prototype',
        'toString',
        'hasOwnProperty',
        'deviceId',
        'ownerId',
        'createdAt',
        'updatedAt',
        'pk',
        'sk',
        'Name',
        'thresholdc',
        ' name',
        'name ',
        'isAdmin',
      ),
    )
    .filter((key) => !known.includes(key) && !key.includes('/') && !/\s{4}at\s/.test(key));

function nested(kind: 'array' | 'object', depth: number): string {
  return kind === 'array'
    ? `${'['.repeat(depth)}${']'.repeat(depth)}`
    : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

const nesting = (maxDepth: number) =>
  fc
    .tuple(fc.constantFrom<'array' | 'object'>('array', 'object'), fc.integer({ min: 50, max: maxDepth }))
    .map(([kind, depth]) => nested(kind, depth));
/** Deeply nested JSON text, up to just under the body limit. */
const deepJson = nesting(12_000);
/** Deeply nested values, shallow enough for JSON.stringify on this side. */
const deepValue = nesting(2_000).map((json): unknown => JSON.parse(json));

function parses(body: string): boolean {
  try {
    JSON.parse(body);
    return true;
  } catch {
    return false;
  }
}

const malformedJson = fc
  .oneof(
    fc.constantFrom(
      '{',
      '}',
      '{"name":',
      "{'name':'Kitchen'}",
      '{"name":"Kitchen",}',
      '{"thresholdC": NaN}',
      '{"thresholdC": Infinity}',
      '{"thresholdC": -}',
      '{"thresholdC": 1e}',
      '{"thresholdC": 020}',
      '{"name" "Kitchen"}',
      '{"name":"\u0000"}',
      '{"name":"\\x41"}',
      '[1,]',
      '{}}',
      'NaN',
      'Infinity',
      'undefined',
      'nul',
      'tru',
      '--1',
      '"unterminated',
      '\uFEFF{}',
      '   ',
      '<xml/>',
      'name=Kitchen&thresholdC=20',
    ),
    fc.string({ maxLength: 200 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.jsonValue().chain((value) => {
      const json = JSON.stringify(value);
      return json.length < 2
        ? fc.constant(`${json}}`)
        : fc.integer({ min: 1, max: json.length - 1 }).map((n) => json.slice(0, n));
    }),
    deepJson.map((json) => json.slice(0, -1)),
  )
  .filter((body) => body.length > 0 && !parses(body));

/** Bodies above the limit, in bytes: ASCII, and multi-byte characters whose length in UTF-16 units is smaller. */
const oversizedBody = fc.oneof(
  fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }).map((bytes) => paddedBody(bytes)),
  fc
    .tuple(fc.constantFrom('é', '😀', '台'), fc.integer({ min: 1, max: 2 * MAX_BODY_BYTES }))
    .map(([char, extra]) => {
      const count = Math.ceil((MAX_BODY_BYTES + extra) / Buffer.byteLength(char));
      return JSON.stringify({ name: char.repeat(count), location: 'Hall', thresholdC: 20 });
    }),
  fc.integer({ min: MAX_BODY_BYTES + 1, max: 2 * MAX_BODY_BYTES }).map((bytes) => '{'.repeat(bytes)),
);

/** `{"name":"xxx…","location":"Hall","thresholdC":20}` of exactly `bytes` bytes. */
function paddedBody(bytes: number): string {
  const empty = JSON.stringify({ name: '', location: 'Hall', thresholdC: 20 });
  return JSON.stringify({ name: 'x'.repeat(bytes - empty.length), location: 'Hall', thresholdC: 20 });
}

// --- Bodies ----------------------------------------------------------------------------------------

type BodyKind = 'valid' | 'unknown-field' | 'wrong-type' | 'malformed' | 'oversized' | 'any-json';

interface BodyCase {
  kind: BodyKind;
  body: string;
  /** For unknown-field: the keys the 400 must name. */
  unknown?: string[];
}

const withUnknownFields = (valid: fc.Arbitrary<Record<string, unknown>>, known: readonly string[]) =>
  fc
    .tuple(
      valid,
      fc.uniqueArray(fc.tuple(unknownKey(known), fc.oneof(fc.jsonValue(), deepValue)), {
        minLength: 1,
        maxLength: 3,
        selector: ([key]) => key,
      }),
    )
    .map(([object, extras]): BodyCase => {
      const body = { ...object };
      // defineProperty, so that "__proto__" is an own key, as JSON.parse makes it on the server.
      for (const [key, value] of extras) Object.defineProperty(body, key, { value, enumerable: true });
      return { kind: 'unknown-field', body: JSON.stringify(body), unknown: extras.map(([key]) => key) };
    });

const otherBodies: fc.Arbitrary<BodyCase>[] = [
  malformedJson.map((body): BodyCase => ({ kind: 'malformed', body })),
  oversizedBody.map((body): BodyCase => ({ kind: 'oversized', body })),
  // Around the limit: 64 KiB exactly is read (and refused for its name), one byte more is a 413.
  fc.integer({ min: MAX_BODY_BYTES - 8, max: MAX_BODY_BYTES + 8 }).map(
    (bytes): BodyCase => ({
      kind: bytes > MAX_BODY_BYTES ? 'oversized' : 'wrong-type',
      body: paddedBody(bytes),
    }),
  ),
  fc
    .oneof(fc.jsonValue(), fc.anything(), deepValue)
    .map((value): BodyCase => ({ kind: 'any-json', body: JSON.stringify(value) ?? 'null' })),
  deepJson.map((body): BodyCase => ({ kind: 'any-json', body })),
];

const validRegistration = fc.record({
  name: validText(64),
  location: validText(128),
  thresholdC: validThreshold,
});

const registrationBody: fc.Arbitrary<BodyCase> = fc.oneof(
  {
    weight: 3,
    arbitrary: validRegistration.map((value): BodyCase => ({ kind: 'valid', body: JSON.stringify(value) })),
  },
  { weight: 2, arbitrary: withUnknownFields(validRegistration, ['name', 'location', 'thresholdC']) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.record({ name: fc.oneof(notAString, blank, tooLong(64)) }),
        fc.record({ location: fc.oneof(notAString, blank, tooLong(128)) }),
        fc.record({ thresholdC: wrongThreshold }),
        fc.constantFrom({ name: undefined }, { location: undefined }, { thresholdC: undefined }),
      )
      .chain((wrong) => validRegistration.map((valid) => ({ ...valid, ...wrong })))
      .map((value): BodyCase => ({ kind: 'wrong-type', body: JSON.stringify(value) })),
  },
  ...otherBodies.map((arbitrary) => ({ weight: 1, arbitrary })),
);

const validThresholdUpdate = fc.record({ thresholdC: validThreshold });

const thresholdBody: fc.Arbitrary<BodyCase> = fc.oneof(
  {
    weight: 3,
    arbitrary: validThresholdUpdate.map(
      (value): BodyCase => ({ kind: 'valid', body: JSON.stringify(value) }),
    ),
  },
  { weight: 2, arbitrary: withUnknownFields(validThresholdUpdate, ['thresholdC']) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        wrongThreshold.map((thresholdC) => ({ thresholdC })),
        fc.constant({}),
      )
      .map((value): BodyCase => ({ kind: 'wrong-type', body: JSON.stringify(value) })),
  },
  ...otherBodies.map((arbitrary) => ({ weight: 1, arbitrary })),
);

/** Bodies a route ignores (it reads none): anything, even malformed or oversized. */
const ignoredBody: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  registrationBody.map((bodyCase) => bodyCase.body),
);

// --- Path parameters -------------------------------------------------------------------------------

/** The alphabet and length of an identifier (shared/src/schemas/common.ts). */
const IDENTIFIER = /^[A-Za-z0-9._:-]{1,128}$/;

type DeviceRef = { kind: 'own' } | { kind: 'foreign' } | { kind: 'raw'; id: string };

// '.' and '..' are dot segments: a URL client resolves them before sending, so they never reach a route.
const rawDeviceId = fc
  .oneof(
    fc.uuid(),
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
    fc.stringMatching(/^[A-Za-z0-9._:-]{129,600}$/),
    fc.string({ minLength: 1, maxLength: 64 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 64 }),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 64 }),
    fc.constantFrom(
      'a/b',
      'a b',
      'a?b',
      'a#b',
      'a%b',
      '%2F',
      '*',
      'device#x',
      'x'.repeat(129),
      '0'.repeat(2048),
    ),
    fc.constantFrom(...TRICKY_STRINGS),
  )
  .filter((id) => id !== '' && id !== '.' && id !== '..' && encodable(id));

const deviceRef: fc.Arbitrary<DeviceRef> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<DeviceRef>({ kind: 'own' }) },
  { weight: 1, arbitrary: fc.constant<DeviceRef>({ kind: 'foreign' }) },
  { weight: 4, arbitrary: rawDeviceId.map((id): DeviceRef => ({ kind: 'raw', id })) },
);

function encodable(id: string): boolean {
  try {
    encodeURIComponent(id);
    return true;
  } catch {
    return false; // a lone surrogate cannot be put in a URL
  }
}

// --- Query strings, for the routes that take no parameters -----------------------------------------

const queryString = fc.oneof(
  fc.constant(''),
  fc
    .dictionary(text(20), text(40), { maxKeys: 5 })
    .map((params) => `?${new URLSearchParams(params).toString()}`),
  fc.constantFrom(
    '?',
    '?&&&',
    '?a',
    '?a=1&a=2',
    '?limit=-1',
    '?owner=*',
    `?x=${'y'.repeat(4000)}`,
    '?%E2%82%AC=%F0%9F%98%80',
  ),
);

// --- The suite ---------------------------------------------------------------------------------------

interface RouteStats {
  route: string;
  cases: number;
  ms: number;
  statuses: Map<number, number>;
  /** Cases whose request was sent again because the local cloud stalled (see `call`). */
  stalled: number;
}

// Every request carries a valid token: a 401 or a 504 is the local cloud stalling (see patiently in
// http.ts), and the request is sent again. A route where more than 1% of cases stalled fails.
const isStall = (response: ApiResponse) => response.status === 504 || response.status === 401;
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/xml',
];

describe(`api: property-based fuzzing (${RUNS} cases per route)`, () => {
  let cloud: TestCloud;
  let apiUrl: string;
  let persons: People;
  let me: Person;
  let admin: Person;
  /** Registers the fuzzed devices, so that the other routes' lists stay short. */
  let registrar: Person;
  let myDevice: string;
  let foreignDevice: string;
  const stats: RouteStats[] = [];

  before(async function () {
    this.timeout(300_000);
    cloud = await useLocalCloud();
    apiUrl = apiService(cloud).apiUrl;
    persons = people(cloud);
    const [person, stranger, operator, newcomer] = await Promise.all([
      persons.create(),
      persons.create(),
      persons.create({ admin: true }),
      persons.create(),
    ]);
    me = person;
    registrar = newcomer;
    admin = operator;
    await warmRoutes(apiUrl, me, admin);
    myDevice = await register(me);
    foreignDevice = await register(stranger);
  });

  after(() => {
    persons?.destroy();
    if (stats.length === 0) return;
    const total = stats.reduce((sum, { cases, ms }) => ({ cases: sum.cases + cases, ms: sum.ms + ms }), {
      cases: 0,
      ms: 0,
    });
    console.log(
      `\n    fuzzing: ${total.cases} cases over ${stats.length} routes in ${(total.ms / 1000).toFixed(1)} s`,
    );
    for (const { route, cases, ms, statuses, stalled } of stats) {
      const counts = [...statuses].sort(([a], [b]) => a - b).map(([status, n]) => `${status}x${n}`);
      const retries = stalled === 0 ? '' : `, ${stalled} sent again after a stall`;
      console.log(
        `      ${route.padEnd(30)} ${cases} cases, ${(ms / 1000).toFixed(1)} s, ${counts.join(' ')}${retries}`,
      );
    }
  });

  const call = async (
    route: string,
    method: string,
    path: string,
    headers: Record<string, string>,
    body?: string,
  ) => {
    const stat = stats.find((entry) => entry.route === route);
    let sentAgain = false;
    const response = await patiently(
      () => send(apiUrl, method, path, { headers, body }),
      isStall,
      () => {
        if (stat !== undefined && !sentAgain) stat.stalled++;
        sentAgain = true;
      },
    );
    stat?.statuses.set(response.status, (stat.statuses.get(response.status) ?? 0) + 1);
    return response;
  };

  /** Runs the property RUNS times and records how long the route took. */
  async function fuzz<T>(route: string, arbitrary: fc.Arbitrary<T>, property: (value: T) => Promise<void>) {
    const stat: RouteStats = { route, cases: 0, ms: 0, statuses: new Map(), stalled: 0 };
    stats.push(stat);
    const started = performance.now();
    try {
      await fc.assert(
        fc.asyncProperty(arbitrary, async (value) => {
          stat.cases++;
          await property(value);
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
    } finally {
      stat.ms = performance.now() - started;
    }
    expect(stat.stalled, `${route}: cases sent again after a stall`).to.be.at.most(Math.ceil(RUNS / 100));
  }

  const deviceIdOf = (ref: DeviceRef): string =>
    ref.kind === 'own' ? myDevice : ref.kind === 'foreign' ? foreignDevice : ref.id;
  const pathOf = (ref: DeviceRef, suffix = '') => `/devices/${encodeURIComponent(deviceIdOf(ref))}${suffix}`;
  /** 400 for an id outside the identifier rule, 404 for one that is not the caller's device. */
  const idRefusal = (ref: DeviceRef): number | undefined =>
    ref.kind === 'own' ? undefined : ref.kind === 'foreign' ? 404 : IDENTIFIER.test(ref.id) ? 404 : 400;
  const bodyRefusal = (bodyCase: BodyCase): number | undefined =>
    Buffer.byteLength(bodyCase.body) > MAX_BODY_BYTES ? 413 : bodyCase.kind === 'valid' ? undefined : 400;

  it(`POST /devices: ${RUNS} bodies`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    const cases = fc.tuple(registrationBody, fc.constantFrom(...CONTENT_TYPES));
    await fuzz('POST /devices', cases, async ([bodyCase, contentType]) => {
      const headers = { ...bearer(registrar.idToken), 'content-type': contentType };
      const response = await call('POST /devices', 'POST', '/devices', headers, bodyCase.body);

      expectWellFormed(response, bodyCase.body);
      expect(response.status, explain(bodyCase, response)).to.equal(bodyRefusal(bodyCase) ?? 201);
      if (response.status === 201) {
        const { name, location, thresholdC } = JSON.parse(bodyCase.body);
        // The schema trims names and locations.
        expect(response.json).to.include({
          name: name.trim(),
          location: location.trim(),
          thresholdC,
          ownerId: registrar.userId,
        });
      }
      if (bodyCase.kind === 'unknown-field' && response.status === 400)
        expectUnknownFields(response, bodyCase);
      if (bodyCase.kind === 'malformed' && response.status === 400) {
        expect(errorOf(response).message).to.equal('Request body is not valid JSON');
      }
    });
  });

  it(`GET /devices: ${RUNS} query strings`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    await fuzz('GET /devices', queryString, async (query) => {
      const response = await call('GET /devices', 'GET', `/devices${query}`, bearer(me.idToken));

      expectWellFormed(response);
      expect(response.status, response.text.slice(0, 300)).to.equal(200);
      const { devices } = response.json as { devices: { ownerId: string }[] };
      expect(devices.every((device) => device.ownerId === me.userId)).to.equal(true);
    });
  });

  it(`GET /devices/{deviceId}: ${RUNS} device ids`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    await fuzz('GET /devices/{deviceId}', deviceRef, async (ref) => {
      const response = await call('GET /devices/{deviceId}', 'GET', pathOf(ref), bearer(me.idToken));

      expectWellFormed(response);
      expect(response.status, explain(ref, response)).to.equal(idRefusal(ref) ?? 200);
      if (response.status === 200)
        expect(response.json).to.include({ deviceId: myDevice, ownerId: me.userId });
    });
  });

  it(`PATCH /devices/{deviceId}: ${RUNS} device ids and bodies`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    await fuzz('PATCH /devices/{deviceId}', fc.tuple(deviceRef, thresholdBody), async ([ref, bodyCase]) => {
      const response = await call(
        'PATCH /devices/{deviceId}',
        'PATCH',
        pathOf(ref),
        bearer(me.idToken),
        bodyCase.body,
      );

      expectWellFormed(response, bodyCase.body);
      // The body is read before the id is checked: its size and syntax come first, then the id, then its shape.
      const size = Buffer.byteLength(bodyCase.body) > MAX_BODY_BYTES ? 413 : undefined;
      const syntax = bodyCase.kind === 'malformed' ? 400 : undefined;
      const id = idRefusal(ref) === 400 ? 400 : undefined;
      const expected = size ?? syntax ?? id ?? bodyRefusal(bodyCase) ?? idRefusal(ref) ?? 200;
      expect(response.status, explain({ ref, bodyCase }, response)).to.equal(expected);
      if (response.status === 200) {
        const { thresholdC } = JSON.parse(bodyCase.body) as { thresholdC: number };
        expect(response.json).to.include({ deviceId: myDevice, thresholdC });
      }
      if (bodyCase.kind === 'unknown-field' && response.status === 400 && id === undefined) {
        expectUnknownFields(response, bodyCase);
      }
    });
  });

  it(`DELETE /devices/{deviceId}: ${RUNS} device ids and bodies`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    await fuzz('DELETE /devices/{deviceId}', fc.tuple(deviceRef, ignoredBody), async ([ref, body]) => {
      // Each deletion of an own device deletes a device made for it, and checks that it is gone.
      const own = ref.kind === 'own' ? await register(me) : undefined;
      const path = own === undefined ? pathOf(ref) : `/devices/${own}`;

      const response = await call('DELETE /devices/{deviceId}', 'DELETE', path, bearer(me.idToken), body);

      expectWellFormed(response, body);
      expect(response.status, explain({ ref, body: body?.slice(0, 200) }, response)).to.equal(
        idRefusal(ref) ?? 204,
      );
      if (own !== undefined) {
        const gone = await sendSignedIn(apiUrl, 'GET', `/devices/${own}`, { headers: bearer(me.idToken) });
        expect(gone.status).to.equal(404);
      }
    });
  });

  it(`POST /devices/{deviceId}/token: ${RUNS} device ids and bodies`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    const route = 'POST /devices/{deviceId}/token';
    await fuzz(route, fc.tuple(deviceRef, ignoredBody), async ([ref, body]) => {
      const response = await call(route, 'POST', pathOf(ref, '/token'), bearer(me.idToken), body);

      expectWellFormed(response, body);
      expect(response.status, explain({ ref, body: body?.slice(0, 200) }, response)).to.equal(
        idRefusal(ref) ?? 201,
      );
      if (response.status === 201) {
        const { deviceId, token } = response.json as { deviceId: string; token: string };
        expect(deviceId).to.equal(myDevice);
        expect(token).to.match(new RegExp(`^${myDevice}\\.[A-Za-z0-9_-]{43}$`));
      }
    });
  });

  it(`GET /me: ${RUNS} query strings`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    await fuzz('GET /me', queryString, async (query) => {
      const response = await call('GET /me', 'GET', `/me${query}`, bearer(me.idToken));

      expectWellFormed(response);
      expect(response.status, response.text.slice(0, 300)).to.equal(200);
      expect(response.json).to.deep.equal({ userId: me.userId, email: me.email, groups: [], isAdmin: false });
    });
  });

  it(`GET /admin/devices/count: ${RUNS} query strings`, async function () {
    this.timeout(ROUTE_TIMEOUT_MS);
    await fuzz('GET /admin/devices/count', queryString, async (query) => {
      const response = await call(
        'GET /admin/devices/count',
        'GET',
        `/admin/devices/count${query}`,
        bearer(admin.idToken),
      );

      expectWellFormed(response);
      expect(response.status, response.text.slice(0, 300)).to.equal(200);
      expect((response.json as { count: unknown }).count)
        .to.be.a('number')
        .that.is.at.least(2);
    });
  });

  // Found by this fuzzing: DynamoDB refuses numbers whose magnitude is below 1e-130 ("Number
  // underflow"), which once made a valid-looking body a 500 (counted in UnexpectedErrors, which rolls a
  // canary back). The schema now refuses magnitudes below 1e-6: a 400 naming thresholdC.
  describe('thresholds DynamoDB cannot store', () => {
    it('POST /devices with thresholdC 5e-324: 400, never a 500', async () => {
      const body = JSON.stringify({ name: 'Tiny', location: 'Lab', thresholdC: 5e-324 });
      const response = await call('thresholds', 'POST', '/devices', bearer(me.idToken), body);

      expect(response.status, response.text).to.equal(400);
      expectWellFormed(response, body);
    });

    it('PATCH /devices/{deviceId} with thresholdC -1e-200: 400, never a 500', async () => {
      const body = JSON.stringify({ thresholdC: -1e-200 });
      const response = await call('thresholds', 'PATCH', `/devices/${myDevice}`, bearer(me.idToken), body);

      expect(response.status, response.text).to.equal(400);
      expectWellFormed(response, body);
    });
  });

  it("leaves the other person's device as it was", async () => {
    const response = await sendSignedIn(apiUrl, 'GET', '/devices', { headers: bearer(me.idToken) });
    const mine = (response.json as { devices: { deviceId: string }[] }).devices.map(
      (device) => device.deviceId,
    );

    expect(mine).not.to.include(foreignDevice);
    expect(mine).to.include(myDevice);
  });

  async function register(person: Person): Promise<string> {
    const body = JSON.stringify({ name: 'Fuzzed', location: 'Lab', thresholdC: 20 });
    const response = await call('register', 'POST', '/devices', bearer(person.idToken), body);
    expect(response.status, response.text).to.equal(201);
    return (response.json as { deviceId: string }).deviceId;
  }
});

/** Never a 5xx; JSON errors in the API's shape; no stack trace, even in what echoes the request. */
function expectWellFormed(response: ApiResponse, requestBody?: string): void {
  expect(response.status, response.text.slice(0, 500)).to.be.below(500);
  if (response.status >= 400) expectApiError(response);
  // A device echoes the name and location it was given, which may be anything: they are left out.
  expectNoStackTrace({ text: JSON.stringify(withoutEchoes(response.json)) ?? response.text });
  if (response.status === 204) expect(response.text).to.equal('');
  else
    expect(response.contentType, `${response.status} ${requestBody?.slice(0, 100)}`).to.match(
      /^application\/json/,
    );
}

function withoutEchoes(body: unknown): unknown {
  if (Array.isArray(body)) return body.map(withoutEchoes);
  if (typeof body !== 'object' || body === null) return body;
  return Object.fromEntries(
    Object.entries(body).map(([key, value]) => [
      key,
      key === 'name' || key === 'location' ? '' : withoutEchoes(value),
    ]),
  );
}

function errorOf(response: ApiResponse): {
  code: string;
  message: string;
  details?: { path: string; message: string }[];
} {
  return (response.json as { error: { code: string; message: string } }).error;
}

function expectUnknownFields(response: ApiResponse, bodyCase: BodyCase): void {
  const { code, details = [] } = errorOf(response);
  expect(code).to.equal('VALIDATION_FAILED');
  const unknown = details.filter((detail) => detail.message === 'Unknown field').map((detail) => detail.path);
  expect(unknown, response.text).to.include.members(bodyCase.unknown ?? []);
}

function explain(input: unknown, response: ApiResponse): string {
  const shown = JSON.stringify(input, (_key, value) =>
    typeof value === 'string' && value.length > 200 ? `${value.slice(0, 200)}… (${value.length})` : value,
  );
  return `${shown} -> ${response.status} ${response.text.slice(0, 300)}`;
}
