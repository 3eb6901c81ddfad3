import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { search } from '@aws-lambda-powertools/logger/correlationId';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Context } from 'aws-lambda';
import { Segment, type Subsegment } from 'aws-xray-sdk-core';
import { expect } from 'chai';
import {
  correlationPaths,
  createInstrumentation,
  EMPTY_METRICS_NOTICE,
  emptyMetricsNoticeAtDebug,
} from '../../src/observability';

const context: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'serverless-patterns-api-dev-getDevice',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:serverless-patterns-api-dev-getDevice',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  logGroupName: '/aws/lambda/serverless-patterns-api-dev-getDevice',
  logStreamName: '2026/12/04/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/**
 * Tracing is on only inside Lambda (AWS_EXECUTION_ENV) and needs the facade segment that Lambda creates;
 * as in Powertools' own tests, the tracer's current segment is replaced by one the test holds.
 */
/** What an X-Ray segment holds once written to, as the daemon would receive it. */
interface Recorded {
  annotations?: Record<string, unknown>;
  end_time?: number;
  cause?: { exceptions: { message: string }[] };
}

function withEnvironment<T>(variables: Record<string, string>, build: () => T): T {
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  try {
    return build();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/**
 * The lines written to stdout and stderr while `run` runs, as Lambda puts both in the log stream (the
 * Logger writes warnings and errors to stderr, the rest and the EMF documents to stdout).
 */
async function linesWrittenWhile(run: () => unknown): Promise<string[]> {
  const lines: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      lines.push(...String(chunk).trim().split('\n'));
      return true;
    }) as typeof stream.write;
  }
  try {
    await run();
  } finally {
    streams.forEach((stream, index) => {
      stream.write = writes[index] as typeof stream.write;
    });
  }
  return lines;
}

function tracedInLambda() {
  const tracer = withEnvironment(
    { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' },
    () => new Tracer({ serviceName: 'devices', enabled: true }),
  );
  const facade = new Segment('facade', '1-5759e988-bd862e3fe1be46a994272793');
  let current: Segment | Subsegment = facade;
  const provider = (
    tracer as unknown as { provider: { getSegment(): unknown; setSegment(s: unknown): void } }
  ).provider;
  provider.getSegment = () => current;
  provider.setSegment = (segment) => {
    current = segment as Segment | Subsegment;
  };
  const handlerSubsegment = () => facade.subsegments?.[0] as (Subsegment & Recorded) | undefined;
  return { tracer, facade, handlerSubsegment, current: () => current };
}

/** For Powertools' own notices, which these tests do not look at. */
const silent = new Logger({ logLevel: 'SILENT' });

function captured() {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger({
    serviceName: 'devices',
    correlationIdSearchFn: search,
  });
  // Powertools writes each entry as one JSON line through its console.
  const consoleOf = logger as unknown as { console: { info: (line: string) => void } };
  consoleOf.console = { ...consoleOf.console, info: (line: string) => lines.push(JSON.parse(line)) };
  return { logger, lines };
}

describe('instrumented handlers (Powertools through Middy)', () => {
  it('opens a ## handler subsegment under the facade and annotates it, not the facade', async () => {
    const traced = tracedInLambda();
    const instrumented = createInstrumentation({
      tracer: traced.tracer,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'devices', logger: silent }),
    });
    const handler = instrumented(async () => ({ ok: true }));

    await handler({}, context);

    const subsegment = traced.handlerSubsegment();
    expect(subsegment?.name).to.match(/^## /);
    expect(subsegment?.annotations).to.include({ Service: 'devices' });
    expect(subsegment?.annotations).to.include({ ColdStart: true });
    expect((traced.facade as Segment & Recorded).annotations ?? {}).to.deep.equal({});
    // Closed, and the facade is current again for the next invocation.
    expect(subsegment?.end_time).to.be.a('number');
    expect(traced.current()).to.equal(traced.facade);
  });

  it("records the handler's error on its subsegment and still fails the invocation", async () => {
    const traced = tracedInLambda();
    const instrumented = createInstrumentation({
      tracer: traced.tracer,
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics: new Metrics({ namespace: 'test', serviceName: 'devices', logger: silent }),
    });
    const handler = instrumented(async () => {
      throw new Error('table unavailable');
    });

    const failure = await handler({}, context).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).to.be.instanceOf(Error).with.property('message', 'table unavailable');
    const subsegment = traced.handlerSubsegment() as Subsegment & Recorded;
    expect(subsegment.cause?.exceptions[0]?.message).to.equal('table unavailable');
    expect(subsegment.end_time).to.be.a('number');
  });

  it('logs with the correlation id of the event, and forgets it after the invocation', async () => {
    const { logger, lines } = captured();
    const instrumented = createInstrumentation({
      tracer: new Tracer({ enabled: false }),
      logger,
      metrics: new Metrics({ namespace: 'test', serviceName: 'devices', logger: silent }),
    });
    const handler = instrumented(
      async () => {
        logger.info('inside');
      },
      { correlationIdPath: correlationPaths.apiGateway },
    );

    await handler({ requestContext: { requestId: 'request-1' } }, context);
    await handler({}, context);

    expect(lines[0]).to.include({ message: 'inside', correlation_id: 'request-1' });
    expect(lines[0]).to.include({ function_request_id: context.awsRequestId });
    expect(lines[1]).to.not.have.property('correlation_id');
  });

  it('flushes the metrics the handler added, with a cold-start metric', async () => {
    // Lambda says how the environment was started; only an on-demand start counts as a cold start.
    const metrics = withEnvironment(
      { AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand' },
      () => new Metrics({ namespace: 'test', serviceName: 'devices', logger: silent }),
    );
    const instrumented = createInstrumentation({
      tracer: new Tracer({ enabled: false }),
      logger: new Logger({ logLevel: 'SILENT' }),
      metrics,
    });
    const handler = instrumented(async () => {
      metrics.addMetric('DevicesRegistered', 'Count', 1);
    });

    // The cold-start metric is written by a single-metric instance of its own, so both are read off stdout.
    const written = (await linesWrittenWhile(() => handler({}, context))).filter((line) =>
      line.includes('"_aws"'),
    );

    const documents = written.map(
      (line) => JSON.parse(line) as { _aws: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } },
    );
    const names = documents.flatMap((document) =>
      document._aws.CloudWatchMetrics.flatMap((entry) => entry.Metrics.map((metric) => metric.Name)),
    );
    expect(names).to.include.members(['ColdStart', 'DevicesRegistered']);
  });
});

