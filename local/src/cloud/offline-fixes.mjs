// Loaded into each serverless-offline process (node --import) to correct where serverless-offline 14
// differs from API Gateway and Lambda in ways the platform relies on: each fix in
// offline-fixes/patches.ts rewrites one module's source as it loads. The fixes are TypeScript, run by
// Node's type stripping (no build step, no tsx in these processes).
import { registerHooks } from 'node:module';
import { applyFixes, isFixed } from './offline-fixes/patches.ts';

registerHooks({
  load(url, context, nextLoad) {
    const loaded = nextLoad(url, context);
    if (!isFixed(url)) return loaded;
    const source = applyFixes(url, String(loaded.source), (message) =>
      process.emitWarning(`serverless-offline fix skipped: ${message}`),
    );
    return { ...loaded, source };
  },
});
