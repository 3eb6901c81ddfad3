'use strict';

const { readFileSync } = require('node:fs');
const { deployPortal } = require('./portal.cjs');

/**
 * Build-time hooks every service loads:
 * - dropUnusedDefaultRole: osls always compiles the shared IamRoleLambdaExecution role, even when
 *   every function has its own (serverless-iam-roles-per-function). An unattached role holding
 *   every function's permissions is what one-role-per-function avoids, so it is removed once
 *   nothing refers to it.
 * - resolveEnvironmentForOffline: serverless-offline cannot evaluate CloudFormation references
 *   such as `{ Ref: Table }` in function environments. The local cloud resolves them from the
 *   packaged template and passes the values in a file named by RESOLVED_ENVIRONMENT_FILE; this
 *   hook runs only for `sls offline` and never touches a deployment.
 * - dropRedundantDependsOn: plugins (serverless-iam-roles-per-function among them) add DependsOn
 *   entries that a Ref or Fn::GetAtt in the same resource already implies; CloudFormation orders
 *   those by itself, and cfn-lint flags each one (W3005).
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
 * - deployPortal: after `sls deploy` of a service with `custom.portal`, builds the portal and uploads
 *   it to the stack's PortalBucket (portal.cjs).
 */
class ServerlessPatternsPlugin {
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log;
    this.hooks = {
      'before:package:finalize': () => {
        this.dropUnusedDefaultRole();
        this.dropRedundantDependsOn();
      },
      'before:offline:start:init': () => this.resolveEnvironmentForOffline(),
      'before:offline:start': () => this.resolveEnvironmentForOffline(),
      'after:deploy:deploy': () => deployPortal(this.serverless, this.log),
    };
  }

  dropUnusedDefaultRole() {
    const provider = this.serverless.getProvider('aws');
    const roleId = provider.naming.getRoleLogicalId();
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    if (!resources[roleId]) return;
    const { [roleId]: _role, ...others } = resources;
    if (!JSON.stringify(others).includes(`"${roleId}"`)) delete resources[roleId];
  }

  dropRedundantDependsOn() {
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.DependsOn === undefined) continue;
      const referenced = referencedLogicalIds(resource.Properties);
      const kept = [resource.DependsOn].flat().filter((id) => !referenced.has(id));
      if (kept.length === 0) delete resource.DependsOn;
      else resource.DependsOn = kept;
    }
  }

  resolveEnvironmentForOffline() {
    const file = process.env.RESOLVED_ENVIRONMENT_FILE;
    if (!file) return;
    const resolved = JSON.parse(readFileSync(file, 'utf8'));
    const { service } = this.serverless;
    // Provider-level variables are already part of each function's resolved set.
    service.provider.environment = {};
    for (const functionKey of service.getAllFunctions()) {
      const definition = service.getFunction(functionKey);
      const variables = resolved[definition.name];
      if (variables) definition.environment = variables;
    }
  }
}

/** Logical ids a value refers to through Ref, Fn::GetAtt or Fn::Sub's ${Id} and ${Id.Attribute}. */
function referencedLogicalIds(value, found = new Set()) {
  if (Array.isArray(value)) {
    for (const item of value) referencedLogicalIds(item, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') found.add(inner);
      else if (key === 'Fn::GetAtt') found.add(Array.isArray(inner) ? inner[0] : String(inner).split('.')[0]);
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const [, id] of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g))
          found.add(id);
      }
      referencedLogicalIds(inner, found);
    }
  }
  return found;
}

module.exports = ServerlessPatternsPlugin;
module.exports.referencedLogicalIds = referencedLogicalIds;
