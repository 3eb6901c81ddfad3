import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const eventBridge = tracer.captureAWSv3Client(new EventBridgeClient({ ...clientDefaults }));
