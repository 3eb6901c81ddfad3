import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { composeServices, localPaths } from '../cloud/layout';
import { invocationsFile, readInvocationRecords } from '../lambda/invocation-records';
import { awsInvocations, deployedFunctions, type StageService } from '../rightsize/aws-invocations';
import { LAMBDA_PRICES } from '../rightsize/lambda-prices';
import { localInvocations } from '../rightsize/local-invocations';
import { methodNotes, renderTable } from '../rightsize/report-table';
import { type FunctionInvocations, parseWindow, rightsizeAll } from '../rightsize/rightsize';
import { parseCommandLine, usageError } from './command-line';
import { STATE_DIR_OPTION } from './running-cloud';

const RIGHTSIZE = {
  invocation: 'npm run rightsize --',
  synopsis: '[options]',
  about: [
    'Prints, for each function that ran, its invocations, p50/p99 duration, peak memory, a recommended memory',
    'size (peak + 30 %) and the cost per million invocations at the configured and the recommended size.',
    'Locally, from the invocations the local cloud recorded (.local/metrics/invocations.jsonl); with --stage,',
    "from a deployed stage's REPORT lines in CloudWatch Logs (Logs Insights; AWS credentials needed).",
  ].join('\n'),
  options: {
    stage: {
      type: 'string',
      placeholder: '<stage>',
      description: 'a deployed stage: read AWS, not the local cloud',
    },
    region: {
      type: 'string',
      placeholder: '<region>',
      description: "the stage's region (default $AWS_REGION, else us-east-1)",
    },
    since: {
      type: 'string',
      placeholder: '<window>',
      default: '7d',
      description: 'only invocations of the last <n>m, <n>h or <n>d (default 7d)',
    },
    json: { type: 'boolean', description: 'print the rows as JSON instead of a table' },
    'state-dir': STATE_DIR_OPTION,
  },
} as const;

const { values } = parseCommandLine(RIGHTSIZE);
const windowMs = parseWindow(values.since);
if (windowMs === undefined)
  usageError(RIGHTSIZE.invocation, `--since takes 30m, 24h or 7d, not '${values.since}'`);
if (values.stage !== undefined && values['state-dir'] !== undefined)
  usageError(RIGHTSIZE.invocation, '--stage reads AWS and --state-dir the local cloud: give one of them');
const end = new Date();
const start = new Date(end.getTime() - windowMs);

const measured = await (values.stage === undefined ? fromLocalCloud() : fromStage(values.stage)).catch(
  (error: unknown) => {
    // No credentials, no access, a throttled query: one line that says so, not a stack trace.
    console.error(`npm run rightsize: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
const rows = rightsizeAll(measured.functions);
if (values.json) {
  console.log(
    JSON.stringify(
      { source: measured.source, since: start.toISOString(), prices: LAMBDA_PRICES, rows },
      null,
      2,
    ),
  );
} else {
  console.log(`${measured.source}, since ${start.toISOString()}:\n`);
  console.log(rows.length > 0 ? renderTable(rows) : measured.nothingYet);
  const notes = [
    ...measured.notes,
    ...(rows.length > 0 ? methodNotes(LAMBDA_PRICES, values.stage === undefined ? 'local' : 'aws') : []),
  ];
  if (notes.length > 0) console.log(`\n${notes.join('\n')}`);
}

async function fromLocalCloud() {
  const file = invocationsFile(localPaths(undefined, values['state-dir']).metrics);
  return {
    source: `Local cloud: the invocations recorded in ${file}`,
    functions: localInvocations(await readInvocationRecords(file), start),
    notes: [],
    nothingYet:
      'No invocation recorded in that window: start the local cloud (npm start) and send it traffic (npm run thermostats, npm run clicks, npm run invoke).',
  };
}

async function fromStage(stage: string) {
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const clients = {
    cloudFormation: new CloudFormationClient({ region }),
    lambda: new LambdaClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
  };
  try {
    const { functions, missingStacks } = await deployedFunctions(clients, stage, stageServices());
    const measuredFunctions: FunctionInvocations[] = await awsInvocations(clients.logs, functions, {
      start,
      end,
    });
    const idle = measuredFunctions
      .filter((fn) => fn.invocations.length === 0)
      .map((fn) => `${fn.fn.service}/${fn.fn.key}`);
    return {
      source: `Stage ${stage} (${region}): the functions' REPORT lines in CloudWatch Logs`,
      functions: measuredFunctions,
      notes: [
        ...(missingStacks.length > 0 ? [`not deployed: ${missingStacks.join(', ')}`] : []),
        ...(idle.length > 0 ? [`not invoked in the window: ${idle.join(', ')}`] : []),
        ...(region !== LAMBDA_PRICES.region
          ? [`prices are ${LAMBDA_PRICES.region}'s; ${region}'s may differ`]
          : []),
      ],
      nothingYet: `No invocation of the stage's functions in that window (${functions.length} functions found).`,
    };
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

/** The compose services with the name their serverless.yml gives them (osls names stacks <name>-<stage>). */
function stageServices(): StageService[] {
  return composeServices().map(({ key, path }) => {
    const serviceName = /^service:\s*(\S+)/m.exec(readFileSync(join(path, 'serverless.yml'), 'utf8'))?.[1];
    if (serviceName === undefined) throw new Error(`${path}/serverless.yml names no service`);
    return { key, serviceName };
  });
}
