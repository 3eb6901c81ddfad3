import { readString } from '@serverless-patterns/shared/config';

export const config = {
  catalogTableName: readString('CATALOG_TABLE_NAME'),
};
