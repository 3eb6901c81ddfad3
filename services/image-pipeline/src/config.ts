import { readString } from '@serverless-patterns/shared/config';

// Read once at cold start, so a missing variable fails the first invocation with its name.
export const config = {
  imagesTableName: readString('IMAGES_TABLE_NAME'),
} as const;
