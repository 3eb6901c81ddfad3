import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { XMLParser } from 'fast-xml-parser';
import { LOCAL_AWS_SERVICE_EVENTS_OPERATION } from '../../triggers/eventbridge/event-bus';
import { readRequestBody } from '../aws-json';
import { closeHttpServer, endpointFor, listenOnLoopback, type RunningEmulator } from '../emulator';
import { createCallers, signatureScopeOf } from './callers';
import { type CloudTrailRecord, cloudTrailRecordOf, RECORDED_EC2_ACTIONS } from './ec2-records';

export interface CloudTrailProxyOptions {
  port: number;
  /** moto's server, which answers every call. */
  motoEndpoint: string;
  /** The local EventBridge, which gets one "AWS API Call via CloudTrail" event per recorded call. */
  eventBridgeEndpoint: string;
  /** The account of callers that signed with keys STS did not hand out (the local credentials). */
  defaultAccountId: string;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

export interface RunningCloudTrailProxy extends RunningEmulator {
  /** Resolves once every event put so far has reached the bus. */
  idle(): Promise<void>;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false });

/**
 * CloudTrail, locally: a proxy in front of moto's EC2, STS and Glue. Every call goes to moto in the
 * account of its caller's access key (moto's `x-moto-account-id`); the mutating EC2 calls that the ops
 * service watches are then recorded as CloudTrail records them and put on the local default bus as
 * "AWS API Call via CloudTrail" events with source `aws.ec2`, as EventBridge delivers them from a trail.
 * Unlike AWS: the event follows the answer within milliseconds (CloudTrail takes up to minutes), and
 * nothing is written to an S3 trail.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-service-event-cloudtrail.html
 */
export async function startCloudTrailProxy(options: CloudTrailProxyOptions): Promise<RunningCloudTrailProxy> {
  const log = options.log ?? (() => undefined);
  const callers = createCallers(options.defaultAccountId);
  const moto = new URL(options.motoEndpoint);
  const pending = new Set<Promise<void>>();

  const server = createServer((request, response) => {
    void (async () => {
      const body = await readRequestBody(request, MAX_BODY_BYTES);
      const scope = signatureScopeOf(request.headers.authorization);
      const answer = await forward({
        method: request.method ?? 'POST',
        path: request.url ?? '/',
        headers: { ...request.headers, 'x-moto-account-id': callers.accountOf(scope.accessKeyId) },
        body,
        moto,
      });
      response.writeHead(answer.status, answer.headers).end(answer.body);

      const query = queryOf(request.url, request.headers, body);
      const action = query.get('Action') ?? '';
      if (action === 'AssumeRole' && answer.status === 200) learnSession(answer.body.toString('utf8'));
      if (!RECORDED_EC2_ACTIONS.has(action) || !isEc2Call(request.headers.authorization)) return;
      const record = cloudTrailRecordOf({
        query,
        identity: callers.identityOf(scope.accessKeyId),
        region: scope.region,
        sourceIPAddress: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: String(request.headers['user-agent'] ?? ''),
        status: answer.status,
        responseXml: answer.body.toString('utf8'),
        time: new Date(),
      });
      const put = putOnBus(options.eventBridgeEndpoint, record).catch((error: unknown) =>
        log('cloudtrail: the event did not reach the bus', { eventName: action, error: String(error) }),
      );
      pending.add(put);
      void put.finally(() => pending.delete(put));
    })().catch((error: unknown) => {
      log('cloudtrail: the call did not reach moto', { error: String(error) });
      if (!response.headersSent) response.writeHead(502).end(String(error));
    });
  });

  function learnSession(text: string) {
    const answer = xml.parse(text) as {
      AssumeRoleResponse?: {
        AssumeRoleResult?: {
          Credentials?: { AccessKeyId?: string };
          AssumedRoleUser?: { Arn?: string; AssumedRoleId?: string };
        };
      };
    };
    const result = answer.AssumeRoleResponse?.AssumeRoleResult;
    const accessKeyId = result?.Credentials?.AccessKeyId;
    const assumedRoleArn = result?.AssumedRoleUser?.Arn;
    if (accessKeyId === undefined || assumedRoleArn === undefined) return;
    callers.learn({
      accessKeyId,
      assumedRoleArn,
      assumedRoleId: result?.AssumedRoleUser?.AssumedRoleId ?? assumedRoleArn,
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }

  const port = await listenOnLoopback(server, options.port, 'cloudtrail');
  return {
    name: 'cloudtrail',
    endpoint: endpointFor(port),
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
    async stop() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await closeHttpServer(server);
    },
  };
}

function isEc2Call(authorization: string | undefined): boolean {
  return /Credential=[^/]+\/\d{8}\/[^/]+\/ec2\//.test(authorization ?? '');
}

/** EC2 and STS speak the query protocol: the parameters are the form body of a POST (or the query string). */
function queryOf(url: string | undefined, headers: IncomingHttpHeaders, body: Buffer): URLSearchParams {
  const isForm = String(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (isForm) return new URLSearchParams(body.toString('utf8'));
  return new URL(url ?? '/', 'http://localhost').searchParams;
}

interface Forwarded {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  moto: URL;
}

function forward({ method, path, headers, body, moto }: Forwarded) {
  return new Promise<{ status: number; headers: Record<string, string | string[]>; body: Buffer }>(
    (resolve, reject) => {
      const outgoing = httpRequest(
        {
          host: moto.hostname,
          port: moto.port,
          method,
          path,
          headers: { ...headers, host: moto.host, 'content-length': String(body.length) },
        },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('error', reject);
          answer.on('end', () => {
            const payload = Buffer.concat(chunks);
            const copied: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) {
              if (value === undefined || name === 'transfer-encoding' || name === 'connection') continue;
              copied[name] = value;
            }
            copied['content-length'] = String(payload.length);
            resolve({ status: answer.statusCode ?? 502, headers: copied, body: payload });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    },
  );
}

async function putOnBus(endpoint: string, record: CloudTrailRecord): Promise<void> {
  const answer = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AWSEvents.${LOCAL_AWS_SERVICE_EVENTS_OPERATION}`,
    },
    body: JSON.stringify({
      Account: record.recipientAccountId,
      Region: record.awsRegion,
      Entries: [
        {
          Source: 'aws.ec2',
          DetailType: 'AWS API Call via CloudTrail',
          Detail: JSON.stringify(record),
          Time: Math.floor(Date.parse(record.eventTime) / 1000),
        },
      ],
    }),
  });
  const result = (await answer.json()) as { FailedEntryCount?: number; Entries?: unknown[] };
  if (!answer.ok || result.FailedEntryCount !== 0) {
    throw new Error(`PutEvents answered ${answer.status}: ${JSON.stringify(result)}`);
  }
}
