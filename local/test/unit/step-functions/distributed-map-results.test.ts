import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import {
  BUCKET,
  type DistributedMapCloud,
  distributedMachine,
  parsed,
  startDistributedMapCloud,
} from './distributed-map-support';

const RESULT_WRITER = {
  Resource: 'arn:aws:states:::s3:putObject',
  Parameters: { Bucket: BUCKET, 'Prefix.$': '$.resultsPrefix' },
};

const MACHINES = [
  distributedMachine('written', {
    ItemsPath: '$.items',
    ResultWriter: RESULT_WRITER,
    ToleratedFailureCount: 1,
  }),
  distributedMachine('written-one-at-a-time', {
    ItemsPath: '$.items',
    ResultWriter: RESULT_WRITER,
    MaxConcurrency: 1,
  }),
  distributedMachine('labelled', {
    Label: 'Loans',
    ItemsPath: '$.items',
    MaxConcurrency: 5,
    ToleratedFailurePercentage: 50,
  }),
];

interface Manifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<'SUCCEEDED' | 'FAILED' | 'PENDING', { Key: string; Size: number }[]>;
}

describe('step functions: distributed Map results (ResultWriter) and Map Runs through the API', function () {
  this.timeout(30_000);
  let cloud: DistributedMapCloud;

  before(async () => {
    cloud = await startDistributedMapCloud(MACHINES, 4);
  });

  after(async () => {
    await cloud?.stop();
  });

  describe('ResultWriter', () => {
    it('writes manifest.json and SUCCEEDED_0.json / FAILED_0.json under <Prefix>/<map run id>/, and outputs where', async () => {
      const items = [{ id: 1 }, { id: 2, fail: true }, { id: 3 }];

      const execution = await cloud.run('written', { resultsPrefix: 'results/run-1', items });

      expect(execution.status).to.equal('SUCCEEDED');
      const output = parsed(execution.output) as {
        MapRunArn: string;
        ResultWriterDetails: { Bucket: string; Key: string };
      };
      const mapRunId = output.MapRunArn.split(':').at(-1);
      expect(output.MapRunArn).to.match(
        /^arn:aws:states:us-east-1:000000000000:mapRun:written\/Each:[\w-]+$/,
      );
      expect(output.ResultWriterDetails).to.deep.equal({
        Bucket: BUCKET,
        Key: `results/run-1/${mapRunId}/manifest.json`,
      });
      const manifest = parsed(await cloud.read(output.ResultWriterDetails.Key)) as Manifest;
      expect(manifest.DestinationBucket).to.equal(BUCKET);
      expect(manifest.MapRunArn).to.equal(output.MapRunArn);
      expect(manifest.ResultFiles.PENDING).to.deep.equal([]);
      const [succeededFile] = manifest.ResultFiles.SUCCEEDED;
      const [failedFile] = manifest.ResultFiles.FAILED;
      expect(succeededFile?.Key).to.equal(`results/run-1/${mapRunId}/SUCCEEDED_0.json`);
      expect(failedFile?.Key).to.equal(`results/run-1/${mapRunId}/FAILED_0.json`);

      const succeededText = await cloud.read(succeededFile?.Key as string);
      expect(Buffer.byteLength(succeededText)).to.equal(succeededFile?.Size);
      const succeeded = parsed(succeededText) as Record<string, unknown>[];
      expect(succeeded.map((record) => parsed(record.Input as string))).to.deep.equal([{ id: 1 }, { id: 3 }]);
      expect(succeeded[0]).to.include({
        Status: 'SUCCEEDED',
        Output: JSON.stringify({ processed: { id: 1 } }),
        StateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:written/Each',
        RedriveStatus: 'NOT_REDRIVABLE',
      });
      expect(succeeded[0]?.ExecutionArn).to.match(/:execution:written\/Each:[\w-]+$/);
      const failed = parsed(await cloud.read(failedFile?.Key as string)) as Record<string, unknown>[];
      expect(failed).to.have.length(1);
      expect(failed[0]).to.include({
        Status: 'FAILED',
        Error: 'BadItem',
        Input: JSON.stringify({ id: 2, fail: true }),
      });
    });

    it('lists the items never started in PENDING_0.json when the Map Run fails, and fails the state', async () => {
      const items = [{ id: 1, fail: true }, { id: 2 }, { id: 3 }];

      const execution = await cloud.run('written-one-at-a-time', { resultsPrefix: 'results/run-2', items });

      expect(execution).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
      const [{ mapRunArn } = {}] =
        (await cloud.sfn.send(new ListMapRunsCommand({ executionArn: execution.executionArn }))).mapRuns ??
        [];
      const mapRunId = mapRunArn?.split(':').at(-1);
      const manifest = parsed(await cloud.read(`results/run-2/${mapRunId}/manifest.json`)) as Manifest;
      expect(manifest.ResultFiles.SUCCEEDED).to.deep.equal([]);
      expect(manifest.ResultFiles.FAILED).to.have.length(1);
      const pending = parsed(await cloud.read(manifest.ResultFiles.PENDING[0]?.Key as string));
      expect(pending).to.deep.equal([
        { Input: JSON.stringify({ id: 2 }) },
        { Input: JSON.stringify({ id: 3 }) },
      ]);
    });
  });

  describe('Map Runs', () => {
    it('lists the Map Run of an execution and describes its settings and counts', async () => {
      const items = [{ id: 1 }, { id: 2, fail: true }, { id: 3 }, { id: 4 }];

      const execution = await cloud.run('labelled', { items });

      const { mapRuns = [] } = await cloud.sfn.send(
        new ListMapRunsCommand({ executionArn: execution.executionArn }),
      );
      expect(mapRuns).to.have.length(1);
      expect(mapRuns[0]?.stateMachineArn).to.equal(
        'arn:aws:states:us-east-1:000000000000:stateMachine:labelled/Loans',
      );
      const described = await cloud.sfn.send(new DescribeMapRunCommand({ mapRunArn: mapRuns[0]?.mapRunArn }));
      expect(described).to.include({
        executionArn: execution.executionArn,
        status: 'SUCCEEDED',
        maxConcurrency: 5,
        toleratedFailurePercentage: 50,
        toleratedFailureCount: 0,
      });
      expect(described.itemCounts).to.include({ total: 4, succeeded: 3, failed: 1, pending: 0, running: 0 });
      expect(described.executionCounts).to.include({ total: 4, succeeded: 3, failed: 1 });
      expect(described.stopDate).to.be.instanceOf(Date);
    });

    it('lists the child executions by Map Run (not by the parent state machine), each describable', async () => {
      const execution = await cloud.run('labelled', { items: [{ id: 'a' }, { id: 'b' }] });
      const { mapRuns = [] } = await cloud.sfn.send(
        new ListMapRunsCommand({ executionArn: execution.executionArn }),
      );
      const mapRunArn = mapRuns[0]?.mapRunArn;

      const { executions = [] } = await cloud.sfn.send(new ListExecutionsCommand({ mapRunArn }));
      const parents = await cloud.sfn.send(
        new ListExecutionsCommand({ stateMachineArn: execution.stateMachineArn }),
      );

      expect(executions.map((child) => child.status)).to.deep.equal(['SUCCEEDED', 'SUCCEEDED']);
      const child = await cloud.sfn.send(
        new DescribeExecutionCommand({ executionArn: executions[0]?.executionArn }),
      );
      expect(child.mapRunArn).to.equal(mapRunArn);
      expect([{ id: 'a' }, { id: 'b' }]).to.deep.include(parsed(child.input));
      expect(parents.executions?.map((parent) => parent.executionArn)).to.not.include(child.executionArn);
    });

    it('records the Map state and its Map Run in the parent execution history', async () => {
      const execution = await cloud.run('labelled', { items: [{ id: 1 }] });

      const { events = [] } = await cloud.sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution.executionArn }),
      );

      expect(events.map((event) => event.type)).to.deep.equal([
        'ExecutionStarted',
        'MapStateEntered',
        'MapStateStarted',
        'MapRunStarted',
        'MapRunSucceeded',
        'MapStateSucceeded',
        'MapStateExited',
        'ExecutionSucceeded',
      ]);
    });

    it('answers ResourceNotFound for an unknown Map Run and ValidationException without a state machine or Map Run', async () => {
      const unknown = cloud.sfn.send(
        new DescribeMapRunCommand({
          mapRunArn: 'arn:aws:states:us-east-1:000000000000:mapRun:labelled/Loans:0000',
        }),
      );
      const neither = cloud.sfn.send(new ListExecutionsCommand({}));

      expect(await unknown.catch((error: Error) => error.name)).to.equal('ResourceNotFound');
      expect(await neither.catch((error: Error) => error.name)).to.equal('ValidationException');
    });
  });
});
