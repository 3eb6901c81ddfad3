/**
 * Who signed a request, as CloudTrail's `userIdentity` says it, from the access key in its signature.
 * The local cloud has no IAM: the local credentials are an IAM user of the default account named after
 * its access key, and credentials that STS AssumeRole handed out (seen as they pass through the proxy)
 * are that role's session in the role's account, as in AWS.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html
 */

export interface CallerIdentity {
  type: 'IAMUser' | 'AssumedRole';
  principalId: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
  userName?: string;
  sessionContext?: Record<string, unknown>;
}

export interface AssumedRoleSession {
  accessKeyId: string;
  /** arn:aws:sts::<account>:assumed-role/<role>/<session> */
  assumedRoleArn: string;
  /** <role id>:<session> */
  assumedRoleId: string;
  createdAt: string;
}

/** The access key id and region of a SigV4 `Authorization` header: `Credential=<key>/<date>/<region>/<service>/aws4_request`. */
export function signatureScopeOf(authorization: string | undefined): { accessKeyId: string; region: string } {
  const match = /Credential=([^/,\s]+)\/\d{8}\/([^/]+)\//.exec(authorization ?? '');
  return { accessKeyId: match?.[1] ?? 'anonymous', region: match?.[2] ?? 'us-east-1' };
}

export function createCallers(defaultAccountId: string) {
  const sessions = new Map<string, AssumedRoleSession>();
  return {
    /** Remembers credentials AssumeRole handed out, so that calls signed with them are the role's. */
    learn(session: AssumedRoleSession) {
      sessions.set(session.accessKeyId, session);
    },
    /** The account a call signed with this key acts in (moto keeps each account's resources apart). */
    accountOf(accessKeyId: string): string {
      const session = sessions.get(accessKeyId);
      return session === undefined ? defaultAccountId : accountOfArn(session.assumedRoleArn);
    },
    identityOf(accessKeyId: string): CallerIdentity {
      const session = sessions.get(accessKeyId);
      if (session === undefined) {
        return {
          type: 'IAMUser',
          principalId: `AIDA${accessKeyId.toUpperCase()}`,
          arn: `arn:aws:iam::${defaultAccountId}:user/${accessKeyId}`,
          accountId: defaultAccountId,
          accessKeyId,
          userName: accessKeyId,
        };
      }
      const accountId = accountOfArn(session.assumedRoleArn);
      // arn:aws:sts::<account>:assumed-role/<role>/<session>
      const roleName = session.assumedRoleArn.split('/')[1] ?? '';
      const roleId = session.assumedRoleId.split(':')[0] ?? session.assumedRoleId;
      return {
        type: 'AssumedRole',
        principalId: session.assumedRoleId,
        arn: session.assumedRoleArn,
        accountId,
        accessKeyId,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: roleId,
            arn: `arn:aws:iam::${accountId}:role/${roleName}`,
            accountId,
            userName: roleName,
          },
          webIdFederationData: {},
          attributes: { creationDate: session.createdAt, mfaAuthenticated: 'false' },
        },
      };
    },
  };
}

export type Callers = ReturnType<typeof createCallers>;

function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}
