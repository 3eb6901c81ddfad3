import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CloudDescription,
  people,
  readCloudDescription,
  startCloudProcess,
} from '@serverless-patterns/local/testing';
import type { JobView } from '@serverless-patterns/shared/schemas/api';
import type { MortgageParams } from '@serverless-patterns/shared/schemas/events';
import { valuePortfolioInProcess } from '../../services/catalog/src/core/jobs/mortgage-job';
import { table } from '../lib/stats';

/**
 * The batch pattern's scaling, in one run: the mortgage model's throughput (loan-scenario-months per
 * second) through the local cloud (POST /catalog/jobs, timed by the job's record from accepted to the
 * reducer's result: splitter, distributed Map, mappers on the local Lambda, reducer) with 1 and with 2 mappers, against the same core in a plain
 * loop in this process. Goals: ratio >= 0.8 at 1 mapper, speed-up >= 1.7x from 1 to 2 mappers.
 * Then what the talk's 20M loans x 200 scenarios would take and cost in AWS, COMPUTED from the
 * measured per-item cost and AWS's list prices (not measured in AWS).
 * BENCH_BATCH_LOANS (default 2048), BENCH_BATCH_SCENARIOS (100), BENCH_BATCH_LOANS_PER_CHUNK (256: 8 chunks of
 * about 0.8 s of work each; a child that does less is mostly the invocation, which Distributed Map's
 * ItemBatcher exists to amortise),
 * BENCH_CLOUD_FILE (a running cloud's cloud.json instead of starting one).
 */
const LOANS = Number(process.env.BENCH_BATCH_LOANS ?? 2048);
const SCENARIOS = Number(process.env.BENCH_BATCH_SCENARIOS ?? 100);
const LOANS_PER_CHUNK = Number(process.env.BENCH_BATCH_LOANS_PER_CHUNK ?? 256);
/**
 * The job's own record times it (startedAt when the API accepted it, finishedAt when the reducer wrote
 * the result), so the poll need not be frequent: each GET is a getJob invocation of 10-25 ms (invocations.jsonl)
 * besides the front door and DynamoDB Local, which at 10 polls a second took CPU from the two mappers.
 */
const POLL_MS = 1000;

/** AWS list prices, us-east-1, x86: https://aws.amazon.com/lambda/pricing/ https://aws.amazon.com/step-functions/pricing/ */
const PRICES = {
  lambdaGbSecond: 0.0000166667,
  lambdaRequest: 0.2 / 1e6,
  /** Standard workflows, per state transition; each child execution of the Map makes about 3. */
  stateTransition: 0.025 / 1000,
  transitionsPerChild: 3,
};
/** The mapper's memory: one full vCPU, as in serverless.yml. */
const MAPPER_GB = 1769 / 1024;
const TALK = { loans: 20_000_000, scenarios: 200, months: 360, loansPerChunk: 1000 };

const WARM_UP_LOANS = 16;
/**
 * A job's results are catalogued after it ends (registerObject, the catalog's stream, the search index:
 * about 2 s here), and a job started meanwhile shares the two cores with that work. Each measured job
 * starts on a quiet cloud.
 */
const SETTLE_MS = 3000;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

