import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { createImagesBucket } from './adapters/images-bucket';
import { createImagesTable } from './adapters/images-table';
import { routesConfig } from './config';
import { createGallery } from './core/gallery';

const config = routesConfig();

/** The gallery every route uses, built once per execution environment. */
export const gallery = createGallery({
  images: createImagesTable({ client: documentClient, tableName: config.imagesTableName }),
  objects: createImagesBucket({ client: s3 }),
  bucket: config.imagesBucketName,
  clock: () => new Date(),
});
