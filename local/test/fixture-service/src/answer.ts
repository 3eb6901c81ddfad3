/**
 * Answers with its version and what it sees of its execution environment: the variables Lambda sets in
 * every one, and the time zone. The hot-reload suite rewrites VERSION while the cloud runs.
 */
export const VERSION = 'as committed';

/** Set once per execution environment, when the code is loaded: which invocations ran warm. */
const environmentId = Math.random().toString(36).slice(2);

const LAMBDA_VARIABLES = [
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_REGION',
  'TZ',
] as const;

export const handler = async () => {
  // One line for the local cloud's logs (npm run logs, npm run invoke).
  console.log(`answered from ${environmentId}`);
  return answer();
};

const answer = () => ({
  version: VERSION,
  environmentId,
  variables: Object.fromEntries(LAMBDA_VARIABLES.map((name) => [name, process.env[name] ?? null])),
  timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
});
