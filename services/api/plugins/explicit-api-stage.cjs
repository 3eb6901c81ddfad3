'use strict';

/**
 * Lets serverless.yml declare the REST API's stage as an AWS::ApiGateway::Stage.
 *
 * osls creates the stage through AWS::ApiGateway::Deployment.StageName, which has no setting for the
 * stage's method throttling and no logical id that other resources (a base-path mapping, a usage plan)
 * could depend on. When the template declares a Stage of the same name, this hook removes StageName
 * from osls's deployment, so that the stage is created once, by the declared resource. The declared
 * stage refers to the deployment as `ApiGatewayDeployment${sls:instanceId}`, the logical id osls gives it.
 *
 * A stack whose stage was created by an earlier deployment must lose that stage first: CloudFormation
 * cannot adopt it ("stage already exists").
 */
class ExplicitApiStagePlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      // After serverless.yml's resources are merged, before the template is written.
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.leaveStageToDeclaredResource(),
    };
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
}

module.exports = ExplicitApiStagePlugin;
