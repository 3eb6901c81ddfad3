import type { PortalConfig } from './config';

/**
 * The few Cognito user pool calls the portal needs, over the service's JSON protocol, without the
 * SDK (it would outweigh the rest of the portal).
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/Welcome.html
 */

export interface Tokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
}

/** A refused call: `code` is Cognito's exception name (NotAuthorizedException...) or NetworkError. */
export class CognitoError extends Error {
  override readonly name = 'CognitoError';
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

interface AuthenticationResult {
  IdToken?: string;
  AccessToken?: string;
  RefreshToken?: string;
}

interface InitiateAuthResponse {
  AuthenticationResult?: AuthenticationResult;
  ChallengeName?: string;
}

export interface SignUpResult {
  userConfirmed: boolean;
  /** Where the code went (a masked email address), when Cognito says. */
  destination?: string;
}

export function createCognito(config: Pick<PortalConfig, 'cognitoEndpoint' | 'userPoolClientId'>) {
  const endpoint = new URL(config.cognitoEndpoint, window.location.href).href;
  const clientId = config.userPoolClientId;

  async function call<T>(action: string, body: Record<string, unknown>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': `AWSCognitoIdentityProviderService.${action}`,
        },
        body: JSON.stringify(body),
      });
    } catch (cause) {
      throw new CognitoError(
        'NetworkError',
        'The sign-in service cannot be reached. Check your connection and try again.',
        { cause },
      );
    }
    const text = await response.text();
    let data: Record<string, unknown> = {};
    try {
      data = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      // An HTML error page from a proxy: the status says enough.
    }
    if (!response.ok) {
      // __type is the exception name, sometimes prefixed with a namespace and '#'.
      const type = String(data.__type ?? response.headers.get('x-amzn-errortype') ?? 'UnknownError');
      const code = type.split('#').pop()?.split(':')[0] ?? type;
      const message =
        typeof data.message === 'string' ? data.message : `Sign-in service error (${response.status})`;
      throw new CognitoError(code, message);
    }
    return data as T;
  }

  const tokensFrom = (response: InitiateAuthResponse, refreshToken?: string): Tokens => {
    const result = response.AuthenticationResult;
    if (result?.IdToken === undefined || result.AccessToken === undefined) {
      throw new CognitoError(
        response.ChallengeName ?? 'UnexpectedResponse',
        response.ChallengeName
          ? `This account must complete a sign-in step (${response.ChallengeName}) that this portal does not offer. Contact your administrator.`
          : 'The sign-in service answered without tokens. Try again.',
      );
    }
    const refresh = result.RefreshToken ?? refreshToken;
    if (refresh === undefined) throw new CognitoError('UnexpectedResponse', 'No refresh token was issued.');
    return { idToken: result.IdToken, accessToken: result.AccessToken, refreshToken: refresh };
  };

  return {
    async signUp(email: string, password: string): Promise<SignUpResult> {
      const result = await call<{ UserConfirmed?: boolean; CodeDeliveryDetails?: { Destination?: string } }>(
        'SignUp',
        {
          ClientId: clientId,
          Username: email,
          Password: password,
          UserAttributes: [{ Name: 'email', Value: email }],
        },
      );
      const destination = result.CodeDeliveryDetails?.Destination;
      return { userConfirmed: result.UserConfirmed === true, ...(destination ? { destination } : {}) };
    },

    async confirmSignUp(email: string, code: string): Promise<void> {
      await call('ConfirmSignUp', { ClientId: clientId, Username: email, ConfirmationCode: code });
    },

    async resendConfirmationCode(email: string): Promise<void> {
      await call('ResendConfirmationCode', { ClientId: clientId, Username: email });
    },

    async signIn(email: string, password: string): Promise<Tokens> {
      const response = await call<InitiateAuthResponse>('InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: email, PASSWORD: password },
      });
      return tokensFrom(response);
    },

    /** New ID and access tokens; Cognito keeps the refresh token unless rotation is on. */
    async refresh(refreshToken: string): Promise<Tokens> {
      const response = await call<InitiateAuthResponse>('InitiateAuth', {
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      });
      return tokensFrom(response, refreshToken);
    },

    /** Revokes the refresh token, and the tokens issued with it. */
    async revoke(refreshToken: string): Promise<void> {
      await call('RevokeToken', { ClientId: clientId, Token: refreshToken });
    },
  };
}

export type Cognito = ReturnType<typeof createCognito>;
