import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const cognito = tracer.captureAWSv3Client(new CognitoIdentityProviderClient({ ...clientDefaults }));
