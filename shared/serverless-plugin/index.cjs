'use strict';

const { readdirSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
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
 * - foldConstantConditions: stage parameters are resolved when a service is packaged, so a condition
 *   such as `Fn::Equals: ['', '']` (no custom domain) is known then. The template keeps only what the
 *   stage deploys: resources and outputs of a false condition go, Fn::If takes its branch, and the
 *   condition itself goes (cfn-lint W8003 flags conditions that compare two constants, and E3013 the
 *   empty domain name of a resource that would never be created).
 * - leaveStageToDeclaredResource: osls creates a REST API's stage through
 *   AWS::ApiGateway::Deployment.StageName, which has no setting for the stage's method throttling or
 *   access logs and no logical id that other resources (a base-path mapping) could depend on. When
 *   serverless.yml declares an AWS::ApiGateway::Stage of that name on osls's deployment
 *   (`ApiGatewayDeployment${sls:instanceId}`), StageName is removed from the deployment, so that the
 *   stage is created once, by the declared resource. A stack whose stage an earlier deployment created
 *   must lose that stage first: CloudFormation cannot adopt it ("stage already exists").
 * - dropRedundantDependsOn: plugins (serverless-iam-roles-per-function among them) add DependsOn
 *   entries that a Ref or Fn::GetAtt in the same resource already implies; CloudFormation orders
 *   those by itself, and cfn-lint flags each one (W3005).
 *   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
 * - provisionLiveAliases: with `custom.liveProvisionedConcurrency` above 0, every `Live` alias that
 *   serverless-plugin-canary-deployments creates keeps that many execution environments initialised
 *   (ProvisionedConcurrencyConfig). On the alias, not the function, so that a canary release shifts
 *   warm traffic; 0 (the default) leaves the aliases as they are.
 * - useDeploymentRoleFromEnvironment: with CLOUDFORMATION_EXECUTION_ROLE_ARN set (the delivery pipeline's
 *   deploy project sets it, pipeline/pipeline.yml), CloudFormation creates and updates the stack with that
 *   role (osls's provider.iam.deploymentRole) instead of the deployer's own permissions. Set in the
 *   environment rather than in serverless.yml so that a person deploying by hand needs nothing.
 * - deployPortal: after `sls deploy` of a service with `custom.portal`, builds the portal and uploads
 *   it to the stack's PortalBucket (portal.cjs).
 * - removeZipStaging: serverless-esbuild (1.57.2) copies each function's files into a directory under
 *   the OS temp folder to zip them, and never removes it: the removal is not recursive and its error is
 *   swallowed (https://github.com/floydspace/serverless-esbuild/pull/589, closed unmerged). That is one
 *   directory per function per packaging (550 KB for the api's getDevice); this project's development
 *   machine had 4,540 of them (0.8 GB) after two days of test runs. The directories this process staged
 *   are removed once the zips are written.
 */
class ServerlessPatternsPlugin {
  constructor(serverless, _options, utils) {
    this.serverless = serverless;
    this.log = utils?.log;
    this.hooks = {
      // After the `resources` section of serverless.yml is merged in, before the template is written.
      'before:aws:package:finalize:saveServiceState': () => {
        this.dropUnusedDefaultRole();
        this.provisionLiveAliases();
        this.leaveStageToDeclaredResource();
        foldConstantConditions(this.serverless.service.provider.compiledCloudFormationTemplate);
        this.dropRedundantDependsOn();
      },
      'before:offline:start:init': () => this.resolveEnvironmentForOffline(),
      'before:offline:start': () => this.resolveEnvironmentForOffline(),
      'before:deploy:deploy': () => this.useDeploymentRoleFromEnvironment(),
      'before:remove:remove': () => this.useDeploymentRoleFromEnvironment(),
      'after:deploy:deploy': () => deployPortal(this.serverless, this.log),
      'after:package:createDeploymentArtifacts': () => removeZipStaging(),
      'after:deploy:function:packageFunction': () => removeZipStaging(),
    };
  }

  provisionLiveAliases() {
    const count = Number(this.serverless.service.custom?.liveProvisionedConcurrency ?? 0);
    if (!Number.isInteger(count) || count < 0)
      throw new Error(`liveProvisionedConcurrency must be a whole number, got ${count}`);
    if (count === 0) return;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type === 'AWS::Lambda::Alias' && resource.Properties?.Name === 'Live')
        resource.Properties.ProvisionedConcurrencyConfig = { ProvisionedConcurrentExecutions: count };
    }
  }

  useDeploymentRoleFromEnvironment() {
    const role = process.env.CLOUDFORMATION_EXECUTION_ROLE_ARN;
    if (!role) return;
    const { provider } = this.serverless.service;
    provider.iam = { ...provider.iam, deploymentRole: role };
  }

  dropUnusedDefaultRole() {
    const provider = this.serverless.getProvider('aws');
    const roleId = provider.naming.getRoleLogicalId();
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    if (!resources[roleId]) return;
    const { [roleId]: _role, ...others } = resources;
    if (!JSON.stringify(others).includes(`"${roleId}"`)) delete resources[roleId];
  }

  leaveStageToDeclaredResource() {
    const naming = this.serverless.getProvider('aws').naming;
    const { Resources } = this.serverless.service.provider.compiledCloudFormationTemplate;
    const deploymentId = naming.generateApiGatewayDeploymentLogicalId(this.serverless.instanceId);
    const deployment = Resources[deploymentId];
    const stageName = deployment?.Properties?.StageName;
    if (stageName === undefined) return;
    const declared = Object.values(Resources).some(
      (resource) =>
        resource.Type === 'AWS::ApiGateway::Stage' &&
        resource.Properties?.StageName === stageName &&
        resource.Properties?.DeploymentId?.Ref === deploymentId,
    );
    if (declared) delete deployment.Properties.StageName;
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

const NO_VALUE = Symbol('AWS::NoValue');

/**
 * Folds the conditions whose value is known (Fn::Equals of two literals, and Fn::Not, Fn::And, Fn::Or
 * and Condition over those). Conditions that depend on a Ref or a parameter stay as they are.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/conditions-section-structure.html
 */
function foldConstantConditions(template) {
  const conditions = template.Conditions ?? {};
  const known = new Map();
  const evaluate = (expression) => {
    if (expression === null || typeof expression !== 'object') return expression;
    const [[operator, operands]] = Object.entries(expression);
    if (operator === 'Condition') return conditionValue(operands);
    const values = [operands].flat().map(evaluate);
    if (values.some((value) => value === undefined)) return undefined;
    if (operator === 'Fn::Equals') return String(values[0]) === String(values[1]);
    if (operator === 'Fn::Not') return !values[0];
    if (operator === 'Fn::And') return values.every(Boolean);
    if (operator === 'Fn::Or') return values.some(Boolean);
    return undefined;
  };
  const conditionValue = (name) => {
    if (!known.has(name)) {
      known.set(name, undefined);
      known.set(name, conditions[name] === undefined ? undefined : evaluate(conditions[name]));
    }
    return known.get(name);
  };
  for (const name of Object.keys(conditions)) conditionValue(name);
  const constant = (name) => typeof known.get(name) === 'boolean';
  if (![...known.keys()].some(constant)) return;

  const fold = (value) => {
    if (Array.isArray(value)) return value.map(fold).filter((item) => item !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const ifOperands = value['Fn::If'];
    if (Object.keys(value).length === 1 && Array.isArray(ifOperands) && constant(ifOperands[0])) {
      return fold(known.get(ifOperands[0]) ? ifOperands[1] : ifOperands[2]);
    }
    if (Object.keys(value).length === 1 && value.Ref === 'AWS::NoValue') return NO_VALUE;
    const folded = {};
    for (const [key, inner] of Object.entries(value)) {
      const result = fold(inner);
      if (result !== NO_VALUE) folded[key] = result;
    }
    return folded;
  };
  for (const section of ['Resources', 'Outputs']) {
    const entries = template[section] ?? {};
    for (const [id, entry] of Object.entries(entries)) {
      if (entry.Condition === undefined || !constant(entry.Condition)) continue;
      if (known.get(entry.Condition)) delete entry.Condition;
      else delete entries[id];
    }
  }
  for (const section of ['Resources', 'Outputs']) {
    if (template[section] !== undefined) template[section] = fold(template[section]);
  }
  // A condition another (unknown) condition still names stays; the others have served.
  const stillNamed = JSON.stringify({
    Conditions: template.Conditions,
    Resources: template.Resources,
    Outputs: template.Outputs,
  });
  for (const name of Object.keys(conditions)) {
    if (
      constant(name) &&
      !stillNamed.includes(`"Condition":"${name}"`) &&
      !stillNamed.includes(`"Fn::If":["${name}"`)
    ) {
      delete conditions[name];
    }
  }
  if (template.Conditions !== undefined && Object.keys(template.Conditions).length === 0)
    delete template.Conditions;
  const remaining = new Set(Object.keys(template.Resources ?? {}));
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.DependsOn === undefined) continue;
    const kept = [resource.DependsOn].flat().filter((id) => remaining.has(id));
    if (kept.length === 0) delete resource.DependsOn;
    else resource.DependsOn = kept;
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

/**
 * Removes the zip staging directories serverless-esbuild left in `folder`: it names each
 * `<zip name>-<process id>-<milliseconds>-<8 hex digits>`, so the process id keeps another process's
 * directories (a packaging running beside this one) out of reach.
 */
function removeZipStaging(folder = tmpdir(), processId = process.pid) {
  const staged = new RegExp(`^.+-${processId}-\\d+-[0-9a-f]{8}$`);
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    if (entry.isDirectory() && staged.test(entry.name))
      rmSync(join(folder, entry.name), { recursive: true, force: true });
  }
}

module.exports = ServerlessPatternsPlugin;
module.exports.removeZipStaging = removeZipStaging;
module.exports.referencedLogicalIds = referencedLogicalIds;
module.exports.foldConstantConditions = foldConstantConditions;
