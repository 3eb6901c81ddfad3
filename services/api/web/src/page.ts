import type { Api } from './api';
import type { Cart } from './cart';
import type { Cognito } from './cognito';
import type { IdentityPool } from './identity-pool';
import type { Session } from './session';
import type { ShopClicks } from './shop-clicks';

/** A message carried to the next page: "Your email is confirmed", "You have signed out". */
export interface Flash {
  kind: 'success' | 'info' | 'error';
  message: string;
}

export interface PageContext {
  api: Api;
  cognito: Cognito;
  session: Session;
  /** Temporary AWS credentials of the person's role, and requests to IAM-authorized routes. */
  identityPool: IdentityPool;
  /** The shop's click beacons (page views, product views, adds to cart), batched to POST /clicks. */
  clicks: ShopClicks;
  /** The shop's cart, kept in this browser. */
  cart: Cart;
  /** The route's query: #/confirm?email=... */
  params: URLSearchParams;
  flash: Flash | undefined;
  /** Aborted when the user leaves the page: requests still running are cancelled. */
  signal: AbortSignal;
  navigate(path: string, flash?: Flash): void;
}

/** A page renders itself into the element it returns, and keeps it up to date. */
export type Page = (context: PageContext) => HTMLElement;

/** The product's name, as the header and the document titles show it (index.html has it too). */
export const PRODUCT_NAME = 'Thermostat Cloud';

/** The document title of a page: its heading, then the product. */
export function pageTitle(heading: string): string {
  return heading === PRODUCT_NAME ? heading : `${heading} · ${PRODUCT_NAME}`;
}
