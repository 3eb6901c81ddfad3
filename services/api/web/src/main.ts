import './styles.css';
import { createApi } from './api';
import { createCart } from './cart';
import { createCognito } from './cognito';
import { loadConfig } from './config';
import { h } from './dom';
import { createIdentityPool } from './identity-pool';
import { NAVIGATION, type NavigationEntry } from './navigation';
import { type Flash, type Page, type PageContext, PRODUCT_NAME, pageTitle } from './page';
import { confirmPage, signInPage, signUpPage } from './pages/auth';
import { matchRoute, parseHash } from './routing';
import { createSession, type Session, type SignedInUser } from './session';
import { createShopClicks } from './shop-clicks';
import { alertBox, busy, describeError } from './ui';

/**
 * The portal: loads its settings, then routes by the URL's hash (#/devices) between its pages. Visitors
 * who are not signed in see the public pages (the shop) and the sign-in pages; the rest ask to sign in.
 */

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
  // POST /clicks on clickstream's API, at its base path on the API's domain.
  const clicks = createShopClicks(`${config.apiBaseUrl}/clicks`);
  const cart = createCart(window.localStorage);
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
    const route = matchRoute(NAVIGATION, path);
    if (user === undefined && signedOutPage === undefined && !route?.entry.public) {
      const wanted = route === undefined ? '' : `?next=${encodeURIComponent(path)}`;
      redirect(`/sign-in${wanted}`);
      return;
    }
    if (user !== undefined && (signedOutPage !== undefined || path === '/')) {
      redirect(NAVIGATION[0]?.path ?? '/devices');
      return;
    }
    const flash = pendingFlash;
    pendingFlash = undefined;
    for (const [name, value] of Object.entries(route?.params ?? {})) params.set(name, value);
    const context: PageContext = {
      api,
      cognito,
      session,
      identityPool,
      clicks,
      cart,
      params,
      flash,
      signal: leaving.signal,
      navigate,
    };
    const entries = visibleEntries(user);
    const entry = route !== undefined && entries.includes(route.entry) ? route.entry : undefined;
    if (signedOutPage !== undefined) {
      const main = h('main', { id: 'main', class: 'auth-main', tabindex: -1 }, signedOutPage(context));
      root.replaceChildren(...shell(undefined, entries, path, main, session));
    } else {
      const content = entry === undefined ? notFound(entries) : entry.page(context);
      const main = h('main', { id: 'main', class: 'main', tabindex: -1 }, content);
      root.replaceChildren(...shell(user, entries, path, main, session));
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

/** The pages a visitor may open: the public ones; once signed in, every one their groups allow. */
function visibleEntries(user: SignedInUser | undefined): NavigationEntry[] {
  if (user === undefined) return NAVIGATION.filter((entry) => entry.public);
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

/**
 * The header (brand, menu, account) above the page's `main`. Signed in: the person's email and Sign
 * out. Not signed in: a Sign in link, except on the sign-in pages themselves.
 */
function shell(
  user: SignedInUser | undefined,
  entries: NavigationEntry[],
  path: string,
  main: HTMLElement,
  session: Pick<Session, 'signOut'>,
): HTMLElement[] {
  // A page without a place in the menu marks its parent's.
  const route = matchRoute(entries, path);
  const current = route?.entry.parent ?? route?.entry.path ?? path;
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
      user === undefined ? signInLink(path) : account(user, session),
    ),
    main,
  ];
}

function account(user: SignedInUser, session: Pick<Session, 'signOut'>): HTMLElement {
  const signOutButton = h('button', { type: 'button', class: 'button quiet' }, 'Sign out');
  signOutButton.addEventListener('click', async () => {
    const restore = busy(signOutButton, 'Signing out…');
    await session.signOut().catch((error: unknown) => {
      restore();
      window.alert(describeError(error).message);
    });
  });
  return h(
    'div',
    { class: 'account' },
    h('span', { class: 'account-email', title: user.email }, user.email),
    signOutButton,
  );
}

/** Back to the page the visitor was on once signed in; nothing on the sign-in pages themselves. */
function signInLink(path: string): HTMLElement {
  if (SIGNED_OUT_PAGES[path] !== undefined) return h('div', { class: 'account' });
  return h(
    'div',
    { class: 'account' },
    h('a', { class: 'button quiet', href: `#/sign-in?next=${encodeURIComponent(path)}` }, 'Sign in'),
  );
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
