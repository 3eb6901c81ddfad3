import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { clientConfig, readCloudDescription, serviceOf } from '@serverless-patterns/local/testing';

/** Where the tools send: the local cloud of cloud.json, or AWS with the SDK's own configuration. */
export interface Targets {
  firehose: FirehoseClient;
  dynamodb: DynamoDBClient;
  streamName?: string;
  productsTableName?: string;
  /** POST /clicks. */
  clicksUrl?: string;
  /** Where it came from, for the summary. */
  describedBy: string;
}

/**
 * The local cloud's description when there is one (`npm start` writes .local/cloud.json): its
 * endpoints, the clickstream's physical names and the front door. Without it, AWS: the SDK reads
 * credentials, region and any AWS_ENDPOINT_URL_* itself, and the names come from the flags.
 */
export async function targets(cloudFile = resolve('.local', 'cloud.json')): Promise<Targets> {
  if (!existsSync(cloudFile))
    return {
      firehose: new FirehoseClient({}),
      dynamodb: new DynamoDBClient({}),
      describedBy: 'AWS (no cloud.json)',
    };
  const description = await readCloudDescription(cloudFile);
  const clickstream = serviceOf(description, 'clickstream');
  const endpoint = (service: string) => {
    const url = description.endpoints[service];
    if (url === undefined) throw new Error(`${cloudFile} lists no ${service} endpoint`);
    return url;
  };
  return {
    firehose: new FirehoseClient(clientConfig(description, endpoint('firehose'))),
    dynamodb: new DynamoDBClient(clientConfig(description, endpoint('dynamodb'))),
    streamName: clickstream.resource('ClicksDeliveryStream'),
    productsTableName: clickstream.resource('ProductsTable'),
    ...(description.portalUrl ? { clicksUrl: `${description.portalUrl}/clicks` } : {}),
    describedBy: cloudFile,
  };
}
