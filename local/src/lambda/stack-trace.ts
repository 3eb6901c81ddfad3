import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';

/** A frame's place in a deployed bundle, as Lambda prints it: `/var/task/src/handlers/x.js:1:2345`. */
const BUNDLE_POSITION = /\/var\/task\/(\S+?\.js):(\d+):(\d+)/g;

/**
 * A stack trace from CloudWatch with each position in a deployed bundle replaced by the TypeScript
 * source, line and column it was built from; positions no map covers are left as they are. Function
 * names are already readable (esbuild's keepNames): the maps add the files and lines.
 * `mapOf` gives the source map of a bundle (its path in the zip), and where that map lies.
 */
export function mapStackTrace(
  trace: string,
  mapOf: (bundle: string) => { map: SourceMap; path: string } | undefined,
  root: string,
): string {
  return trace.replace(BUNDLE_POSITION, (whole, bundle: string, line: string, column: string) => {
    const found = mapOf(bundle);
    if (found === undefined) return whole;
    const entry = found.map.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry)) return whole;
    const source = relative(root, resolve(dirname(found.path), entry.originalSource));
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  });
}

/**
 * The maps `sls package` leaves beside a service's zips (`.serverless/source-maps/`, written by
 * shared/serverless-plugin/esbuild-plugins.cjs), read once each.
 */
export function packagedSourceMaps(serviceDir: string) {
  const maps = new Map<string, { map: SourceMap; path: string } | undefined>();
  return (bundle: string) => {
    if (!maps.has(bundle)) {
      const path = join(serviceDir, '.serverless', 'source-maps', `${bundle}.map`);
      let found: { map: SourceMap; path: string } | undefined;
      try {
        found = { map: new SourceMap(JSON.parse(readFileSync(path, 'utf8'))), path };
      } catch {
        found = undefined;
      }
      maps.set(bundle, found);
    }
    return maps.get(bundle);
  };
}
