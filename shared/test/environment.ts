// Loaded by mocha before any suite (.mocharc.json): what serverless.common.yml gives every function in
// AWS, so that Powertools in the code under test is configured as it is there.
process.env.POWERTOOLS_SERVICE_NAME ??= 'serverless-patterns-test';
process.env.POWERTOOLS_METRICS_NAMESPACE ??= 'serverless-patterns/test';
