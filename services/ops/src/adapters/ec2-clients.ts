import { EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { clientDefaults } from '@serverless-patterns/shared/clients/client-defaults';
import { ec2 as sharedEc2 } from '@serverless-patterns/shared/clients/ec2';
import { sts as sharedSts } from '@serverless-patterns/shared/clients/sts';
import { tracer } from '@serverless-patterns/shared/observability';

/** Where an EC2 call is made: a region, in this account or in the account of an assumed role. */
export interface Ec2Target {
  region: string;
  /** The role to assume first (another account); none for this function's own account. */
  roleArn?: string;
}

/** Renew assumed credentials this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60_000;

/**
 * One EC2 client per (role, region), made once and reused by every invocation of the container. A
 * client for a role signs with credentials from STS AssumeRole, renewed before they expire.
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html
 */
export function createEc2Clients({
  sts = sharedSts,
  homeClient = sharedEc2,
  homeRegion,
  sessionName,
}: {
  sts?: STSClient;
  /** The client of this account in the function's own region. */
  homeClient?: EC2Client;
  homeRegion: string;
  /** Names the role session in the member account's CloudTrail (who revoked the rule). */
  sessionName: string;
}) {
  const clients = new Map<string, EC2Client>();
  return {
    ec2For({ region, roleArn }: Ec2Target): EC2Client {
      if (roleArn === undefined && region === homeRegion) return homeClient;
      const key = `${roleArn ?? ''}|${region}`;
      let client = clients.get(key);
      if (client === undefined) {
        client = tracer.captureAWSv3Client(
          new EC2Client({
            ...clientDefaults,
            region,
            ...(roleArn === undefined ? {} : { credentials: assumedCredentials(sts, roleArn, sessionName) }),
          }),
        );
        clients.set(key, client);
      }
      return client;
    },
  };
}

export type Ec2Clients = ReturnType<typeof createEc2Clients>;

function assumedCredentials(sts: STSClient, roleArn: string, sessionName: string) {
  let current: Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken: string;
    expiration: Date;
  }>;
  let expiresAt = 0;
  return () => {
    if (Date.now() >= expiresAt - RENEW_BEFORE_MS) {
      current = sts
        .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }))
        .then(({ Credentials }) => {
          if (Credentials?.AccessKeyId === undefined || Credentials.SecretAccessKey === undefined) {
            throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
          }
          const expiration = Credentials.Expiration ?? new Date(Date.now() + 15 * 60_000);
          expiresAt = expiration.getTime();
          return {
            accessKeyId: Credentials.AccessKeyId,
            secretAccessKey: Credentials.SecretAccessKey,
            sessionToken: Credentials.SessionToken ?? '',
            expiration,
          };
        });
      current.catch(() => {
        expiresAt = 0;
      });
      expiresAt = Number.MAX_SAFE_INTEGER;
    }
    return current;
  };
}
