import { readString } from '@serverless-patterns/shared/config';

export const config = {
  apiTableName: readString('API_TABLE_NAME'),
};
