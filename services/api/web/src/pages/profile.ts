import type { Profile } from '../api';
import { h } from '../dom';
import type { Page } from '../page';
import { alertBox, describeError, loading, pageLayout } from '../ui';
import { awsCredentialsCard } from './aws-credentials';

/** My profile: who the API says I am (GET /me), my groups, and whether I am an administrator. */

const moment = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const profilePage: Page = (context) => {
  const content = h('div', { 'aria-live': 'polite' });

  const render = (profile: Profile) => {
    const expiresAt = context.session.user()?.expiresAt;
    content.replaceChildren(
      h(
        'section',
        { class: 'card profile' },
        h(
          'div',
          { class: 'profile-head' },
          h('span', { class: 'avatar', 'aria-hidden': 'true' }, (profile.email[0] ?? '?').toUpperCase()),
          h(
            'div',
            {},
            h('p', { class: 'profile-email' }, profile.email || 'No email address'),
            profile.isAdmin && h('span', { class: 'badge badge-admin' }, 'Administrator'),
          ),
        ),
        h(
          'dl',
          { class: 'details' },
          h('dt', {}, 'Groups'),
          h(
            'dd',
            {},
            profile.groups.length === 0
              ? 'None'
              : h(
                  'ul',
                  { class: 'chips' },
                  profile.groups.map((group) => h('li', { class: 'chip' }, group)),
                ),
          ),
          h('dt', {}, 'Role'),
          h('dd', {}, profile.isAdmin ? 'Administrator' : 'Member'),
          h('dt', {}, 'User ID'),
          h('dd', { class: 'mono' }, profile.userId),
          expiresAt !== undefined && [
            h('dt', {}, 'Session'),
            h(
              'dd',
              {},
              `Renewed automatically (current sign-in valid until ${moment.format(new Date(expiresAt))})`,
            ),
          ],
        ),
      ),
    );
  };

  const load = () => {
    content.replaceChildren(loading('Loading your profile…'));
    context.api.profile(context.signal).then(render, (error: unknown) => {
      if (context.signal.aborted) return;
      content.replaceChildren(
        alertBox(
          'error',
          `Your profile could not be loaded. ${describeError(error).message}`,
          h('button', { type: 'button', class: 'button', onclick: load }, 'Try again'),
        ),
      );
    });
  };
  load();

  return pageLayout(
    context.flash,
    'Profile',
    undefined,
    h('div', {}, content, awsCredentialsCard(context.identityPool, context.signal)),
  );
};
