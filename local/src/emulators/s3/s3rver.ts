import { createServer, type RequestListener } from 'node:http';
import { createRequire } from 'node:module';
import { encodeS3EventKey } from '@serverless-patterns/shared/s3-events';
import type { S3Event } from 'aws-lambda';
import { type EmulatorOptions, prepareDataDir, type RunningEmulator, serveOnLoopback } from '../emulator';

// s3rver does not decode aws-chunked bodies: with the SDK's default checksum mode (WHEN_SUPPORTED) a streamed
// PutObject is stored with its chunk framing and trailing checksum, or fails. The local cloud therefore sets
// AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED and AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED for every
// process it starts (the orchestrator does, not this module).
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-dataintegrity.html

export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type ObjectEventListener = (event: S3Event) => void | Promise<void>;

export interface RunningS3Emulator extends RunningEmulator {
  /** Every object created or removed, as S3 would notify it; returns a function that unsubscribes. */
  onObjectEvent(listener: ObjectEventListener): () => void;
}

interface S3rverInstance {
  callback(): RequestListener;
  on(event: 'event', listener: (event: S3Event) => void): void;
  on(event: 'error', listener: (error: Error) => void): void;
  logger?: { close(): void };
}

interface S3rverModule {
  new (options: { directory: string; silent: boolean }): S3rverInstance;
}

interface S3rverAccount {
  createKeyPair(accessKeyId: string, secretAccessKey: string): void;
}

const require = createRequire(import.meta.url);

// s3rver sends keys raw; S3's notifications URL-encode them (encodeS3EventKey).
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
const asNotification = (event: S3Event): S3Event => ({
  Records: event.Records.map((record) => ({
    ...record,
    s3: {
      ...record.s3,
      bucket: { ...record.s3.bucket, arn: `arn:aws:s3:::${record.s3.bucket.name}` },
      object: { ...record.s3.object, key: encodeS3EventKey(record.s3.object.key) },
    },
  })),
});

/** s3rver in-process; buckets and objects are files under dataDir. */
export const startS3 = async ({
  port,
  dataDir,
  log,
  credentials,
}: EmulatorOptions & { credentials: S3Credentials }): Promise<RunningS3Emulator> => {
  const directory = await prepareDataDir(dataDir);
  const S3rver: S3rverModule = require('s3rver');
  // s3rver only knows the key id S3RVER; register the pair the local cloud hands to every process instead.
  const { DUMMY_ACCOUNT }: { DUMMY_ACCOUNT: S3rverAccount } = require('s3rver/lib/models/account');
  DUMMY_ACCOUNT.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey);

  const s3rver = new S3rver({ directory, silent: true });
  s3rver.on('error', (error) => log?.(`s3rver: ${error.stack ?? error.message}`));
  const listeners = new Set<ObjectEventListener>();
  s3rver.on('event', (event) => {
    const notification = asNotification(event);
    for (const listener of listeners) {
      // s3rver emits inside the request; a failing listener must not fail the PutObject
      Promise.resolve()
        .then(() => listener(notification))
        .catch((error: unknown) => log?.(`s3 object event listener failed: ${String(error)}`));
    }
  });

  // Our own server rather than s3rver.run(): run() never rejects on EADDRINUSE, the error goes uncaught.
  const server = createServer(s3rver.callback());
  const running = await serveOnLoopback('s3', server, port, { afterClose: () => s3rver.logger?.close() });
  return {
    ...running,
    onObjectEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
