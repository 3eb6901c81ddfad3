import { readFile, rename, writeFile } from 'node:fs/promises';
import * as z from 'zod';

/**
 * `.local/cloud.json`: the one place that tells tests, benchmarks and people where everything is.
 * Written once the whole cloud is ready, removed when it stops.
 */
export const cloudDescriptionSchema = z.object({
  stage: z.string(),
  region: z.string(),
  accountId: z.string(),
  /** The process that runs the local cloud (stop it with SIGTERM). */
  pid: z.number().int(),
  portalUrl: z.string().optional(),
  /** The local cloud's own controls (npm run trigger). */
  controlUrl: z.string(),
  endpoints: z.record(z.string(), z.string()),
  /** AWS_ENDPOINT_URL_<SERVICE>, credentials and region for any SDK or the AWS CLI. */
  environment: z.record(z.string(), z.string()),
  credentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  services: z.record(
    z.string(),
    z.object({
      name: z.string(),
      /** Its API Gateway's own address; absent for a service without HTTP routes (nothing listens). */
      apiUrl: z.string().optional(),
      lambdaEndpoint: z.string(),
      /** serverless.yml function key -> physical function name. */
      functions: z.record(z.string(), z.string()),
      /** logical id -> physical name (Ref value: table name, bucket name, queue URL, topic ARN...). */
      resources: z.record(z.string(), z.string()),
      /** The stack's outputs that resolve locally (UserPoolId, PortalBucketName...). */
      outputs: z.record(z.string(), z.string()),
      /** Where the front door (the custom domain in AWS) maps the service's REST API; absent without one. */
      basePath: z.string().optional(),
      /** For the API mapped at the root: the top-level path segments it owns (devices, me). */
      rootPaths: z.array(z.string()).optional(),
    }),
  ),
  processes: z.array(z.object({ name: z.string(), pid: z.number().int() })),
  /** Emulators whose tool is missing: not started, their endpoint answers with the reason. */
  skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
  warnings: z.array(z.string()),
});

export type CloudDescription = z.infer<typeof cloudDescriptionSchema>;

export async function writeCloudDescription(path: string, description: CloudDescription): Promise<void> {
  // Written whole and renamed, so a reader never sees half a file; through the schema, so that it
  // holds only what the schema declares (not what an SDK wrote onto a shared object).
  const clean = cloudDescriptionSchema.parse(description);
  await writeFile(`${path}.tmp`, `${JSON.stringify(clean, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function readCloudDescription(path: string): Promise<CloudDescription> {
  return cloudDescriptionSchema.parse(JSON.parse(await readFile(path, 'utf8')));
}
