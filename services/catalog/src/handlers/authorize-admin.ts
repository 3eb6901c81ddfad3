// The authorizer lives in shared, the same code for every service; declaring it here by name lets
// serverless-offline run it (it cannot follow an authorizer ARN into another stack).
export { handler } from '@serverless-patterns/shared/authorizers/admin/handler';
