import * as z from 'zod';

/** The local-only control routes the child serves beside the Rekognition API. */
export const FAULTS_PATH = '/_local/faults';
export const HEALTH_PATH = '/_local/health';

/** What the parent hands the Rekognition child process, as JSON in one environment variable. */
export const CHILD_CONFIG_VARIABLE = 'LOCAL_REKOGNITION_CONFIG';

const childConfigSchema = z.object({
  port: z.number().int().min(1).max(65_535),
  s3Endpoint: z.url(),
  s3Credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) }),
  region: z.string().min(1),
});

export type ChildConfig = z.infer<typeof childConfigSchema>;

export const childEnvironment = (config: ChildConfig): Record<string, string> => ({
  [CHILD_CONFIG_VARIABLE]: JSON.stringify(config),
});

export const readChildConfig = (environment: NodeJS.ProcessEnv): ChildConfig => {
  const raw = environment[CHILD_CONFIG_VARIABLE];
  if (raw === undefined) throw new Error(`${CHILD_CONFIG_VARIABLE} is not set`);
  return childConfigSchema.parse(JSON.parse(raw));
};
