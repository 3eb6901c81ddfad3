import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GeneratedIds, ProvisionContext } from '../../provision/provisioners';
import { assignPhysicalNames } from '../../templates/physical-names';
import { createStack, resolvedExports, type Stack } from '../../templates/stack';
import type { LocalClients } from '../clients';
import { LOCAL_REGION } from '../endpoints';
import type { PackagedService } from '../package-services';
import { RESOURCE_KINDS, type ResourceKind, resourcesOfKind, unemulatedResources } from '../resource-kinds';
import type { RunningEmulators } from './emulators';
import type { CloudSettings } from './settings';

/**
 * Phase 3, provision: one stack per packaged service, in compose order, its resources created on
 * the emulators as RESOURCE_KINDS says. Exports of what only provisioning names (a user pool's id and
 * issuer, a client id) are known once a stack is provisioned, and reach the stacks after it
 * (Fn::ImportValue). Ids the emulators generate are kept in the data folder, so that a restart finds
 * its user pools again.
 */
export async function provisionStacks(
  settings: CloudSettings,
  packaged: readonly PackagedService[],
  emulators: RunningEmulators,
  clients: LocalClients,
): Promise<{ stacks: Map<string, Stack>; warnings: string[] }> {
  const warnings: string[] = [];
  const { stacks, exports } = buildStacks(packaged);
  const generatedIdsFile = join(settings.paths.data, 'generated-ids.json');
  const generatedIds = await readJson<GeneratedIds>(generatedIdsFile, {});
  for (const stack of stacks.values()) {
    const context: ProvisionContext = {
      stack,
      names: assignPhysicalNames(stack),
      clients,
      generatedIds,
      cognitoIssuerBase: emulators.endpoints.cognito,
      warnings: [],
    };
    for (const [type, kind] of Object.entries(RESOURCE_KINDS) as [
      keyof typeof RESOURCE_KINDS,
      ResourceKind,
    ][]) {
      if (kind.provision === undefined) continue;
      const logicalIds = resourcesOfKind(stack, type)
        .map(([logicalId]) => logicalId)
        .filter((logicalId) => context.names.has(logicalId));
      if (logicalIds.length === 0) continue;
      if (!emulators.isRunning(kind.provision.emulator)) {
        for (const logicalId of logicalIds)
          context.warnings.push(
            `${logicalId} (${type}) is not created: ${kind.provision.emulator} is not running`,
          );
        continue;
      }
      await kind.provision.create(logicalIds, context);
    }
    warnings.push(...context.warnings.map((warning) => `${stack.service}: ${warning}`));
    for (const [name, value] of resolvedExports(stack)) exports.set(name, value);
  }
  await writeFile(generatedIdsFile, JSON.stringify(generatedIds, null, 2));
  warnings.push(...unemulatedResources(stacks.values()));
  return { stacks, warnings };
}

/** Stacks in compose order; exports of earlier stacks are visible to later ones (Fn::ImportValue). */
function buildStacks(packaged: readonly PackagedService[]) {
  const exports = new Map<string, string>();
  const stacks = new Map<string, Stack>();
  for (const service of packaged) {
    const stack = createStack(service.key, `${service.name}-${service.stage}`, service.template, {
      region: LOCAL_REGION,
      exports,
    });
    assignPhysicalNames(stack);
    for (const [name, value] of resolvedExports(stack)) exports.set(name, value);
    stacks.set(service.key, stack);
  }
  return { stacks, exports };
}

async function readJson<T>(path: string, fallback: T): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}
