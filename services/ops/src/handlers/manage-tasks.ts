import { json, noContent, parseJsonBody, parsePathParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import * as z from 'zod';
import { opsAdmin } from '../composition';
import { taskBodySchema } from '../core/ops-admin';

const admin = opsAdmin();
const nameSchema = z.object({ name: z.string().min(1).max(64) });

// GET /ops/tasks, GET, PUT and DELETE /ops/tasks/{name}: one function, one table, one role.
export const handler = route(async (event) => {
  if (event.pathParameters?.name === undefined) return json(200, await admin.listTasks());
  const { name } = parsePathParameters(event, nameSchema);
  switch (event.httpMethod) {
    case 'PUT':
      return json(200, await admin.putTask(name, parseJsonBody(event, taskBodySchema)));
    case 'DELETE':
      await admin.deleteTask(name);
      return noContent();
    default:
      return json(200, await admin.getTask(name));
  }
});
