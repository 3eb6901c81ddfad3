import { parseCommandLine, usageError } from './command-line';
import { SAMPLE_EVENTS, sampleEvent } from './sample-events';

const EVENT = {
  invocation: 'npm run event --',
  synopsis: '<source> <type> [options]',
  about: [
    "Prints a sample event, shaped as AWS sends it (built from AWS's published samples), to read, edit or",
    'pipe into npm run invoke -- <service> <function> --event -. Sources and types:',
    ...Object.entries(SAMPLE_EVENTS).map(
      ([source, types]) => `  ${source}: ${Object.keys(types).join(', ')}`,
    ),
  ].join('\n'),
  options: {
    bucket: { type: 'string', placeholder: '<name>', description: 's3: the bucket' },
    key: { type: 'string', placeholder: '<key>', description: 's3: the object key' },
    stream: { type: 'string', placeholder: '<name>', description: 'kinesis, firehose: the stream' },
    body: { type: 'string', placeholder: '<json|text>', description: 'the record, message or request body' },
    method: { type: 'string', placeholder: '<verb>', description: 'apigateway: the HTTP method' },
    path: { type: 'string', placeholder: '<path>', description: 'apigateway: the request path' },
  },
  allowPositionals: true,
} as const;

const { positionals, values } = parseCommandLine(EVENT);
const [source, type, ...extra] = positionals;
if (source === undefined || type === undefined) usageError(EVENT.invocation, 'name the source and the type');
if (extra.length > 0) usageError(EVENT.invocation, `unexpected argument '${extra[0]}'`);
try {
  console.log(JSON.stringify(sampleEvent(source, type, values), null, 2));
} catch (error) {
  usageError(EVENT.invocation, (error as Error).message);
}
