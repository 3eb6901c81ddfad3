/**
 * npm run job -- <word-count|mortgage> [name=value ...] [--id JOB_ID] [--cloud PATH]
 *
 * Starts a batch job through POST /catalog/jobs on the local cloud (.local/cloud.json, written by
 * `npm start`) as a new administrator of its user pool, then follows GET /catalog/jobs/{id} with a
 * progress bar of the chunks done, and prints the result's location and summary. Parameters are
 * name=value pairs; numbers are numbers: `npm run job -- mortgage loans=2000 scenarios=100 mappers=2`,
 * `npm run job -- word-count prefix=raw/books ngram=2`.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { people, readCloudDescription } from '@serverless-patterns/local/testing';
import type { JobView } from '@serverless-patterns/shared/schemas/api';
import { SingleBar } from 'cli-progress';

const POLL_MS = 1000;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { id: { type: 'string' }, cloud: { type: 'string' } },
  });
  const [type, ...pairs] = positionals;
  if (type === undefined) {
    console.error(
      'usage: npm run job -- <word-count|mortgage> [name=value ...] [--id JOB_ID] [--cloud PATH]',
    );
    return 2;
  }
  const params = Object.fromEntries(
    pairs.map((pair) => {
      const [name, ...rest] = pair.split('=');
      const value = rest.join('=');
      if (name === undefined || name === '' || rest.length === 0)
        throw new Error(`"${pair}" is not name=value`);
      return [name, value !== '' && Number.isFinite(Number(value)) ? Number(value) : value];
    }),
  );

  const description = await readCloudDescription(values.cloud ?? resolve('.local', 'cloud.json'));
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
    console.error(error);
    process.exit(1);
  },
);
