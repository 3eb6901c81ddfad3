import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { rekognition } from '@serverless-patterns/shared/clients/rekognition';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { createImagesBucket } from './adapters/images-bucket';
import { createImagesTable } from './adapters/images-table';
import { createLabelDetector } from './adapters/label-detector';
import { labelsConfig, tableConfig } from './config';
import { createImageWorkflow } from './core/workflow';

/** The workflow steps every state machine task uses, built once per execution environment. */
export const imageWorkflow = createImageWorkflow({
  objects: createImagesBucket({ client: s3 }),
  images: createImagesTable({ client: documentClient, tableName: tableConfig().imagesTableName }),
  detector: labelsConfig().labelDetection ? createLabelDetector({ client: rekognition }) : undefined,
  clock: () => new Date(),
});
