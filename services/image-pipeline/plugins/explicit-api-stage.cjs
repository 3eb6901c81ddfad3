'use strict';

// The api service's plugin, which lets serverless.yml declare the stage (ApiGatewayStage) that carries
// the stage's throttling. osls takes plugin paths inside the service folder only, hence this re-export;
// the plugin's place is the shared plugin (@serverless-patterns/serverless-plugin), with every service
// that declares its stage.
module.exports = require('../../api/plugins/explicit-api-stage.cjs');
