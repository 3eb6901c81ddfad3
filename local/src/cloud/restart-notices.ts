import { type FSWatcher, watch } from 'node:fs';
import { join, relative } from 'node:path';
import type { ServiceDefinition } from './layout';

/** Editors save in bursts (a temporary file, a rename, a second write): one notice per burst. */
const QUIET_MS = 300;

/**
 * Says when a file changes that hot reload cannot apply: a service's serverless.yml, or the
 * serverless.common.yml every one reads. What they declare (resources, triggers, environments,
 * routes) was packaged, provisioned and wired at start-up; a handler's or a core module's source, by
 * contrast, is rebuilt and runs from the next invocation on (serverless-esbuild's watcher in each
 * serverless-offline). Folders are watched rather than files, because editors replace a file on save.
 * Returns what stops watching.
 */
export function watchForRestart(options: {
  root: string;
  services: readonly ServiceDefinition[];
  notify: (line: string) => void;
}): () => void {
  const { root, services, notify } = options;
  const watched = new Map<string, readonly string[]>([[root, ['serverless.common.yml']]]);
  for (const service of services) watched.set(service.path, ['serverless.yml']);
  const pending = new Map<string, NodeJS.Timeout>();
  const watchers: FSWatcher[] = [];
  for (const [dir, names] of watched) {
    const watcher = watch(dir, (_event, name) => {
      if (name === null || !names.includes(name)) return;
      const path = join(dir, name);
      clearTimeout(pending.get(path));
      const timer = setTimeout(() => {
        pending.delete(path);
        notify(
          `${relative(root, path)} changed: the local cloud applies it at start-up only; restart it to apply the change (Ctrl-C, then npm start).`,
        );
      }, QUIET_MS);
      timer.unref();
      pending.set(path, timer);
    });
    // A folder that goes away (a temporary fixture) ends its watch, nothing more.
    watcher.on('error', () => watcher.close());
    watchers.push(watcher);
  }
  return () => {
    for (const watcher of watchers) watcher.close();
    for (const timer of pending.values()) clearTimeout(timer);
    pending.clear();
  };
}
