// The authorizer lives in shared, the same code for every service; declaring it here by name lets
// serverless-offline run it (it cannot follow an authorizer ARN into another stack). It reads the token
// items of the api stack's table (DEVICE_TOKENS_TABLE, from that stack's ApiTableName export).
export { handler } from '@serverless-patterns/shared/authorizers/device/handler';
