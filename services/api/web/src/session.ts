import type { Cognito, Tokens } from './cognito';

/**
 * The signed-in person's tokens, kept in sessionStorage (this tab only, gone when it closes) and
 * renewed with the refresh token a minute before the ID token expires.
 */

export interface SignedInUser {
  userId: string;
  email: string;
  groups: string[];
  /** When the current ID token expires (ms since the epoch). */
  expiresAt: number;
}

export type SessionEnd = 'signed-out' | 'expired';

const STORAGE_KEY = 'portal.session';
const RENEW_BEFORE_MS = 60_000;
// However wrong the clock, never renew more often than this.
const MIN_RENEWAL_DELAY_MS = 5_000;

/** The tokens and when the ID token expires by this browser's clock (its lifetime counted from receipt). */
interface StoredTokens extends Tokens {
  expiresAt: number;
}

export function createSession(cognito: Cognito, storage: Storage = window.sessionStorage) {
  let tokens = readStored(storage);
  let renewal: Promise<string> | undefined;
  let timer: number | undefined;
  const listeners = new Set<(end?: SessionEnd) => void>();

  const notify = (end?: SessionEnd) => {
    for (const listener of listeners) listener(end);
  };

  const store = (next: Tokens | undefined) => {
    tokens = next && { ...next, expiresAt: Date.now() + lifetimeMs(next.idToken) };
    if (tokens === undefined) storage.removeItem(STORAGE_KEY);
    else storage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    scheduleRenewal();
  };

  const scheduleRenewal = () => {
    window.clearTimeout(timer);
    if (tokens === undefined) return;
    const delay = Math.max(MIN_RENEWAL_DELAY_MS, tokens.expiresAt - Date.now() - RENEW_BEFORE_MS);
    timer = window.setTimeout(() => void renew().catch(() => undefined), delay);
  };

  const end = (why: SessionEnd) => {
    store(undefined);
    notify(why);
  };

  /** Renews the tokens once, however many callers ask at the same time. */
  const renew = (): Promise<string> => {
    const current = tokens;
    if (current === undefined) return Promise.reject(new Error('Not signed in'));
    renewal ??= cognito
      .refresh(current.refreshToken)
      .then(
        (next) => {
          store(next);
          return next.idToken;
        },
        (error: unknown) => {
          // A refused refresh token (revoked, expired) ends the session; a network error does not.
          if ((error as { code?: string }).code !== 'NetworkError') end('expired');
          throw error;
        },
      )
      .finally(() => {
        renewal = undefined;
      });
    return renewal;
  };

  // Timers sleep in background tabs: check again when the tab comes back.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') scheduleRenewal();
  });
  scheduleRenewal();

  return {
    user(): SignedInUser | undefined {
      return tokens && userFrom(tokens);
    },

    async signIn(email: string, password: string): Promise<void> {
      store(await cognito.signIn(email, password));
      notify();
    },

    async signOut(): Promise<void> {
      const refreshToken = tokens?.refreshToken;
      end('signed-out');
      // Revoking is a courtesy to the server: the tokens are already gone from this tab.
      if (refreshToken !== undefined) await cognito.revoke(refreshToken).catch(() => undefined);
    },

    /** A valid ID token for the API, renewed first when it is about to expire. */
    async idToken(): Promise<string> {
      if (tokens === undefined) throw new Error('Not signed in');
      if (tokens.expiresAt - Date.now() < RENEW_BEFORE_MS) return renew();
      return tokens.idToken;
    },

    /** After the API refused the token: renew it once; the caller retries with the new one. */
    renew,

    /** Ends the session because the API keeps refusing it. */
    expire(): void {
      end('expired');
    },

    /** Called on sign-in (no argument) and when the session ends (why). */
    onChange(listener: (end?: SessionEnd) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export type Session = ReturnType<typeof createSession>;

function readStored(storage: Storage): StoredTokens | undefined {
  try {
    const value = JSON.parse(storage.getItem(STORAGE_KEY) ?? 'null') as Partial<StoredTokens> | null;
    if (
      typeof value?.idToken === 'string' &&
      typeof value.refreshToken === 'string' &&
      typeof value.expiresAt === 'number' &&
      claimsOf(value.idToken) !== undefined
    ) {
      return value as StoredTokens;
    }
  } catch {
    // Unreadable: start signed out.
  }
  return undefined;
}

/**
 * The ID token's claims. The token is not verified here: the API's authorizer does that; the portal
 * only reads what it was given, to show who is signed in.
 */
function claimsOf(idToken: string): Record<string, unknown> | undefined {
  try {
    const payload = idToken.split('.')[1] ?? '';
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
    const claims = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    return typeof claims.sub === 'string' ? claims : undefined;
  } catch {
    return undefined;
  }
}

/** How long the ID token lives (exp - iat): counted from receipt, so a wrong clock cannot shorten it. */
function lifetimeMs(idToken: string): number {
  const claims = claimsOf(idToken);
  const { exp, iat } = claims ?? {};
  return typeof exp === 'number' && typeof iat === 'number' && exp > iat ? (exp - iat) * 1000 : 0;
}

function userFrom(tokens: StoredTokens): SignedInUser | undefined {
  const claims = claimsOf(tokens.idToken);
  if (claims === undefined) return undefined;
  const groups = claims['cognito:groups'];
  return {
    userId: String(claims.sub),
    email: typeof claims.email === 'string' ? claims.email : '',
    groups: Array.isArray(groups) ? groups.map(String) : [],
    expiresAt: tokens.expiresAt,
  };
}