describe("the X-Ray SDK's process-wide context in Lambda", () => {
  /**
   * A process of its own, as Lambda (or the local cloud) starts it: the SDK reads LAMBDA_TASK_ROOT as
   * it loads. Counts what cls-hooked stored for 100 promises made after the library loaded.
   */
  async function contextsIn(tracing: 'true' | 'false') {
    const script = `
      import { tracer } from ${JSON.stringify(new URL('../../src/observability.ts', import.meta.url).href)};
      const namespace = tracer.provider.getNamespace();
      const before = namespace._contexts.size;
      const pending = Array.from({ length: 100 }, () => new Promise(() => {}));
      const stored = namespace._contexts.size - before;
      console.log(JSON.stringify({ active: Boolean(namespace.active), stored, pending: pending.length }));`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      {
        env: {
          ...process.env,
          LAMBDA_TASK_ROOT: '/var/task',
          AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
          POWERTOOLS_TRACE_ENABLED: tracing,
        },
      },
    );
    return JSON.parse(stdout.trim().split('\n').at(-1) as string) as { active: boolean; stored: number };
  }

  it('is left when tracing is off, so that no async resource carries it', async () => {
    expect(await contextsIn('false')).to.deep.include({ active: false, stored: 0 });
  });

  it('stays when tracing is on: the facade segment the handler subsegments hang from', async () => {
    const { active, stored } = await contextsIn('true');
    expect(active).to.equal(true);
    expect(stored).to.be.at.least(100);
  });
});

describe("Powertools' notices about metrics", () => {
  /** The structured lines a Metrics whose notices go to a Logger at `logLevel` writes while `run` runs. */
  async function noticesWhile(logLevel: 'INFO' | 'DEBUG', run: (metrics: Metrics) => void) {
    const log = new Logger({ logLevel });
    const metrics = new Metrics({
      namespace: 'test',
      serviceName: 'devices',
      logger: emptyMetricsNoticeAtDebug(log),
    });
    const lines = await linesWrittenWhile(() => run(metrics));
    return lines
      .map((line) => JSON.parse(line) as { level?: string; message: string })
      .filter((line) => line.level !== undefined);
  }

  it('logs an invocation that published no metric at DEBUG, not as a warning', async () => {
    expect(await noticesWhile('INFO', (metrics) => metrics.publishStoredMetrics())).to.deep.equal([]);

    const atDebug = await noticesWhile('DEBUG', (metrics) => metrics.publishStoredMetrics());

    expect(atDebug).to.have.length(1);
    expect(atDebug[0]?.level).to.equal('DEBUG');
    expect(atDebug[0]?.message).to.match(new RegExp(`^${EMPTY_METRICS_NOTICE}`));
  });

  it('keeps every other notice a warning (a dimension CloudWatch would drop)', async () => {
    const notices = await noticesWhile('INFO', (metrics) => {
      metrics.addDimension('', 'kitchen');
      metrics.addMetric('DevicesRegistered', 'Count', 1);
      metrics.publishStoredMetrics();
    });

    expect(notices.map(({ level }) => level)).to.deep.equal(['WARN']);
    expect(notices[0]?.message).to.include("doesn't meet the requirements");
  });
});
