import { h } from '../dom';
import { type IdentityPool, IdentityPoolError } from '../identity-pool';
import { alertBox, busy, describeError, sentence } from '../ui';

/**
 * The profile's "AWS credentials" card (pattern 1, A and B): the role the identity pool gives this
 * person, shown by calling the IAM-authorized GET /me/credentials-check with SigV4-signed requests,
 * and the admin route that only the admin role may invoke.
 */

interface CredentialsCheck {
  identityId: string;
  role: string;
  authenticationType: string;
}

export function awsCredentialsCard(identityPool: IdentityPool, signal: AbortSignal): HTMLElement | false {
  if (!identityPool.isAvailable()) return false;
  const result = h('div', { 'aria-live': 'polite', 'data-testid': 'aws-credentials-result' });
  const adminResult = h('div', { 'aria-live': 'polite', 'data-testid': 'aws-admin-result' });

  const check = h('button', { type: 'button', class: 'button primary' }, 'Check my AWS credentials');
  check.onclick = async () => {
    const done = busy(check, 'Checking…');
    try {
      const answer = await identityPool.signedGet<CredentialsCheck>('/me/credentials-check', signal);
      const { expiration } = await identityPool.credentials();
      result.replaceChildren(
        h(
          'dl',
          { class: 'details' },
          h('dt', {}, 'Acting as role'),
          h('dd', { class: 'mono', 'data-testid': 'aws-role' }, answer.role),
          h('dt', {}, 'Identity'),
          h('dd', { class: 'mono' }, answer.identityId),
          h('dt', {}, 'Credentials valid until'),
          h('dd', {}, expiration.toLocaleString()),
        ),
      );
    } catch (error) {
      if (!signal.aborted) result.replaceChildren(alertBox('error', messageOf(error)));
    } finally {
      done();
    }
  };

  const tryAdmin = h('button', { type: 'button', class: 'button' }, 'Call the admin route');
  tryAdmin.onclick = async () => {
    const done = busy(tryAdmin, 'Calling…');
    try {
      const answer = await identityPool.signedGet<{ count: number }>('/admin/iam/devices/count', signal);
      adminResult.replaceChildren(alertBox('success', `Allowed: ${answer.count} devices in all.`));
    } catch (error) {
      if (!signal.aborted) {
        adminResult.replaceChildren(alertBox('error', `Refused: ${messageOf(error)}`));
      }
    } finally {
      done();
    }
  };

  return h(
    'section',
    { class: 'card aws-credentials', 'aria-labelledby': 'aws-credentials-heading' },
    h('h2', { id: 'aws-credentials-heading' }, 'AWS credentials'),
    h(
      'p',
      {},
      'The identity pool exchanges your sign-in for temporary AWS credentials of a role chosen by your groups; ' +
        'requests signed with them (SigV4) reach the routes that role may invoke.',
    ),
    h('div', { class: 'alert-actions' }, check, tryAdmin),
    result,
    adminResult,
  );
}

function messageOf(error: unknown): string {
  return error instanceof IdentityPoolError ? sentence(error.message) : describeError(error).message;
}
