// Loaded into each serverless-offline process (node --import) to correct one difference from
// API Gateway that the platform relies on: serverless-offline 14 builds an authorizer's methodArn
// from the route template (/devices/{deviceId}/telemetry) where API Gateway uses the request's
// path (/devices/d-42/telemetry), so a policy scoped to one device's route could never match.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-input.html
import { registerHooks } from 'node:module';

const TARGET = '/serverless-offline/src/events/http/createAuthScheme.js';
const TEMPLATE_PATH = 'const resourcePath = request.route.path.replace(';
const REQUEST_PATH = 'const resourcePath = request.path.replace(';

registerHooks({
  load(url, context, nextLoad) {
    const loaded = nextLoad(url, context);
    if (!url.endsWith(TARGET)) return loaded;
    const source = String(loaded.source);
    if (!source.includes(TEMPLATE_PATH)) {
      process.emitWarning(
        `serverless-offline changed: ${TARGET} no longer builds methodArn from the route template`,
      );
      return loaded;
    }
    return { ...loaded, source: source.replace(TEMPLATE_PATH, REQUEST_PATH) };
  },
});
