import { defineConfig, readString } from '@serverless-patterns/shared/config';

/** Every setting of the service, each read when the composition first uses it (at cold start). */
export const config = defineConfig({
  apiTableName: () => readString('API_TABLE_NAME'),
});
