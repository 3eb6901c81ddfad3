import type { CloudDescription } from '../cloud/cloud-description';

/** `npm start`'s summary fits one terminal screen; the rest is in cloud.json. */
export const SUMMARY_MAX_LINES = 40;

/** Warnings of one kind: 'AWS::CloudWatch::Alarm is not emulated', 12 of them, from api and ops. */
export interface WarningKind {
  kind: string;
  count: number;
  services: string[];
}

// resource-kinds.ts words every resource it does not emulate so: "<service>: <logical id> (<type>) is not emulated".
const NOT_EMULATED = /^(?<service>[^:]+): \S+ \((?<type>[\w:]+)\) is not emulated$/;

/**
 * Warnings grouped by kind, the most frequent first: resources not emulated by their CloudFormation
 * type; any other warning is a kind of its own.
 */
export function groupWarnings(warnings: readonly string[]): WarningKind[] {
  const kinds = new Map<string, WarningKind>();
  for (const warning of warnings) {
    const match = NOT_EMULATED.exec(warning)?.groups;
    const kind = match ? `${match.type} is not emulated` : warning;
    const entry = kinds.get(kind) ?? { kind, count: 0, services: [] };
    entry.count += 1;
    if (match?.service && !entry.services.includes(match.service)) entry.services.push(match.service);
    kinds.set(kind, entry);
  }
  return [...kinds.values()].sort((a, b) => b.count - a.count);
}

/**
 * What `npm start` prints once the cloud is ready, on one screen: the portal and each service's API,
 * the AWS endpoints and how to use them, what did not start, and the warnings grouped by kind. Every
 * name, function and resource is in cloud.json, which the last line names.
 */
export function startupSummary(description: CloudDescription, elapsedMs: number, cloudFile: string): string {
  const head = [
    `The local cloud is ready (${(elapsedMs / 1000).toFixed(1)} s). Ctrl-C stops everything.`,
    '',
    ...servicesTable(description),
    '',
    'AWS endpoints:',
    ...table(endpointRows(description.endpoints)),
    'Use them from a shell:  eval "$(npm run --silent env)"   then   aws dynamodb list-tables',
    'Fire a schedule now:    npm run trigger -- <service> <function>',
  ];
  if (description.skipped.length > 0) {
    head.push('', 'Not started (their endpoints answer with the reason; the rest runs):');
    for (const { name, reason } of description.skipped) head.push(`  - ${name}: ${reason}`);
  }
  const tail = ['', `Every function, resource name and warning: ${cloudFile}`];
  const warnings = warningLines(description.warnings, SUMMARY_MAX_LINES - head.length - tail.length);
  return [...head, ...warnings, ...tail].join('\n');
}

/** The portal, then each service: its API through the front door (else its own port) and its Lambda endpoint. */
function servicesTable(description: CloudDescription): string[] {
  const origin = description.portalUrl;
  const rows: string[][] = [['', 'API', 'Lambda (aws lambda invoke --endpoint-url)']];
  if (origin !== undefined) rows.push(['portal', `${origin}/`, '']);
  for (const [key, service] of Object.entries(description.services)) {
    rows.push([key, apiOf(service, origin), service.lambdaEndpoint ?? 'no functions']);
  }
  return table(rows);
}

function apiOf(service: CloudDescription['services'][string], origin: string | undefined): string {
  if (service.apiUrl === undefined) return 'no HTTP routes';
  if (origin === undefined || service.basePath === undefined) return service.apiUrl;
  if (service.basePath !== '') return `${origin}${service.basePath}`;
  const paths = service.rootPaths ?? [];
  return paths.length === 0 ? origin : `${origin}/${paths.length === 1 ? paths[0] : `{${paths.join(',')}}`}`;
}

/** One row per address, naming every service it answers (dynamodb and dynamodbStreams share one). */
function endpointRows(endpoints: Record<string, string>): string[][] {
  const byUrl = new Map<string, string[]>();
  for (const [service, url] of Object.entries(endpoints))
    byUrl.set(url, [...(byUrl.get(url) ?? []), service]);
  return [...byUrl].map(([url, services]) => [services.join(', '), url]);
}

function warningLines(warnings: readonly string[], budget: number): string[] {
  if (warnings.length === 0) return [];
  const kinds = groupWarnings(warnings);
  const heading = ['', `Not emulated, or emulated differently (${warnings.length}, by kind):`];
  const room = budget - heading.length;
  // The last line that fits says how many kinds did not.
  const shown = kinds.length <= room ? kinds : kinds.slice(0, Math.max(room - 1, 0));
  const width = String(kinds[0]?.count ?? 0).length;
  const lines = shown.map(
    ({ kind, count, services }) =>
      `  ${String(count).padStart(width)}  ${kind}${services.length > 0 ? ` (${services.join(', ')})` : ''}`,
  );
  if (shown.length < kinds.length) lines.push(`  ... and ${kinds.length - shown.length} more kinds`);
  return [...heading, ...lines];
}

/** Rows as left-aligned columns, two spaces apart, indented by two. */
function table(rows: readonly string[][]): string[] {
  const columns = Math.max(...rows.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, index) =>
    Math.max(...rows.map((row) => row[index]?.length ?? 0)),
  );
  return rows.map((row) =>
    `  ${row.map((cell, index) => cell.padEnd(widths[index] ?? 0)).join('  ')}`.trimEnd(),
  );
}
