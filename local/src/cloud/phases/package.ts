import { awsEnvironment } from '../endpoints';
import type { ServiceDefinition } from '../layout';
import { type PackagedService, packageServices } from '../package-services';
import type { CloudSettings } from './settings';

/**
 * Phase 1, package: `sls package` of every service into the cloud's build folder, so that what
 * runs locally is what would be deployed; a service whose inputs have not changed since its last
 * packaging reuses that one's template and bundles. It runs while the emulators start (they do not
 * depend on each other); the promise never rejects unhandled, and aborting kills the packaging under way.
 */
export function startPackaging(
  settings: CloudSettings,
  services: ServiceDefinition[],
): Promise<PackagedService[]> {
  const packaging = packageServices(services, {
    root: settings.root,
    stage: settings.stage,
    buildDir: settings.paths.build,
    env: { ...process.env, ...awsEnvironment({}) },
    workFolder: settings.esbuildWorkFolder,
    params: settings.params,
    measure: settings.timings.measure,
    ...(settings.signal ? { signal: settings.signal } : {}),
  });
  packaging.catch(() => undefined);
  return packaging;
}
