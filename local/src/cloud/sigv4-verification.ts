import { createHash, timingSafeEqual } from 'node:crypto';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * Checks a request's SigV4 signature as API Gateway does for an IAM-authorized method: the signature is
 * computed again by the SDK's own signer (@smithy/signature-v4) from the request as it arrived (the
 * headers the client signed, the path, the query, a hash of the body actually received) and the secret
 * of the access key, and must be the one sent. Each refusal carries API Gateway's message.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */

export interface ReceivedRequest {
  method: string;
  /** The path exactly as sent, before any base path is taken off. */
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  /** Lower-case names. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
}

export interface SigningCredentials {
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** Why the request is refused, as an API Gateway response type and message. */
export interface SignatureRefusal {
  responseType:
    | 'MISSING_AUTHENTICATION_TOKEN'
    | 'INCOMPLETE_SIGNATURE'
    | 'INVALID_SIGNATURE'
    | 'EXPIRED_TOKEN';
  message: string;
}

export type SignatureCheck = { accessKeyId: string } | { refused: SignatureRefusal };

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret ' +
  'Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

/** The Authorization header's parts, or API Gateway's refusal. */
export function parseAuthorization(header: string | undefined): ParsedAuthorization | SignatureRefusal {
  if (header === undefined || header === '') {
    return { responseType: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' };
  }
  if (!header.startsWith(`${ALGORITHM} `)) {
    return {
      responseType: 'INCOMPLETE_SIGNATURE',
      message: `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=${header}`,
    };
  }
  const parts = new Map(
    header
      .slice(ALGORITHM.length + 1)
      .split(',')
      .map((part) => part.trim().split('=', 2) as [string, string | undefined]),
  );
  const missing = ['Credential', 'Signature', 'SignedHeaders'].filter((name) => !parts.get(name));
  if (missing.length > 0) {
    return {
      responseType: 'INCOMPLETE_SIGNATURE',
      message: `${missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ')} Authorization=${header}`,
    };
  }
  const [accessKeyId = '', date = '', region = '', service = '', terminator] = String(
    parts.get('Credential'),
  ).split('/');
  if (terminator !== 'aws4_request' || accessKeyId === '') {
    return {
      responseType: 'INCOMPLETE_SIGNATURE',
      message: `Credential is malformed. Authorization=${header}`,
    };
  }
  return {
    accessKeyId,
    date,
    region,
    service,
    signedHeaders: String(parts.get('SignedHeaders')).split(';'),
    signature: String(parts.get('Signature')),
  };
}

/** The access key a signed request names, or the refusal when it carries no usable signature. */
export function signingKeyOf(request: ReceivedRequest): SignatureCheck {
  const parsed = parseAuthorization(single(request.headers.authorization));
  return 'responseType' in parsed ? { refused: parsed } : { accessKeyId: parsed.accessKeyId };
}

/**
 * The full check, for credentials the access key resolved to (undefined: unknown to IAM): scope,
 * clock skew, expiry, session token, body hash and signature, in API Gateway's order.
 */
export async function verifySignature(
  request: ReceivedRequest,
  credentials: SigningCredentials | undefined,
  expected: { region: string; now: Date },
): Promise<SignatureRefusal | undefined> {
  const parsed = parseAuthorization(single(request.headers.authorization));
  if ('responseType' in parsed) return parsed;
  if (
    credentials === undefined ||
    single(request.headers['x-amz-security-token']) !== credentials.sessionToken
  ) {
    return { responseType: 'INVALID_SIGNATURE', message: INVALID_TOKEN };
  }
  if (parsed.service !== 'execute-api') {
    return {
      responseType: 'INVALID_SIGNATURE',
      message: "Credential should be scoped to correct service: 'execute-api'. ",
    };
  }
  if (parsed.region !== expected.region) {
    return {
      responseType: 'INVALID_SIGNATURE',
      message: `Credential should be scoped to a valid region, not '${parsed.region}'. `,
    };
  }
  const amzDate = single(request.headers['x-amz-date']) ?? '';
  const signingDate = parseAmzDate(amzDate);
  if (signingDate === undefined || !amzDate.startsWith(parsed.date)) {
    return {
      responseType: 'INCOMPLETE_SIGNATURE',
      message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
    };
  }
  if (Math.abs(expected.now.getTime() - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    return {
      responseType: 'INVALID_SIGNATURE',
      message: `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(new Date(expected.now.getTime() - MAX_CLOCK_SKEW_MS))} (${formatAmzDate(expected.now)} - 5 min.)`,
    };
  }
  if (credentials.expiration.getTime() <= expected.now.getTime()) {
    return {
      responseType: 'EXPIRED_TOKEN',
      message: 'The security token included in the request is expired',
    };
  }
  // A body hash the client states must be the hash of the body that arrived; the signer trusts the header.
  const bodyHash = createHash('sha256').update(request.body).digest('hex');
  const statedHash = single(request.headers['x-amz-content-sha256']);
  if (statedHash !== undefined && statedHash !== 'UNSIGNED-PAYLOAD' && statedHash !== bodyHash) {
    return { responseType: 'INVALID_SIGNATURE', message: SIGNATURE_MISMATCH };
  }
  const headers: Record<string, string> = {};
  for (const name of parsed.signedHeaders) {
    const value = request.headers[name];
    if (value === undefined) return { responseType: 'INVALID_SIGNATURE', message: SIGNATURE_MISMATCH };
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const signer = new SignatureV4({
    credentials: {
      accessKeyId: parsed.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
    region: parsed.region,
    service: 'execute-api',
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: String(headers.host ?? '').split(':')[0] ?? '',
      path: request.path,
      query: queryOf(request.query),
      headers,
      body: request.body.length === 0 ? undefined : request.body,
    },
    { signingDate, signableHeaders: new Set(parsed.signedHeaders) },
  );
  const recomputed = /Signature=([0-9a-f]+)$/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const signedList = /SignedHeaders=([^,]+),/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const same =
    signedList === parsed.signedHeaders.join(';') &&
    recomputed.length === parsed.signature.length &&
    timingSafeEqual(Buffer.from(recomputed), Buffer.from(parsed.signature));
  return same ? undefined : { responseType: 'INVALID_SIGNATURE', message: SIGNATURE_MISMATCH };
}

function queryOf(query: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(query)) {
    const existing = result[name];
    result[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return result;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseAmzDate(value: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  return new Date(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

function formatAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}
