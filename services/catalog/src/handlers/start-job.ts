import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { ForbiddenError } from '@serverless-patterns/shared/errors';
import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { startJobRequestSchema } from '@serverless-patterns/shared/schemas/api';
import { jobStarter } from '../composition';

const jobs = jobStarter();

// 202 with the job (Location names it); 200 when the same named job was already started.
export const handler = route(async (event) => {
  const caller = callerFrom(event);
  if (!caller.isAdmin) throw new ForbiddenError('Batch jobs are for administrators');
  const request = parseJsonBody(event, startJobRequestSchema);
  const { job, created } = await jobs.start(caller.userId, request);
  return json(
    created ? 202 : 200,
    { job },
    { location: `${event.requestContext.path.replace(/\/$/, '')}/${job.jobId}` },
  );
});
