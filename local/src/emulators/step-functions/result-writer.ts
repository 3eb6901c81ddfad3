import type { MapRunObjects } from './item-reader';
import { TaskFailedError } from './lambda-tasks';

/**
 * ResultWriter (s3:putObject): the Map Run's child executions written to S3 under
 * `<Prefix>/<map run id>/`, one file per status (SUCCEEDED_0.json, FAILED_0.json, PENDING_0.json;
 * AWS starts a new numbered file every 5 GB, which a local run never reaches) and a manifest.json
 * that lists them. The Map state's output is then the Map Run ARN and the manifest's location.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */

/** A child execution as the result files hold it (DescribeExecution's fields, capitalised). */
export interface ChildExecutionRecord {
  ExecutionArn: string;
  Input: string;
  InputDetails: { Included: true };
  Name: string;
  Output?: string;
  OutputDetails?: { Included: true };
  Error?: string;
  Cause?: string;
  RedriveCount: 0;
  RedriveStatus: 'NOT_REDRIVABLE' | 'REDRIVABLE';
  RedriveStatusReason?: string;
  StartDate: string;
  StateMachineArn: string;
  Status: string;
  StopDate?: string;
}

/** An item (or batch) no child execution ran for, because the Map Run stopped first. */
export interface PendingRecord {
  Input: string;
}

export interface MapRunResults {
  mapRunArn: string;
  succeeded: ChildExecutionRecord[];
  failed: ChildExecutionRecord[];
  pending: PendingRecord[];
}

export interface ResultLocation {
  Bucket: string;
  Prefix?: string;
}

/** Writes the result files and the manifest; returns the Map state's output. */
export async function writeResults(
  location: ResultLocation,
  results: MapRunResults,
  objects: MapRunObjects,
): Promise<{ MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } }> {
  const mapRunId = results.mapRunArn.slice(results.mapRunArn.lastIndexOf(':') + 1);
  const folder = [location.Prefix?.replace(/\/+$/, ''), mapRunId].filter(Boolean).join('/');
  const files: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]> = {
    FAILED: [],
    PENDING: [],
    SUCCEEDED: [],
  };
  const groups = [
    ['SUCCEEDED', results.succeeded],
    ['FAILED', results.failed],
    ['PENDING', results.pending],
  ] as const;
  try {
    for (const [status, records] of groups) {
      if (records.length === 0) continue;
      const Key = `${folder}/${status}_0.json`;
      const body = JSON.stringify(records);
      await objects.write(location.Bucket, Key, body);
      files[status].push({ Key, Size: Buffer.byteLength(body) });
    }
    const manifestKey = `${folder}/manifest.json`;
    const manifest = {
      DestinationBucket: location.Bucket,
      MapRunArn: results.mapRunArn,
      ResultFiles: files,
    };
    await objects.write(location.Bucket, manifestKey, JSON.stringify(manifest));
    return {
      MapRunArn: results.mapRunArn,
      ResultWriterDetails: { Bucket: location.Bucket, Key: manifestKey },
    };
  } catch (error) {
    // https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
    throw new TaskFailedError(
      'States.ResultWriterFailed',
      error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    );
  }
}

/** A Map Run's child execution as the ResultWriter's files list it. */
export function childRecordOf(execution: {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: string;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
}): ChildExecutionRecord {
  const succeeded = execution.status === 'SUCCEEDED';
  return {
    ExecutionArn: execution.executionArn,
    Input: execution.input,
    InputDetails: { Included: true },
    Name: execution.name,
    ...(execution.output === undefined
      ? {}
      : { Output: execution.output, OutputDetails: { Included: true } }),
    ...(execution.error === undefined ? {} : { Error: execution.error }),
    ...(execution.cause === undefined ? {} : { Cause: execution.cause }),
    RedriveCount: 0,
    RedriveStatus: succeeded ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
    ...(succeeded ? { RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven' } : {}),
    StartDate: execution.startDate.toISOString(),
    StateMachineArn: execution.stateMachineArn,
    Status: execution.status,
    ...(execution.stopDate === undefined ? {} : { StopDate: execution.stopDate.toISOString() }),
  };
}
