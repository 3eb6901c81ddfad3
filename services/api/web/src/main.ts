import './styles.css';
import { createApi } from './api';
import { createCognito } from './cognito';
import { loadConfig } from './config';
import { h } from './dom';
import { createIdentityPool } from './identity-pool';
import { NAVIGATION, type NavigationEntry } from './navigation';
import { type Flash, type Page, type PageContext, PRODUCT_NAME, pageTitle } from './page';
import { confirmPage, signInPage, signUpPage } from './pages/auth';
import { createSession, type SignedInUser } from './session';
import { alertBox, busy, describeError } from './ui';

/** The portal: loads its settings, then routes by the URL's hash (#/devices) between its pages. */

const ADMIN_GROUP = 'admins';

/** The pages of people who are not signed in. */
const SIGNED_OUT_PAGES: Readonly<Record<string, Page>> = {
  '/sign-in': signInPage,
  '/sign-up': signUpPage,
  '/confirm': confirmPage,
};

const root = document.getElementById('app') as HTMLElement;

async function start(): Promise<void> {
  let config: Awaited<ReturnType<typeof loadConfig>>;
  try {
    config = await loadConfig();
  } catch (error) {
    root.replaceChildren(
      h(
        'main',
        { class: 'auth-main' },
        brand(),
        alertBox(
          'error',
          error instanceof Error ? error.message : String(error),
          h(
            'button',
            { type: 'button', class: 'button', onclick: () => window.location.reload() },
            'Try again',
          ),
        ),
      ),
    );
    return;
  }
  const cognito = createCognito(config);
  const session = createSession(cognito);
  const api = createApi(config, session);
  const identityPool = createIdentityPool(config, session);
  let pendingFlash: Flash | undefined;
  let leaving = new AbortController();

  const navigate = (path: string, flash?: Flash) => {
    pendingFlash = flash;
    if (window.location.hash === `#${path}`) render();
    else window.location.hash = path;
  };
  const redirect = (path: string) => {
    window.history.replaceState(null, '', `#${path}`);
    render();
  };

  const render = () => {
    leaving.abort();
    leaving = new AbortController();
    const { path, params } = parseHash(window.location.hash);
    const user = session.user();
    const signedOutPage = SIGNED_OUT_PAGES[path];
    if (user === undefined && signedOutPage === undefined) {
      const wanted = NAVIGATION.some((entry) => entry.path === path)
        ? `?next=${encodeURIComponent(path)}`
        : '';
      redirect(`/sign-in${wanted}`);
      return;
    }
    if (user !== undefined && (signedOutPage !== undefined || path === '/')) {
      redirect(NAVIGATION[0]?.path ?? '/devices');
      return;
    }
    const flash = pendingFlash;
    pendingFlash = undefined;
    const context: PageContext = {
      api,
      cognito,
      session,
      identityPool,
      params,
      flash,
      signal: leaving.signal,
      navigate,
    };
    if (user === undefined) {
      root.replaceChildren(
        h('main', { id: 'main', class: 'auth-main' }, brand(), (signedOutPage as Page)(context)),
      );
    } else {
      const entries = visibleEntries(user);
      const entry = entries.find((candidate) => candidate.path === path);
      const content = entry === undefined ? notFound(entries) : entry.page(context);
      root.replaceChildren(...shell(user, entries, path, content, () => session.signOut()));
    }
    const heading = root.querySelector('h1');
    document.title = pageTitle(heading?.textContent ?? PRODUCT_NAME);
    heading?.focus();
  };

  session.onChange((end) => {
    if (end === 'signed-out') navigate('/sign-in', { kind: 'success', message: 'You have signed out.' });
    if (end === 'expired')
      navigate('/sign-in', { kind: 'error', message: 'Your session has ended. Sign in again.' });
  });
  window.addEventListener('hashchange', render);
  render();
}

function parseHash(hash: string): { path: string; params: URLSearchParams } {
  const route = hash.replace(/^#/, '') || '/';
  const queryAt = route.indexOf('?');
  return queryAt === -1
    ? { path: route, params: new URLSearchParams() }
    : { path: route.slice(0, queryAt), params: new URLSearchParams(route.slice(queryAt + 1)) };
}

function visibleEntries(user: SignedInUser): NavigationEntry[] {
  return NAVIGATION.filter((entry) => !entry.adminOnly || user.groups.includes(ADMIN_GROUP));
}

function brand(): HTMLElement {
  return h(
    'a',
    { class: 'brand', href: '#/' },
    h('span', { class: 'brand-mark', 'aria-hidden': 'true' }),
    h('span', {}, PRODUCT_NAME),
  );
}

function shell(
  user: SignedInUser,
  entries: NavigationEntry[],
  path: string,
  content: HTMLElement,
  signOut: () => Promise<void>,
): HTMLElement[] {
  // A page without a place in the menu marks its parent's.
  const current = entries.find((entry) => entry.path === path)?.parent ?? path;
  const signOutButton = h('button', { type: 'button', class: 'button quiet' }, 'Sign out');
  signOutButton.addEventListener('click', async () => {
    const restore = busy(signOutButton, 'Signing out…');
    await signOut().catch((error: unknown) => {
      restore();
      window.alert(describeError(error).message);
    });
  });
  return [
    h('a', { class: 'skip', href: '#main', onclick: skipToContent }, 'Skip to content'),
    h(
      'header',
      { class: 'topbar' },
      brand(),
      h(
        'nav',
        { class: 'nav', 'aria-label': 'Main' },
        h(
          'ul',
          {},
          entries
            .filter((entry) => entry.parent === undefined)
            .map((entry) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: `#${entry.path}`, 'aria-current': entry.path === current ? 'page' : undefined },
                  entry.label,
                ),
              ),
            ),
        ),
      ),
      h(
        'div',
        { class: 'account' },
        h('span', { class: 'account-email', title: user.email }, user.email),
        signOutButton,
      ),
    ),
    h('main', { id: 'main', class: 'main', tabindex: -1 }, content),
  ];
}

/** The hash is the router's: move focus to the content instead of following the link. */
function skipToContent(event: Event): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

function notFound(entries: NavigationEntry[]): HTMLElement {
  const home = entries[0];
  return h(
    'div',
    { class: 'page' },
    h('h1', { tabindex: -1 }, 'Page not found'),
    h(
      'p',
      {},
      'This page does not exist. ',
      home && h('a', { href: `#${home.path}` }, `Go to ${home.label.toLowerCase()}`),
    ),
  );
}

void start();
