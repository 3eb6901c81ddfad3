import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { findFreePort } from '../../../src/emulators/emulator';
import { type RunningS3Emulator, startS3 } from '../../../src/emulators/s3/s3rver';
import type { AslDefinition, AslState } from '../../../src/emulators/step-functions/definition';
import {
  type LocalStateMachine,
  type RunningStepFunctions,
  s3MapRunObjects,
  startStepFunctions,
} from '../../../src/emulators/step-functions/start-step-functions';
import type { InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import { credentials, makeDataDir, removeDataDir } from '../../emulators/support';
import { functionError, WORKER, WORKER_ARN } from './fakes';

export const ARN_PREFIX = 'arn:aws:states:us-east-1:000000000000:stateMachine:';
export const BUCKET = 'lake';

/**
 * A worker Lambda that answers after a pause, counting how many calls run at once. An item
 * `{ fail: true }` (or a batch holding one) fails with BadItem, as a thrown error in Node.js.
 */
export class CountingWorker implements LambdaInvoker {
  inFlight = 0;
  mostAtOnce = 0;
  readonly payloads: unknown[] = [];

  reset(): void {
    this.mostAtOnce = 0;
    this.payloads.length = 0;
  }

  async invoke(_functionName: string, payload: unknown): Promise<InvokeResult> {
    this.payloads.push(payload);
    this.inFlight += 1;
    this.mostAtOnce = Math.max(this.mostAtOnce, this.inFlight);
    await new Promise((resolve) => setTimeout(resolve, 15));
    this.inFlight -= 1;
    if (JSON.stringify(payload).includes('"fail":true')) return functionError('BadItem', 'cannot process');
    return { payload: { processed: payload } };
  }
}

/**
 * A state machine that starts with a distributed Map over the worker; with `Next` in `fields`,
 * the Map goes on to a Pass state of that name.
 */
export function distributedMachine(name: string, fields: Partial<AslState>): LocalStateMachine {
  const next = typeof fields.Next === 'string' ? fields.Next : undefined;
  const definition: AslDefinition = {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Work',
          States: { Work: { Type: 'Task', Resource: WORKER_ARN, End: true } },
        },
        ...(next === undefined ? { End: true } : {}),
        ...fields,
      },
      ...(next === undefined ? {} : { [next]: { Type: 'Pass', End: true } }),
    },
  };
  return {
    name,
    arn: `${ARN_PREFIX}${name}`,
    roleArn: `arn:aws:iam::000000000000:role/${name}-role`,
    type: 'STANDARD',
    definitionText: JSON.stringify(definition),
    definition,
    creationDate: new Date('2026-03-10T08:00:00Z'),
  };
}

export interface DistributedMapCloud {
  sfn: SFNClient;
  s3: S3Client;
  worker: CountingWorker;
  put(key: string, body: string): Promise<void>;
  read(key: string): Promise<string>;
  run(machine: string, input: unknown): Promise<DescribeExecutionCommandOutput>;
  stop(): Promise<void>;
}

/** The local Step Functions and s3rver, reached through the real SDK clients. */
export async function startDistributedMapCloud(
  machines: LocalStateMachine[],
  localConcurrency: number,
): Promise<DistributedMapCloud> {
  const dataDir = await makeDataDir('distributed-map');
  const s3Emulator: RunningS3Emulator = await startS3({ port: await findFreePort(), dataDir, credentials });
  const s3 = new S3Client({
    endpoint: s3Emulator.endpoint,
    region: 'us-east-1',
    credentials,
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const stepFunctions: RunningStepFunctions = await startStepFunctions({ port: await findFreePort() });
  const worker = new CountingWorker();
  stepFunctions.load({
    stateMachines: machines,
    lambda: {
      invoker: worker,
      hasFunction: (name) => name === WORKER,
      region: 'us-east-1',
      accountId: '000000000000',
    },
    objects: s3MapRunObjects(s3),
    localConcurrency,
  });
  const sfn = new SFNClient({ endpoint: stepFunctions.endpoint, region: 'us-east-1', credentials });

  async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let tries = 0; tries < 500; tries += 1) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${executionArn} still running`);
  }

  return {
    sfn,
    s3,
    worker,
    async put(key, body) {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    },
    async read(key) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return (await Body?.transformToString()) ?? '';
    },
    async run(machine, input) {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: `${ARN_PREFIX}${machine}`,
          input: JSON.stringify(input),
        }),
      );
      return finished(executionArn as string);
    },
    async stop() {
      sfn.destroy();
      s3.destroy();
      await stepFunctions.stop();
      await s3Emulator.stop();
      await removeDataDir(dataDir);
    },
  };
}

export const parsed = (text: string | undefined): unknown => JSON.parse(text ?? 'null');