async function runJob(description: CloudDescription, idToken: string, params: Partial<MortgageParams>) {
  const base = `${description.portalUrl}/catalog/jobs`;
  const headers = { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' };
  const posted = await fetch(base, {
    method: 'POST',
    headers,
    body: JSON.stringify({ type: 'mortgage', params }),
  });
  let { job } = (await posted.json()) as { job?: JobView };
  if (job === undefined) throw new Error(`job refused (${posted.status})`);
  while (job.status === 'RUNNING') {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    ({ job } = (await (await fetch(`${base}/${job.jobId}`, { headers })).json()) as { job: JobView });
  }
  if (job.status !== 'SUCCEEDED' || job.finishedAt === undefined)
    throw new Error(`job ${job.jobId} ${job.status}: ${JSON.stringify(job.error)}`);
  const seconds = (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000;
  const portfolio = job.result?.summary.portfolio as { loanScenarioMonths: number };
  return { seconds, loanScenarioMonths: portfolio.loanScenarioMonths, job };
}

async function main() {
  const params = {
    loans: LOANS,
    scenarios: SCENARIOS,
    months: 360,
    seed: 7,
    portfolioSeed: 1,
    loansPerChunk: LOANS_PER_CHUNK,
  };
  const workDir = await mkdtemp(join(tmpdir(), 'bench-batch-'));
  const own = process.env.BENCH_CLOUD_FILE === undefined;
  const cloud = own ? await startCloudProcess({ stateDir: join(workDir, 'cloud') }) : undefined;
  const description =
    cloud?.description ?? (await readCloudDescription(process.env.BENCH_CLOUD_FILE as string));
  try {
    const signUps = people(description);
    const admin = await signUps.create({ admin: true });
    signUps.destroy();

    // Warm-up: both mappers' execution environments started (bundles loaded) and their JIT warmed on
    // as many loans as the loop's own warm-up below.
    await runJob(description, admin.idToken, {
      ...params,
      loans: 2 * WARM_UP_LOANS,
      loansPerChunk: WARM_UP_LOANS,
      mappers: 2,
    });
    valuePortfolioInProcess({ ...params, loans: WARM_UP_LOANS, mappers: 1, toleratedFailurePercentage: 0 });
    const loopStarted = performance.now();
    const inProcess = valuePortfolioInProcess({ ...params, mappers: 1, toleratedFailurePercentage: 0 });
    const loopSeconds = (performance.now() - loopStarted) / 1000;
    const loopRate = inProcess.loanScenarioMonths / loopSeconds;

    await settle();
    const one = await runJob(description, admin.idToken, { ...params, mappers: 1 });
    await settle();
    const two = await runJob(description, admin.idToken, { ...params, mappers: 2 });
    const rate = (run: { seconds: number; loanScenarioMonths: number }) =>
      run.loanScenarioMonths / run.seconds;
    const chunkSeconds = loopSeconds / Math.ceil(LOANS / LOANS_PER_CHUNK);

    console.log(
      `\nMortgage model: ${LOANS} loans x ${SCENARIOS} scenarios x 360 months = ${inProcess.loanScenarioMonths.toLocaleString('en')} loan-scenario-months, chunks of ${LOANS_PER_CHUNK} loans (~${chunkSeconds.toFixed(2)} s of work each)`,
    );
    console.log(
      table([
        ['run', 'seconds', 'loan-scenario-months/s'],
        ['plain loop, one process', loopSeconds.toFixed(2), Math.round(loopRate).toLocaleString('en')],
        ['local cloud, 1 mapper', one.seconds.toFixed(2), Math.round(rate(one)).toLocaleString('en')],
        ['local cloud, 2 mappers', two.seconds.toFixed(2), Math.round(rate(two)).toLocaleString('en')],
      ]),
    );
    console.log(
      `ratio local cloud (1 mapper) / plain loop = ${(rate(one) / loopRate).toFixed(3)} (goal >= 0.8)`,
    );
    console.log(`speed-up 1 -> 2 mappers = ${(rate(two) / rate(one)).toFixed(2)}x (goal >= 1.7x)`);

    // On paper for AWS: the per-item cost measured here (one vCPU, as a 1,769 MB mapper has).
    const secondsPerItem = 1 / loopRate;
    const items = TALK.loans * TALK.scenarios * TALK.months;
    const cpuSeconds = items * secondsPerItem;
    const children = TALK.loans / TALK.loansPerChunk;
    const cost =
      cpuSeconds * MAPPER_GB * PRICES.lambdaGbSecond +
      children * PRICES.lambdaRequest +
      children * PRICES.transitionsPerChild * PRICES.stateTransition;
    console.log(
      `\nCOMPUTED, not measured in AWS: ${TALK.loans.toLocaleString('en')} loans x ${TALK.scenarios} scenarios x ${TALK.months} months = ${items.toExponential(2)} items at ${(secondsPerItem * 1e9).toFixed(1)} ns each = ${(cpuSeconds / 3600).toFixed(0)} vCPU-hours; ${children.toLocaleString('en')} chunks of ${TALK.loansPerChunk} loans`,
    );
    console.log(
      table([
        ['concurrency', 'mappers', 'wall time', 'cost (Lambda + requests + transitions)'],
        ...[1000, 10_000].map((concurrency) => [
          concurrency.toLocaleString('en'),
          concurrency.toLocaleString('en'),
          `${(cpuSeconds / concurrency / 60).toFixed(1)} min`,
          `$${cost.toFixed(0)}`,
        ]),
      ]),
    );
  } finally {
    await cloud?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
