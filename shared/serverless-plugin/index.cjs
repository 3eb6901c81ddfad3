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
 * - deployPortal: after `sls deploy` of a service with `custom.portal`, builds the portal and uploads
 *   it to the stack's PortalBucket (portal.cjs).
 */
class ServerlessPatternsPlugin {
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log;
    this.hooks = {
      'before:package:finalize': () => this.dropUnusedDefaultRole(),
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

module.exports = ServerlessPatternsPlugin;
