import type { Page } from './page';
import { devicesPage } from './pages/devices';
import { imagesPage } from './pages/images';
import { profilePage } from './pages/profile';

export interface NavigationEntry {
  /** The hash route: '/devices' is #/devices. */
  path: string;
  label: string;
  page: Page;
  /** Shown only to members of the admins group (the API enforces it again). */
  adminOnly?: boolean;
}

/**
 * The signed-in portal's pages, in menu order: the menu shows exactly these. A service's page joins
 * with one entry when its API lands: Telemetry (clickstream, /clicks), Catalog (catalog, /catalog),
 * Ops (ops, /ops, adminOnly).
 */
export const NAVIGATION: readonly NavigationEntry[] = [
  { path: '/devices', label: 'Devices', page: devicesPage },
  { path: '/images', label: 'Images', page: imagesPage },
  { path: '/profile', label: 'Profile', page: profilePage },
];
