/**
 * npm run job -- <word-count|mortgage|compaction> [name=value ...] [--id JOB_ID] [--cloud PATH]
 *
 * Starts a batch job through POST /catalog/jobs on the local cloud (.local/cloud.json, written by
 * `npm start`) as a new administrator of its user pool, then follows GET /catalog/jobs/{id} with a
 * progress bar of the chunks done, and prints the result's location and summary. Parameters are
 * name=value pairs; numbers are numbers: `npm run job -- mortgage loans=2000 scenarios=100 mappers=2`,
 * `npm run job -- word-count prefix=raw/books ngram=2`.
 */
import { randomUUID } from 'node:crypto';
import {
  CLOUD_OPTION,
  LOCAL_CLOUD_FILE,
  parseCommandLine,
  usageError,
} from '@serverless-patterns/local/command-line';
import { people, readCloudDescription } from '@serverless-patterns/local/testing';
import type { JobView } from '@serverless-patterns/shared/schemas/api';
import { jobTypeSchema } from '@serverless-patterns/shared/schemas/events';
import { SingleBar } from 'cli-progress';

const POLL_MS = 1000;

const JOB = {
  invocation: 'npm run job --',
  synopsis: `<${jobTypeSchema.options.join('|')}> [name=value ...] [options]`,
  about: [
    'Starts a batch job through POST /catalog/jobs on the local cloud (.local/cloud.json, npm start) as a',
    'new administrator of its user pool, follows GET /catalog/jobs/{id} with a progress bar of the chunks',
    "done, and prints the result's location and summary. Parameters are name=value pairs; numbers are",
    "numbers (services/catalog/README.md lists each type's):",
    '  npm run job -- word-count prefix=raw/books ngram=2',
    '  npm run job -- mortgage loans=2000 scenarios=100 mappers=2',
    '  npm run job -- compaction prefix=raw/clickstream',
  ].join('\n'),
  options: {
    id: {
      type: 'string',
      placeholder: '<job-id>',
      description: "the job's id (default <type>-<8 random hex digits>)",
    },
    cloud: CLOUD_OPTION,
  },
  allowPositionals: true,
} as const;

const { values, positionals } = parseCommandLine(JOB);
const [type, ...pairs] = positionals;
if (type === undefined) usageError(JOB.invocation, 'name the job type');
if (!jobTypeSchema.safeParse(type).success)
  usageError(JOB.invocation, `unknown job type '${type}'; types: ${jobTypeSchema.options.join(', ')}`);
const params = Object.fromEntries(
  pairs.map((pair) => {
    const [name, ...rest] = pair.split('=');
    const value = rest.join('=');
    if (name === undefined || name === '' || rest.length === 0)
      usageError(JOB.invocation, `'${pair}' is not name=value`);
    return [name, value !== '' && Number.isFinite(Number(value)) ? Number(value) : value];
  }),
);

async function main(): Promise<number> {
  const cloudFile = values.cloud ?? LOCAL_CLOUD_FILE;
  const description = await readCloudDescription(cloudFile).catch(() => {
    throw new Error(`no local cloud description at ${cloudFile}: run npm start first`);
  });
  if (description.portalUrl === undefined) throw new Error('the local cloud has no front door (portalUrl)');
  const signUps = people(description);
  const admin = await signUps.create({ admin: true });
  signUps.destroy();

  const jobId = values.id ?? `${type}-${randomUUID().slice(0, 8)}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${description.portalUrl}/catalog${path}`, {
      method,
      headers: { authorization: `Bearer ${admin.idToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const answer = (await response.json()) as { job?: JobView; error?: unknown };
    if (!response.ok || answer.job === undefined)
      throw new Error(`${method} ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
    return answer.job;
  };

  const started = Date.now();
  let job = await call('POST', '/jobs', { jobId, type, params });
  console.log(`job ${job.jobId} (${job.type}) started with ${JSON.stringify(job.params)}`);
  const bar = new SingleBar({ format: ' chunks [{bar}] {value}/{total} | failed {failed} | {seconds} s' });
  bar.start(1, 0, { failed: 0, seconds: 0 });
  while (job.status === 'RUNNING') {
    await new Promise((done) => setTimeout(done, POLL_MS));
    job = await call('GET', `/jobs/${jobId}`);
    if (job.items !== undefined) bar.setTotal(Math.max(1, job.items.total));
    bar.update(job.items?.succeeded ?? 0, {
      failed: job.items?.failed ?? 0,
      seconds: Math.round((Date.now() - started) / 1000),
    });
  }
  bar.stop();
  console.log(`${job.status} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (job.result !== undefined)
    console.log(`result: ${job.result.location}\n${JSON.stringify(job.result.summary, null, 2)}`);
  if (job.error !== undefined) console.log(`error: ${job.error.code}: ${job.error.message}`);
  return job.status === 'SUCCEEDED' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
