import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { ForbiddenError } from '@serverless-patterns/shared/errors';
import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { jobReader } from '../composition';

const jobs = jobReader();

/** The job: its status, its chunks done out of the total, its failures and its result's location. */
export const handler = route(async (event) => {
  if (!callerFrom(event).isAdmin) throw new ForbiddenError('Batch jobs are for administrators');
  return json(200, { job: await jobs.get(event.pathParameters?.jobId) });
});
