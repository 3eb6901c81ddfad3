import { expect } from 'chai';
import {
  type AslDefinition,
  DISTRIBUTED_MAP_RESOURCE,
  LONGEST_TASK_TIMEOUT_SECONDS,
  runnableDefinition,
  taskResource,
  unsupportedFeatures,
} from '../../../src/emulators/step-functions/definition';
import { functionNameOf } from '../../../src/lambda/function-arn';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:local-fixture-local-stepWorker';

function mapOf(processor: AslDefinition['States'], config?: Record<string, unknown>): AslDefinition {
  return {
    StartAt: 'Each',
    States: {
      Each: {
        Type: 'Map',
        ItemProcessor: {
          ...(config ? { ProcessorConfig: config } : {}),
          StartAt: 'Inner',
          States: processor,
        },
        End: true,
      },
    },
  };
}

describe('step functions: definitions', () => {
  describe('functionNameOf', () => {
    it('reads a name, a full or partial ARN, each with or without a version or alias', () => {
      expect(functionNameOf(FUNCTION_ARN)).to.equal('local-fixture-local-stepWorker');
      expect(functionNameOf(`${FUNCTION_ARN}:$LATEST`)).to.equal('local-fixture-local-stepWorker');
      expect(functionNameOf(`${FUNCTION_ARN}:live`)).to.equal('local-fixture-local-stepWorker');
      expect(functionNameOf('000000000000:function:worker:7')).to.equal('worker');
      expect(functionNameOf('worker:live')).to.equal('worker');
      expect(functionNameOf('worker')).to.equal('worker');
    });

    it('finds no function in what is not one', () => {
      expect(functionNameOf('arn:aws:sqs:us-east-1:000000000000:queue')).to.equal(undefined);
      expect(functionNameOf('not a function')).to.equal(undefined);
    });
  });

  describe('taskResource', () => {
    it('tells the optimized integration, a function ARN and anything else apart', () => {
      expect(taskResource('arn:aws:states:::lambda:invoke')).to.deep.equal({ kind: 'lambda-invoke' });
      expect(taskResource(FUNCTION_ARN)).to.deep.equal({
        kind: 'lambda-function',
        functionName: 'local-fixture-local-stepWorker',
      });
      for (const resource of [
        'arn:aws:states:::lambda:invoke.waitForTaskToken',
        'arn:aws:states:::dynamodb:putItem',
        'arn:aws:states:us-east-1:000000000000:activity:approve',
      ]) {
        expect(taskResource(resource)).to.deep.equal({ kind: 'unsupported', resource });
      }
    });
  });

  describe('unsupportedFeatures', () => {
    it('finds JSONata at the top level and on a state nested in a Map', () => {
      expect(
        unsupportedFeatures({
          QueryLanguage: 'JSONata',
          StartAt: 'A',
          States: { A: { Type: 'Pass', End: true } },
        }),
      ).to.deep.equal(['QueryLanguage JSONata (top level)']);
      expect(
        unsupportedFeatures(mapOf({ Inner: { Type: 'Pass', QueryLanguage: 'JSONata', End: true } })),
      ).to.deep.equal(['QueryLanguage JSONata (state Inner)']);
    });

    it('runs a distributed Map, and refuses the item sources and result options it does not emulate', () => {
      const distributed = (fields: Record<string, unknown>): AslDefinition => {
        const definition = mapOf({ Inner: { Type: 'Pass', End: true } }, { Mode: 'DISTRIBUTED' });
        Object.assign(definition.States.Each as object, fields);
        return definition;
      };
      expect(unsupportedFeatures(distributed({}))).to.deep.equal([]);
      const listing = { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } };
      expect(unsupportedFeatures(distributed({ ItemReader: listing }))).to.deep.equal([]);
      for (const InputType of ['JSON', 'JSONL', 'CSV'])
        expect(
          unsupportedFeatures(
            distributed({
              ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType } },
            }),
          ),
        ).to.deep.equal([]);
      expect(
        unsupportedFeatures(
          distributed({
            ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'PARQUET' } },
            ResultWriter: { WriterConfig: { OutputType: 'JSONL' } },
          }),
        ),
      ).to.have.length(2);
      expect(
        unsupportedFeatures(
          distributed({ ItemReader: { ...listing, ReaderConfig: { Transformation: 'LOAD_AND_FLATTEN' } } }),
        ),
      ).to.deep.equal(['ItemReader ReaderConfig Transformation (state Each)']);
    });

    it('accepts JSONPath definitions, explicit or by default', () => {
      expect(
        unsupportedFeatures({
          QueryLanguage: 'JSONPath',
          StartAt: 'A',
          States: { A: { Type: 'Pass', End: true } },
        }),
      ).to.deep.equal([]);
      expect(
        unsupportedFeatures(mapOf({ Inner: { Type: 'Pass', End: true } }, { Mode: 'INLINE' })),
      ).to.deep.equal([]);
    });
  });

  describe('runnableDefinition', () => {
    const definition: AslDefinition = {
      StartAt: 'Fan',
      States: {
        Fan: {
          Type: 'Parallel',
          Branches: [
            {
              StartAt: 'Call',
              States: {
                Call: {
                  Type: 'Task',
                  Resource: FUNCTION_ARN,
                  Retry: [
                    {
                      ErrorEquals: ['States.TaskFailed'],
                      IntervalSeconds: 20,
                      BackoffRate: 3,
                      MaxDelaySeconds: 100,
                    },
                    { ErrorEquals: ['States.ALL'] },
                  ],
                  End: true,
                },
              },
            },
          ],
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 4 }],
          End: true,
        },
      },
    };

    it('scales every retrier, nested ones and AWS default interval (1 s) included, and leaves the original alone', () => {
      const runnable = runnableDefinition(definition, 0.005);
      const call = runnable.States.Fan?.Branches?.[0]?.States.Call;
      expect(call?.Retry).to.deep.equal([
        { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 0.1, BackoffRate: 3, MaxDelaySeconds: 0.5 },
        { ErrorEquals: ['States.ALL'], IntervalSeconds: 0.005 },
      ]);
      expect(runnable.States.Fan?.Retry?.[0]?.IntervalSeconds).to.equal(0.02);
      expect(definition.States.Fan?.Branches?.[0]?.States.Call?.Retry?.[0]?.IntervalSeconds).to.equal(20);
    });

    it('turns a distributed Map into a Task of the same name that keeps only what applies around the Map Run', () => {
      const map = mapOf({ Inner: { Type: 'Pass', End: true } }, { Mode: 'DISTRIBUTED' });
      Object.assign(map.States.Each as object, {
        ItemsPath: '$.items',
        ResultPath: '$.results',
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Each' }],
        MaxConcurrency: 2,
      });
      expect(runnableDefinition(map).States.Each).to.deep.equal({
        Type: 'Task',
        Resource: DISTRIBUTED_MAP_RESOURCE,
        ResultPath: '$.results',
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Each' }],
        End: true,
        TimeoutSeconds: LONGEST_TASK_TIMEOUT_SECONDS,
      });
      expect(map.States.Each?.Type).to.equal('Map');
    });

    it('keeps intervals at scale 1 and gives a Task without TimeoutSeconds no 60 s limit', () => {
      const runnable = runnableDefinition(definition);
      const call = runnable.States.Fan?.Branches?.[0]?.States.Call;
      expect(call?.Retry?.[1]).to.deep.equal({ ErrorEquals: ['States.ALL'] });
      expect(call?.TimeoutSeconds).to.equal(LONGEST_TASK_TIMEOUT_SECONDS);
      expect(LONGEST_TASK_TIMEOUT_SECONDS * 1000).to.be.at.most(2 ** 31 - 1);
    });
  });
});
